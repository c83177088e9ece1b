using Liblim.EfCore.Storage.Internal;

namespace Liblim.EfCore.Cli.Reports;

/// <summary>The single row of <c>__liblim_state</c>, as stored: the node id, a retired one, and the clock.</summary>
internal sealed record ReplicaStateRow(Guid? NodeId, Guid? RetiredNodeId, DateTimeOffset? Clock)
{
    /// <summary>The state row; null when the database has none yet (nothing written or synced).</summary>
    /// <remarks>
    /// The node id as stored: an app that configures one (the NodeId option, <c>LIBLIM_INSTANCE_ID</c>) runs under that id
    /// instead, unless a restore retired it (docs/semantics.md, "Clock").
    /// </remarks>
    public static async Task<ReplicaStateRow?> ReadAsync(StoreSession session, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        using var command = session.CreateCommand(
            $"SELECT {session.Column(n.StateNodeId)}, {session.Column(n.StateRetiredNodeId)}, {session.Column(n.StateClock)} " +
            $"FROM {session.Table(n.StateTable)} WHERE {session.Column(n.StateId)} = 1");
        using var reader = await StoreSession.ReadAsync(command, async: true, ct).ConfigureAwait(false);
        if (!await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            return null;
        }

        Guid? Node(int i) => reader.IsDBNull(i) ? null : Guid.ParseExact(reader.GetString(i), "N");
        var clock = reader.GetInt64(2);
        return new ReplicaStateRow(Node(0), Node(1), clock == 0 ? null : new HybridTimestamp(clock, Guid.Empty).PhysicalTime);
    }
}
