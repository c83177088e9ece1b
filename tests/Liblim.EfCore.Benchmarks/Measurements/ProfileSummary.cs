namespace Liblim.EfCore.Benchmarks.Measurements;

/// <summary>
/// The end of a <c>profile</c> run: each scenario's median time and CPU time, and each one's ratio to the first scenario
/// listed, as the median of the ratios of the repetitions run back to back (a scenario and its baseline in the same
/// moments of the machine, which a noisy machine needs). The first quarter of the repetitions is left out as warm-up.
/// </summary>
internal static class ProfileSummary
{
    public static void Write(IReadOnlyDictionary<string, List<(double Wall, double Cpu)>> times, int repetitions)
    {
        var skip = repetitions / 4;
        var baseline = times.Keys.First();
        Console.WriteLine($"Medians of repetitions {skip + 1} to {repetitions}; ratios to {baseline}, paired by repetition:");
        foreach (var (scenario, runs) in times)
        {
            var kept = runs.Skip(skip).ToList();
            var ratio = scenario == baseline ? "" :
                $"  {Median(kept.Zip(times[baseline].Skip(skip), (a, b) => a.Wall / b.Wall)):N2}x (CPU {Median(kept.Zip(times[baseline].Skip(skip), (a, b) => a.Cpu / b.Cpu)):N2}x)";
            Console.WriteLine($"  {scenario,-16} {Median(kept.Select(r => r.Wall)),9:N1} ms, CPU {Median(kept.Select(r => r.Cpu)),7:N0} ms{ratio}");
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
