namespace Liblim.EfCore.Storage.Internal;

/// <summary>The state row: this database's node id, the head of its feed and its clock, under the row's lock.</summary>
internal sealed partial class ShadowStore
{
    /// <summary>
    /// Locks the state row for the rest of the transaction (creating it on first use) and reads it. Every
    /// replicated write but a concurrent apply takes this lock first (on PostgreSQL after the writers' gate, held
    /// exclusively: <c>ShadowStore.ConcurrentApply</c>), so clocks (and on SQLite sequence numbers) are handed out one
    /// transaction at a time, even with several contexts or processes on one database.
    /// </summary>
    public async Task<ReplicaClock> LockAsync(bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        var state = session.Table(n.StateTable);
        var configured = ConfiguredNodeId;
        using var command = session.CreateCommand("");
        command.CommandText = GateSql(command) +
            $"INSERT INTO {state} ({session.Column(n.StateId)}, {session.Column(n.StateNodeId)}, {session.Column(n.StateSeq)}, {session.Column(n.StateClock)}) " +
            $"VALUES (1, @node, 0, 0) ON CONFLICT ({session.Column(n.StateId)}) DO NOTHING;" +
            $"SELECT {session.Column(n.StateNodeId)}, {session.Column(n.StateRetiredNodeId)}, {session.Column(n.StateSeq)}, {session.Column(n.StateClock)} FROM {state} " +
            $"WHERE {session.Column(n.StateId)} = 1{session.Dialect.LockRowClause}";
        StoreSession.AddParameter(command, "@node", (configured ?? Guid.NewGuid()).ToString("N"));
        return (await ReadClockAsync(command, async, ct).ConfigureAwait(false))!;
    }

    /// <summary>
    /// Reads the state row without locking it: for a concurrent apply, which hands out no clock (it stamps nothing) and
    /// raises the stored one at its commit (<see cref="AdvanceAsync"/>). Null when the row does not exist yet.
    /// </summary>
    public async Task<ReplicaClock?> ReadClockAsync(bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        using var command = session.CreateCommand(
            $"SELECT {session.Column(n.StateNodeId)}, {session.Column(n.StateRetiredNodeId)}, {session.Column(n.StateSeq)}, {session.Column(n.StateClock)} " +
            $"FROM {session.Table(n.StateTable)} WHERE {session.Column(n.StateId)} = 1");
        return await ReadClockAsync(command, async, ct).ConfigureAwait(false);
    }

    private async Task<ReplicaClock?> ReadClockAsync(System.Data.Common.DbCommand command, bool async, CancellationToken ct)
    {
        using var reader = await StoreSession.ReadAsync(command, async, ct).ConfigureAwait(false);
        while (reader.FieldCount != 4 && await StoreSession.NextResultAsync(reader, async, ct).ConfigureAwait(false))
        {
            // past the results of the gate and the insert, to the state row's four columns
        }

        if (!await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false))
        {
            return null;
        }

        var nodeId = NodeIdInUse(ConfiguredNodeId, reader.IsDBNull(0) ? null : reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1));
        return nodeId is { } id ? new ReplicaClock(id, reader.GetInt64(2), reader.GetInt64(3)) : null;
    }

    /// <summary>
    /// Gives this database a new node id in place of <paramref name="retiring"/>, when that is still the one in use
    /// (another session may have rotated it already): the fences of every peer restart at 0, since no peer has seen
    /// anything of the new id. A configured id (the NodeId option or <c>LIBLIM_INSTANCE_ID</c>) that
    /// is retired stays retired while it is configured. Returns the node id in use afterwards.
    /// </summary>
    public async Task<Guid> RotateAsync(Guid retiring, bool async, CancellationToken ct)
    {
        var current = (await LockAsync(async, ct).ConfigureAwait(false)).NodeId;
        if (current != retiring)
        {
            return current;
        }

        var n = session.Model.Shadow;
        var rotated = Guid.NewGuid();
        var retired = session.Column(n.StateRetiredNodeId);
        using var command = session.CreateCommand(
            $"UPDATE {session.Table(n.StateTable)} SET {session.Column(n.StateNodeId)} = @node, {retired} = coalesce(@retired, {retired}) " +
            $"WHERE {session.Column(n.StateId)} = 1;" +
            $"UPDATE {session.Table(n.PeersTable)} SET {session.Column(n.PeerSentSeq)} = 0, {session.Column(n.PeerReadHead)} = 0");
        StoreSession.AddParameter(command, "@node", rotated.ToString("N"));
        StoreSession.AddParameter(command, "@retired", ConfiguredNodeId?.ToString("N"));
        await StoreSession.ExecuteAsync(command, async, ct).ConfigureAwait(false);
        return rotated;
    }

    /// <summary>
    /// The node id in use: the configured one, unless a rotation retired it; else the stored one (null only when the
    /// state row does not exist yet).
    /// </summary>
    private static Guid? NodeIdInUse(Guid? configured, string? stored, string? retired)
        => configured is { } id && retired != id.ToString("N") ? id
            : stored is null ? null : Guid.ParseExact(stored, "N");

    /// <summary>The node id the app configured: the NodeId option, else <c>LIBLIM_INSTANCE_ID</c>; null when neither.</summary>
    private Guid? ConfiguredNodeId => session.Options.NodeId ?? EnvironmentNodeId();

    private static Guid? EnvironmentNodeId()
        => Guid.TryParse(Environment.GetEnvironmentVariable("LIBLIM_INSTANCE_ID"), out var id) && id != Guid.Empty ? id : null;
}
