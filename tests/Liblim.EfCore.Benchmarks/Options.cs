using System.Globalization;

namespace Liblim.EfCore.Benchmarks;

/// <summary>The command line's options.</summary>
internal sealed record Options(int? Rows, IReadOnlySet<string>? Only, bool Postgres, bool Allocations = false)
{
    public bool Wants(string name) => Only is null || Only.Contains(name);

    public static Options? Parse(string[] args)
    {
        int? rows = null;
        HashSet<string>? only = null;
        var postgres = true;
        var allocations = false;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rows" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 1_000:
                    rows = n;
                    i++;
                    break;
                case "--only" when i + 1 < args.Length:
                    only = [.. args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant())];
                    break;
                case "--no-postgres":
                    postgres = false;
                    break;
                case "--allocations":
                    allocations = true;
                    break;
                default:
                    Console.Error.WriteLine($"Unknown or incomplete option '{args[i]}' (--rows needs at least 1000).");
                    return null;
            }
        }

        return new Options(rows, only, postgres, allocations);
    }
}
