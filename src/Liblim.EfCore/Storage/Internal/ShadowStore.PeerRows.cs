namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// Scopes in storage: the rows a server has sent each peer it serves by scope (<c>__liblim_peer_rows</c>), and the rows a
/// replica forgets when its server says they left its scope.
/// </summary>
internal sealed partial class ShadowStore
{
    /// <summary>
    /// Forgets rows as if they had never been here: their data rows and metadata go, with no tombstone and no position in
    /// the feed, so nothing of it reaches a peer. The database's own ON DELETE actions apply to rows that reference them.
    /// </summary>
    public async Task ForgetRowsAsync(Metadata.Internal.ReplicatedTable table, IReadOnlyCollection<string> keys, bool async, CancellationToken ct)
    {
        await session.Rows(table).DeleteAsync(keys, async, ct).ConfigureAwait(false);
        await DeleteSeparateAsync(table.Name, keys, async, ct).ConfigureAwait(false);
        foreach (var key in keys)
        {
            session.Places.Gone(table.Name, key);
        }
    }

    private const int PeerRowsPerStatement = 500;

    /// <summary>Which of the given keys of a table the peer (32 hex digits) has been sent, and not told it lost since.</summary>
    public async Task<HashSet<string>> ReadPeerRowsAsync(string peer, string table, IReadOnlyCollection<string> keys, bool async, CancellationToken ct)
    {
        var held = new HashSet<string>(StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return held;
        }

        var n = session.Model.Shadow;
        using var command = session.CreateCommand(
            $"SELECT {session.Column(n.PeerRowKey)} FROM {session.Table(n.PeerRowsTable)} " +
            $"WHERE {session.Column(n.PeerRowPeer)} = @p AND {session.Column(n.PeerRowTable)} = @t AND {session.Dialect.InTextList(session.Column(n.PeerRowKey), "@k")}");
        StoreSession.AddParameter(command, "@p", peer);
        StoreSession.AddParameter(command, "@t", table);
        StoreSession.AddParameter(command, "@k", session.Dialect.TextList(keys));
        using var reader = await StoreSession.ReadAsync(command, async, ct).ConfigureAwait(false);
        while (await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false))
        {
            held.Add(reader.GetString(0));
        }

        return held;
    }

    /// <summary>Whether the peer (32 hex digits) holds any row of this database's, as far as it has recorded.</summary>
    public async Task<bool> HoldsAnyAsync(string peer, bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        using var command = session.CreateCommand($"SELECT 1 FROM {session.Table(n.PeerRowsTable)} WHERE {session.Column(n.PeerRowPeer)} = @p LIMIT 1");
        StoreSession.AddParameter(command, "@p", peer);
        using var reader = await StoreSession.ReadAsync(command, async, ct).ConfigureAwait(false);
        return await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false);
    }

    /// <summary>Records rows as sent to the peer (<paramref name="joined"/>) and as taken from it (<paramref name="left"/>).</summary>
    public async Task WritePeerRowsAsync(string peer, IReadOnlyList<(string Table, string Key)> joined, IReadOnlyList<(string Table, string Key)> left, bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        var table = session.Table(n.PeerRowsTable);
        var columns = $"{session.Column(n.PeerRowPeer)}, {session.Column(n.PeerRowTable)}, {session.Column(n.PeerRowKey)}";
        foreach (var chunk in joined.Chunk(PeerRowsPerStatement))
        {
            using var command = session.CreateCommand(
                $"INSERT INTO {table} ({columns}) VALUES {string.Join(", ", chunk.Select((_, i) => $"(@p, @t{i}, @k{i})"))} ON CONFLICT DO NOTHING");
            AddRows(command, peer, chunk);
            await StoreSession.ExecuteAsync(command, async, ct).ConfigureAwait(false);
        }

        foreach (var chunk in left.Chunk(PeerRowsPerStatement))
        {
            using var command = session.CreateCommand(
                $"DELETE FROM {table} WHERE {session.Column(n.PeerRowPeer)} = @p AND (" +
                string.Join(" OR ", chunk.Select((_, i) => $"({session.Column(n.PeerRowTable)} = @t{i} AND {session.Column(n.PeerRowKey)} = @k{i})")) + ")");
            AddRows(command, peer, chunk);
            await StoreSession.ExecuteAsync(command, async, ct).ConfigureAwait(false);
        }
    }

    private static void AddRows(System.Data.Common.DbCommand command, string peer, (string Table, string Key)[] rows)
    {
        StoreSession.AddParameter(command, "@p", peer);
        for (var i = 0; i < rows.Length; i++)
        {
            StoreSession.AddParameter(command, $"@t{i}", rows[i].Table);
            StoreSession.AddParameter(command, $"@k{i}", rows[i].Key);
        }
    }
}
