using Liblim.EfCore.Crdt;
using Liblim.EfCore.Storage.Internal;
using Liblim.EfCore.Writes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Liblim.EfCore.Scopes.Internal;

/// <summary>
/// Answers refused writes: for each, this database's state of the row made to win over the writer's
/// (<see cref="RowCorrection"/>), stored as a local write in the caller's transaction. It goes to every peer that may see
/// the row, and to the writer, which holds the row (it sent it): so every replica converges to this database's row.
/// </summary>
internal static class Corrections
{
    public static async Task WriteAsync(DbContext context, IReadOnlyList<RowState> refused, CancellationToken ct)
    {
        if (refused.Count == 0)
        {
            return;
        }

        var session = context.GetService<StoreSession>();
        var write = await ReplicaWrite.BeginAsync(context, async: true, ct).ConfigureAwait(false);
        await using (write.ConfigureAwait(false))
        {
            foreach (var byTable in refused.GroupBy(s => s.Table, StringComparer.Ordinal))
            {
                if (session.Model.FindTable(byTable.Key) is not { } table)
                {
                    continue;
                }

                var writes = byTable.GroupBy(s => s.Key, StringComparer.Ordinal).Select(g => g.Aggregate(RowMerge.Merge)).ToList();
                var stored = await session.Shadow.ReadStatesAsync(table, [.. writes.Select(w => w.Key)], async: true, ct).ConfigureAwait(false);
                await write.ReserveAsync(writes.Count).ConfigureAwait(false);
                foreach (var written in writes)
                {
                    var (row, server) = stored.TryGetValue(written.Key, out var s) ? s : default;
                    if (written.MaxClock is { } latest)
                    {
                        write.Receive(latest.Ticks);
                    }

                    var correction = RowCorrection.For(server, written, write.Stamp());
                    if (server is not null && correction.SameAs(server))
                    {
                        continue; // the write wins nothing here: the writer takes this row as it is
                    }

                    write.Change(table, correction, row, write.NextSeq(), source: null);
                }
            }

            await write.StoreAsync().ConfigureAwait(false);
            await write.CommitAsync().ConfigureAwait(false);
        }
    }
}
