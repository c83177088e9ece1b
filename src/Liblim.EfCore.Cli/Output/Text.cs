using System.Globalization;
using Liblim.EfCore.Cli.Reports;

namespace Liblim.EfCore.Cli.Output;

/// <summary>How times, clocks and node ids read in text output.</summary>
internal static class Text
{
    /// <summary>A time in UTC, to the millisecond: <c>2026-05-01 10:00:00.123Z</c>; "never" for none.</summary>
    public static string Time(DateTimeOffset? time)
        => time is { } t ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) : "never";

    /// <summary>A node id, with what it is to the replica when known: <c>1f0e…-… (this replica)</c>.</summary>
    public static string Node(Guid node, string? label) => label is null ? node.ToString() : $"{node} ({label})";

    /// <summary>When a clock was made and its counter when not 0: <c>2026-05-01 10:00:00.123Z</c>, <c>… +2</c>; an adoption's has no time.</summary>
    public static string When(ClockReport clock)
        => clock.IsAdoption ? "adopted (before replication)"
            : clock.Counter == 0 ? Time(clock.Time) : string.Create(CultureInfo.InvariantCulture, $"{Time(clock.Time)} +{clock.Counter}");

    /// <summary>A clock: when, and by which node.</summary>
    public static string Clock(ClockReport clock) => $"{When(clock)} by {Node(clock.Node, clock.NodeLabel)}";

    /// <summary>A clock's full text form (<see cref="HybridTimestamp"/>) as <see cref="Clock(ClockReport)"/> writes it.</summary>
    public static string Clock(string timestamp)
        => HybridTimestamp.TryParse(timestamp, out var t) ? Clock(ClockReport.Of(t, new NodeLabels(null, []))) : timestamp;

    public static string Count(long n, string one, string many) => string.Create(CultureInfo.InvariantCulture, $"{n} {(n == 1 ? one : many)}");

    public static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);
}
