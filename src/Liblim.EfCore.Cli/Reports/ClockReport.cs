using Liblim.EfCore.Writes;

namespace Liblim.EfCore.Cli.Reports;

/// <summary>A hybrid timestamp for people: the wall-clock time it was made at, its logical counter, and the node that made it.</summary>
/// <param name="Timestamp">Its full text form (ticks in hex, a dot, the node id), as replicas compare it.</param>
/// <param name="Time">Its wall-clock part, UTC.</param>
/// <param name="Counter">Its logical counter (writes in the same millisecond, or after a clock that ran ahead).</param>
/// <param name="Node">The node that made it.</param>
/// <param name="NodeLabel">What the node is to this replica: "this replica", a peer's address, "adopted"; null when unknown.</param>
internal sealed record ClockReport(string Timestamp, DateTimeOffset Time, int Counter, Guid Node, string? NodeLabel)
{
    /// <summary>Whether the clock is that of a row adopted from before replication: its ticks are a hash of the row's values, not a time.</summary>
    public bool IsAdoption => Node == RowAdoption.Node;

    public static ClockReport Of(HybridTimestamp timestamp, NodeLabels labels)
        => new(timestamp.ToString(), timestamp.PhysicalTime, timestamp.Counter, timestamp.Node, labels.Of(timestamp.Node));
}
