using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Liblim.EfCore.Writes;

/// <summary>
/// What each process does once per database, before its first replicated write and before the first sync it serves or
/// starts, under the state row's lock (<see cref="ReplicaWrite"/>): it adopts the rows stored without metadata
/// (<see cref="RowAdoption"/>), and shows the values it kept for columns and tables its model did not have, when a
/// migration has added them since (<see cref="NewerModelRows"/>). One per EF service provider, by database.
/// </summary>
/// <remarks>
/// A write that finds nothing to do, or commits what it did, records the database as caught up for the process; until
/// then every write does it again. Rows written around Liblim later are adopted by the next process, or by
/// <c>db.Liblim().AdoptRowsAsync()</c>.
/// </remarks>
internal sealed class CatchUp
{
    private readonly ConcurrentDictionary<string, bool> _done = new(StringComparer.Ordinal);

    /// <summary>Whether the database has caught up in this process; the key is <see cref="KeyOf"/>'s.</summary>
    public bool IsDone(string database) => _done.ContainsKey(database);

    /// <summary>Records that the database needs no catching up until the process restarts.</summary>
    public void Done(string database) => _done[database] = true;

    /// <summary>
    /// The database and model as this process tells them apart: the database's node id, and its connection's data source
    /// and database (for a SQLite database in memory, which lives as long as its connection, the connection itself); and
    /// the context's model, which EF builds once per context type. A database made anew where another was has a new node
    /// id; a database opened with a newer model after a migration in the same process catches up again.
    /// </summary>
    public static string KeyOf(Guid node, DbContext context)
    {
        var connection = context.Database.GetDbConnection();
        var database = connection.DataSource is "" or ":memory:" || connection.ConnectionString.Contains("Mode=Memory", StringComparison.OrdinalIgnoreCase)
            ? RuntimeHelpers.GetHashCode(connection).ToString(CultureInfo.InvariantCulture)
            : connection.Database;
        return $"{node:N}|{connection.DataSource}|{database}|{RuntimeHelpers.GetHashCode(context.Model)}";
    }

    /// <summary>
    /// Catches the context's database up, in a write of its own, unless this process has (a sync session does before it
    /// reads its positions); <paramref name="node"/> is its node id as last read, null when it has none yet. Returns
    /// whether the feed moved.
    /// </summary>
    public static async Task<bool> EnsureAsync(DbContext context, Guid? node, CancellationToken ct)
    {
        if (node is { } known && context.GetService<CatchUp>().IsDone(KeyOf(known, context)))
        {
            return false;
        }

        var write = await ReplicaWrite.BeginAsync(context, async: true, ct).ConfigureAwait(false);
        await using (write.ConfigureAwait(false))
        {
            await write.StoreAsync().ConfigureAwait(false);
            await write.CommitAsync().ConfigureAwait(false);
            return write.Adopted > 0;
        }
    }
}
