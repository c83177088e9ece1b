using Liblim.EfCore.Crdt;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>A column a merge decided between concurrent writes, as the journal records it.</summary>
/// <param name="Id">The entry's number in the journal (0 before it is recorded).</param>
/// <param name="Table">The replicated table.</param>
/// <param name="Key">The row's key text.</param>
/// <param name="Conflict">The column, and the registers that won and lost.</param>
/// <param name="DecidedAt">When this replica decided it.</param>
internal readonly record struct JournaledConflict(long Id, string Table, string Key, ColumnConflict Conflict, DateTimeOffset DecidedAt);

/// <summary>The conflict journal (<c>__liblim_conflicts</c>): what merges decided between concurrent writes (docs/semantics.md, "Conflicts").</summary>
internal sealed partial class ShadowStore
{
    /// <summary>
    /// Records conflicts, each lost write once (a state that arrives again, or through another peer, records nothing new),
    /// then drops what the journal's bounds leave out (the oldest beyond the count, and those older than the age).
    /// </summary>
    public async Task WriteConflictsAsync(IReadOnlyList<JournaledConflict> conflicts, int keep, TimeSpan? keepFor, bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        var columns = n.ConflictColumns.Select(session.Column).ToList();
        var written = columns.Skip(1).ToList(); // the database numbers the entries
        var insert = $"INSERT INTO {session.Table(n.ConflictsTable)} ({string.Join(", ", written)}) VALUES ";
        static object?[] Values(JournaledConflict c)
            => [c.Conflict.Column, c.Table, c.Key, c.Conflict.Winner?.Json!, c.Conflict.Winner?.Clock.ToString(), c.Conflict.Loser.Json!,
                c.Conflict.Loser.Clock.ToString(), c.DecidedAt.ToUnixTimeMilliseconds()];
        if (session.Dialect.WritesRowAtATime)
        {
            // One statement prepared once, run per entry.
            using var statement = session.CreateRowCommand(insert + $"({string.Join(", ", written.Select((_, i) => $"@v{i}"))}) ON CONFLICT DO NOTHING");
            for (var i = 0; i < written.Count; i++)
            {
                StoreSession.AddParameter(statement.Command, $"@v{i}", null);
            }

            foreach (var conflict in conflicts)
            {
                var values = Values(conflict);
                for (var i = 0; i < values.Length; i++)
                {
                    statement.Parameters[i].Value = values[i];
                }

                await statement.ExecuteAsync(async, ct).ConfigureAwait(false);
            }
        }
        else
        {
            // A VALUES list per chunk.
            foreach (var chunk in conflicts.Chunk(Math.Max(1, session.Dialect.MaxParameters / written.Count)))
            {
                using var command = session.CreateCommand("");
                var rows = new List<string>(chunk.Length);
                for (var r = 0; r < chunk.Length; r++)
                {
                    var values = Values(chunk[r]);
                    for (var i = 0; i < values.Length; i++)
                    {
                        StoreSession.AddParameter(command, $"@v{r}_{i}", values[i]);
                    }

                    rows.Add($"({string.Join(", ", values.Select((_, i) => $"@v{r}_{i}"))})");
                }

                command.CommandText = insert + string.Join(", ", rows) + " ON CONFLICT DO NOTHING";
                await StoreSession.ExecuteAsync(command, async, ct).ConfigureAwait(false);
            }
        }

        // The count bound: every entry older than the keep-th newest goes.
        using (var trim = session.CreateCommand(
                   $"DELETE FROM {session.Table(n.ConflictsTable)} WHERE {columns[0]} < (SELECT {columns[0]} FROM {session.Table(n.ConflictsTable)} " +
                   $"ORDER BY {columns[0]} DESC LIMIT 1 OFFSET @keep)"))
        {
            StoreSession.AddParameter(trim, "@keep", (long)Math.Max(0, keep - 1));
            await StoreSession.ExecuteAsync(trim, async, ct).ConfigureAwait(false);
        }

        if (keepFor is { } age && conflicts.Count > 0)
        {
            using var old = session.CreateCommand($"DELETE FROM {session.Table(n.ConflictsTable)} WHERE {columns[8]} < @before");
            StoreSession.AddParameter(old, "@before", (conflicts[^1].DecidedAt - age).ToUnixTimeMilliseconds());
            await StoreSession.ExecuteAsync(old, async, ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Journal entries, newest first: of one table (or all), one key (or all), decided at or after <paramref name="since"/>
    /// and before <paramref name="until"/> (each when given), skipping <paramref name="skip"/>, at most <paramref name="take"/>.
    /// </summary>
    public async Task<List<JournaledConflict>> ReadConflictsAsync(
        string? table, string? key, DateTimeOffset? since, DateTimeOffset? until, int skip, int take, bool async, CancellationToken ct)
    {
        var n = session.Model.Shadow;
        var columns = n.ConflictColumns.Select(session.Column).ToList();
        using var command = session.CreateCommand("");
        var where = new List<string>();
        if (table is not null)
        {
            where.Add($"{columns[2]} = @t");
            StoreSession.AddParameter(command, "@t", table);
        }

        if (key is not null)
        {
            where.Add($"{columns[3]} = @k");
            StoreSession.AddParameter(command, "@k", key);
        }

        if (since is { } from)
        {
            where.Add($"{columns[8]} >= @since");
            StoreSession.AddParameter(command, "@since", from.ToUnixTimeMilliseconds());
        }

        if (until is { } to)
        {
            where.Add($"{columns[8]} < @until");
            StoreSession.AddParameter(command, "@until", to.ToUnixTimeMilliseconds());
        }

        command.CommandText = $"SELECT {string.Join(", ", columns)} FROM {session.Table(n.ConflictsTable)}" +
                              (where.Count == 0 ? "" : " WHERE " + string.Join(" AND ", where)) +
                              $" ORDER BY {columns[0]} DESC LIMIT @take OFFSET @skip";
        StoreSession.AddParameter(command, "@take", (long)take);
        StoreSession.AddParameter(command, "@skip", (long)skip);
        var conflicts = new List<JournaledConflict>();
        using var reader = await StoreSession.ReadAsync(command, async, ct).ConfigureAwait(false);
        while (await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false))
        {
            ColumnValue? winner = reader.IsDBNull(5) ? null : new ColumnValue(reader.GetString(4), HybridTimestamp.Parse(reader.GetString(5)));
            var loser = new ColumnValue(reader.GetString(6), HybridTimestamp.Parse(reader.GetString(7)));
            conflicts.Add(new JournaledConflict(reader.GetInt64(0), reader.GetString(2), reader.GetString(3),
                new ColumnConflict(reader.GetString(1), winner, loser), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8))));
        }

        return conflicts;
    }

    /// <summary>How many conflicts the journal holds.</summary>
    public async Task<int> CountConflictsAsync(bool async, CancellationToken ct)
    {
        using var command = session.CreateCommand($"SELECT COUNT(*) FROM {session.Table(session.Model.Shadow.ConflictsTable)}");
        using var reader = await StoreSession.ReadAsync(command, async, ct).ConfigureAwait(false);
        await StoreSession.NextAsync(reader, async, ct).ConfigureAwait(false);
        return Convert.ToInt32(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture);
    }
}
