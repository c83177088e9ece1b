using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Liblim.EfCore.Scopes.Internal;

/// <summary>
/// The rows one peer of a session receives: the server's <see cref="LiblimScopes"/> applied to that peer. Null where the
/// server has no rules (every row goes).
/// </summary>
internal sealed class PeerScope
{
    private readonly LiblimScopes _scopes;

    private PeerScope(LiblimScopes scopes, LiblimPeer peer)
    {
        _scopes = scopes;
        Peer = peer;
    }

    public LiblimPeer Peer { get; }

    public static PeerScope? For(LiblimScopes? scopes, LiblimPeer peer) => scopes is null || scopes.IsEmpty ? null : new(scopes, peer);

    /// <summary>
    /// What the peer gets of <paramref name="rows"/>, the rows of <paramref name="table"/> in a page of the feed after
    /// <paramref name="since"/> and up to <paramref name="through"/>: those its rule shows it, whole; of those it holds
    /// (<c>__liblim_peer_rows</c>) and may no longer see, the tombstones of a deleted row and an eviction of a live one.
    /// A table without a rule gives nothing, <see cref="LiblimScopes.ReadOnly{TEntity}"/> everything.
    /// </summary>
    public async Task<ScopedRows> SelectAsync(
        DbContext context, ReplicatedTable table, IReadOnlyList<ShadowRow> rows, long since, long through, CancellationToken ct)
    {
        if (!_scopes.ByTable(context.Model).TryGetValue(table.Name, out var rule))
        {
            return ScopedRows.None();
        }

        if (rule.IsEverything)
        {
            return ScopedRows.All;
        }

        var visible = await rule.VisibleKeysAsync(context, table, Peer, since, through, ct).ConfigureAwait(false);
        var hidden = rows.Where(r => !visible.Contains(r.Key)).ToList();
        var held = await context.GetService<StoreSession>().Shadow
            .ReadPeerRowsAsync(PeerId, table.Name, [.. hidden.Select(r => r.Key)], async: true, ct).ConfigureAwait(false);
        var selected = new ScopedRows(visible, [], [], []);
        foreach (var row in hidden.Where(r => held.Contains(r.Key)))
        {
            if (row.IsAlive)
            {
                selected.Evicted.Add(row.Key);
            }
            else
            {
                selected.Tombstones.Add(row.Key);
            }

            selected.Left.Add(row.Key);
        }

        return selected;
    }

    /// <summary>The peer's node id as <c>__liblim_peer_rows</c> holds it.</summary>
    public string PeerId => Peer.NodeId.ToString("N");
}
