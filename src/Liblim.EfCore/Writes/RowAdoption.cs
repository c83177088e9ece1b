using System.Collections.Concurrent;
using System.Data.Common;
using System.Runtime.CompilerServices;
using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Liblim.EfCore.Writes;

/// <summary>
/// Rows a replicated table holds without replication metadata (stored before the entity was replicated, or written
/// around Liblim) are adopted: each gets a feed position, so that syncs send it, and one clock for all its columns and
/// its add tag. The clock's node is <see cref="Node"/>, the same on every replica, and its ticks are a hash of the row's
/// values below 2^56 (a time before 2005): so any write made with replication on wins over an adoption, whichever
/// replica adopted later; a row adopted on two replicas copied from one source has the same state on both (nothing
/// conflicts, and deleting it on one deletes it everywhere); and rows that only share a key keep different tags, so
/// that deleting one does not delete the other, while their columns merge as two inserts of one key do.
/// </summary>
/// <remarks>
/// Every replicated write adopts, under the state row's lock, before anything else (<see cref="ReplicaWrite"/>), until
/// one has found nothing to adopt, or committed its adoption, in this process; a sync session first makes sure of it, so
/// that a database that only serves is adopted too. Rows written around Liblim later are adopted by the next process,
/// or by <c>db.Liblim().AdoptRowsAsync()</c>.
/// </remarks>
internal sealed class RowAdoption
{
    /// <summary>The node of every adopted row's clock: no replica's, since a replica's node ids are random (version 4) UUIDs.</summary>
    public static readonly Guid Node = new("00000000-0000-0000-0000-00000000ad07");

    private readonly ConcurrentDictionary<string, bool> _adopted = new(StringComparer.Ordinal);

    /// <summary>Whether the database has been adopted in this process; the key is <see cref="KeyOf"/>'s.</summary>
    public bool IsDone(string database) => _adopted.ContainsKey(database);

    /// <summary>Records that the database needs no adoption until the process restarts.</summary>
    public void Done(string database) => _adopted[database] = true;

    /// <summary>
    /// The database as this process tells it apart: its node id, and its connection's data source and database (for a
    /// SQLite database in memory, which lives as long as its connection, the connection itself). A database made anew
    /// where another was has a new node id.
    /// </summary>
    public static string KeyOf(Guid node, DbConnection connection)
        => connection.DataSource is "" or ":memory:" || connection.ConnectionString.Contains("Mode=Memory", StringComparison.OrdinalIgnoreCase)
            ? $"{node:N}|{connection.DataSource}|{RuntimeHelpers.GetHashCode(connection)}"
            : $"{node:N}|{connection.DataSource}|{connection.Database}";

    /// <summary>
    /// Adopts the context's database, in a write of its own, unless this process has (a sync session does before it reads
    /// its positions); <paramref name="node"/> is its node id as last read, null when it has none yet. Returns whether it
    /// adopted any row.
    /// </summary>
    public static async Task<bool> EnsureAsync(DbContext context, Guid? node, CancellationToken ct)
    {
        if (node is { } known && context.GetService<RowAdoption>().IsDone(KeyOf(known, context.Database.GetDbConnection())))
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

    /// <summary>
    /// Adopts the rows of every replicated table, parents before the tables that reference them, at the feed positions
    /// after <paramref name="after"/>; returns how many. Only under the state row's lock.
    /// </summary>
    public static async Task<long> AdoptAsync(StoreSession session, long after, bool async, CancellationToken ct)
    {
        long adopted = 0;
        foreach (var table in ParentsFirst(session.Model.Tables))
        {
            adopted += await session.Shadow.AdoptAsync(table, after + adopted, Node, async, ct).ConfigureAwait(false);
        }

        return adopted;
    }

    private static List<ReplicatedTable> ParentsFirst(IEnumerable<ReplicatedTable> tables)
    {
        var ordered = new List<ReplicatedTable>();
        var seen = new HashSet<ReplicatedTable>();
        foreach (var table in tables)
        {
            Visit(table);
        }

        return ordered;

        void Visit(ReplicatedTable table)
        {
            if (seen.Add(table))
            {
                foreach (var reference in table.ForeignKeys)
                {
                    Visit(reference.Principal);
                }

                ordered.Add(table);
            }
        }
    }
}
