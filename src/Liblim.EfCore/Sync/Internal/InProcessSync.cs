using Liblim.EfCore.Merge.Internal;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.Sync.Internal;

/// <summary>Two-way sync of two contexts in one process: each pulls the other's changes since its watermark.</summary>
internal static class InProcessSync
{
    public const int BatchSize = 1000;

    public static async Task<SyncResult> SyncAsync(LiblimFacade local, LiblimFacade remote, CancellationToken ct)
    {
        var localNode = await local.GetNodeIdAsync(ct).ConfigureAwait(false);
        var remoteNode = await remote.GetNodeIdAsync(ct).ConfigureAwait(false);
        if (localNode == remoteNode)
        {
            throw new LiblimException($"Both databases have node id {localNode}: a replica cannot sync with itself (or two databases were given the same NodeId).");
        }

        var (received, applied, changed, heldBack) = await PullAsync(local.Context, localNode, remote.Context, remoteNode, ct).ConfigureAwait(false);
        var (sent, appliedThere, _, _) = await PullAsync(remote.Context, remoteNode, local.Context, localNode, ct).ConfigureAwait(false);
        return new SyncResult
        {
            Peer = remoteNode,
            RowsReceived = received,
            RowsApplied = applied,
            RowsSent = sent,
            RowsAppliedByPeer = appliedThere,
            Changed = changed,
            HeldBack = heldBack,
        };
    }

    /// <summary>
    /// Brings <paramref name="target"/> up to date with <paramref name="source"/>'s change feed, batch by batch, batches
    /// grouped per transaction (<see cref="ApplyGroup"/>); whatever stops it, the whole batches applied are kept.
    /// </summary>
    private static async Task<(int Received, int Applied, List<ChangedRow> Changed, List<HeldBackRow> HeldBack)> PullAsync(DbContext target, Guid targetNode, DbContext source, Guid sourceNode, CancellationToken ct)
    {
        var since = await LiblimFacade.ReadWatermarkAsync(target, sourceNode, ct).ConfigureAwait(false);
        int received = 0, applied = 0;
        var changed = new List<ChangedRow>();
        var heldBack = new List<HeldBackRow>();
        var group = new ApplyGroup(target, (c, h) =>
        {
            changed.AddRange(c);
            heldBack.AddRange(h);
        });
        await using (group.ConfigureAwait(false))
        {
            try
            {
                while (true)
                {
                    var (states, last) = await ChangeFeed.ReadAsync(source, since, BatchSize, targetNode, async: true, ct).ConfigureAwait(false);
                    if (last == since)
                    {
                        await group.CommitAsync(ct).ConfigureAwait(false);
                        return (received, applied, changed, heldBack);
                    }

                    var result = await group.ApplyAsync(new RemoteBatch($"node {sourceNode} (in process)", sourceNode, states, last), ct).ConfigureAwait(false);
                    received += result.Received;
                    applied += result.Applied;
                    since = last;
                }
            }
            catch (Exception)
            {
                await group.KeepAppliedAsync().ConfigureAwait(false);
                throw;
            }
        }
    }
}
