using System.Globalization;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>The writes of this replica's that servers refused (<c>__liblim_refused</c>): the latest per row, until the app clears them.</summary>
internal sealed partial class ShadowStore
{
    /// <summary>Records refusals a server sent, each in place of an earlier one of the same row.</summary>
    public async Task WriteRefusedAsync(Guid server, IReadOnlyList<RefusedWrite> refused, DateTimeOffset at, bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        var columns = new[] { n.RefusedTableName, n.RefusedKey, n.RefusedReason, n.RefusedPeer, n.RefusedAt }.Select(session.Column).ToList();
        var update = string.Join(", ", columns.Skip(2).Select(c => $"{c} = excluded.{c}"));
        foreach (var write in refused)
        {
            using var command = session.CreateCommand(
                $"INSERT INTO {session.Table(n.RefusedTable)} ({string.Join(", ", columns)}) VALUES (@t, @k, @r, @p, @a) " +
                $"ON CONFLICT ({columns[0]}, {columns[1]}) DO UPDATE SET {update}");
            StoreSession.AddParameter(command, "@t", write.Table);
            StoreSession.AddParameter(command, "@k", write.Key);
            StoreSession.AddParameter(command, "@r", write.Reason);
            StoreSession.AddParameter(command, "@p", server.ToString("N"));
            StoreSession.AddParameter(command, "@a", at.UtcDateTime.ToString("o", CultureInfo.InvariantCulture));
            await StoreSession.ExecuteAsync(command, async, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Every refusal recorded, oldest first.</summary>
    public async Task<List<RefusedWrite>> ReadRefusedAsync(bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        using var command = session.CreateCommand(
            $"SELECT {string.Join(", ", new[] { n.RefusedTableName, n.RefusedKey, n.RefusedReason, n.RefusedPeer, n.RefusedAt }.Select(session.Column))} " +
            $"FROM {session.Table(n.RefusedTable)}");
        var refused = new List<RefusedWrite>();
        using var reader = await StoreSession.ReadAsync(command, async, ct).ConfigureAwait(false);
        while (await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false))
        {
            refused.Add(new RefusedWrite(reader.GetString(0), reader.GetString(1), reader.GetString(2))
            {
                Server = Guid.ParseExact(reader.GetString(3), "N"),
                RefusedAt = DateTimeOffset.Parse(reader.GetString(4), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
            });
        }

        return [.. refused.OrderBy(r => r.RefusedAt).ThenBy(r => r.Table, StringComparer.Ordinal).ThenBy(r => r.Key, StringComparer.Ordinal)];
    }

    /// <summary>Forgets the refusals of the given rows.</summary>
    public async Task DeleteRefusedAsync(IEnumerable<(string Table, string Key)> rows, bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        foreach (var (table, key) in rows)
        {
            using var command = session.CreateCommand(
                $"DELETE FROM {session.Table(n.RefusedTable)} WHERE {session.Column(n.RefusedTableName)} = @t AND {session.Column(n.RefusedKey)} = @k");
            StoreSession.AddParameter(command, "@t", table);
            StoreSession.AddParameter(command, "@k", key);
            await StoreSession.ExecuteAsync(command, async, ct).ConfigureAwait(false);
        }
    }
}
