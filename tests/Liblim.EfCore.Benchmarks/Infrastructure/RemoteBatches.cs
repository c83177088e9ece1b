using Liblim.EfCore.Benchmarks.Model;
using Liblim.EfCore.Merge.Internal;
using Liblim.EfCore.Sync.Internal;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.Benchmarks.Infrastructure;

/// <summary>
/// Figure 2's remote states: a source's whole change feed, read into memory as the batches a sync would send, and
/// applied to a target as a sync applies batches that arrive back to back.
/// </summary>
public static class RemoteBatches
{
    internal static List<RemoteBatch> Read(string source)
    {
        using var db = new ReplicatedDb(SqliteFiles.ReplicatedOptions(source));
        var node = db.Liblim().GetNodeIdAsync().GetAwaiter().GetResult();
        var batches = new List<RemoteBatch>();
        var since = 0L;
        while (true)
        {
            var (states, last, _) = ChangeFeed.ReadAsync(db, since, null, new LiblimProtocolLimits().BatchSize, Guid.Empty, baseline: null, scope: null, async: false, default).GetAwaiter().GetResult();
            if (states.Count == 0)
            {
                return batches;
            }

            batches.Add(new RemoteBatch("source", node, states, last));
            since = last;
        }
    }

    /// <returns>How many states changed a row.</returns>
    internal static async Task<int> ApplyAsync(string target, IEnumerable<RemoteBatch> batches)
    {
        await using var db = new ReplicatedDb(SqliteFiles.ReplicatedOptions(target));
        var applied = 0;
        await using var group = new ApplyGroup(db);
        foreach (var batch in batches)
        {
            applied += (await group.ApplyAsync(batch, default)).Applied;
        }

        await group.CommitAsync(default);
        return applied;
    }
}
