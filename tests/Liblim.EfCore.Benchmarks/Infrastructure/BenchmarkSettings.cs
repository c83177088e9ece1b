namespace Liblim.EfCore.Benchmarks.Infrastructure;

/// <summary>What the command line chose, read by the benchmark classes (they run in this process).</summary>
public static class BenchmarkSettings
{
    /// <summary>Rows of the sync figures (2 and 4); 100,000 unless <c>--rows</c> says otherwise.</summary>
    public static int SyncRows { get; set; } = 100_000;

    /// <summary>
    /// The garbage collector this process runs with, which the sync figures depend on: workstation (the default of console
    /// and desktop apps) unless started with <c>DOTNET_gcServer=1</c>, server (the default of ASP.NET Core apps).
    /// </summary>
    public static string GarbageCollector => System.Runtime.GCSettings.IsServerGC ? "server GC" : "workstation GC";

    /// <summary>The shared secret of every server the benchmarks start.</summary>
    public const string Secret = "liblim-benchmark-secret";
}
