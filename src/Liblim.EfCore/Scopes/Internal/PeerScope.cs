using Liblim.EfCore.Metadata.Internal;
using Microsoft.EntityFrameworkCore;

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
    /// The keys of the rows of <paramref name="table"/> at feed positions after <paramref name="since"/> and up to
    /// <paramref name="through"/> that the peer may receive; null when it may receive them all. A table without a rule
    /// gives none.
    /// </summary>
    public async Task<HashSet<string>?> VisibleKeysAsync(DbContext context, ReplicatedTable table, long since, long through, CancellationToken ct)
    {
        if (!_scopes.ByTable(context.Model).TryGetValue(table.Name, out var rule))
        {
            return [];
        }

        return rule.IsEverything ? null : await rule.VisibleKeysAsync(context, table, Peer, since, through, ct).ConfigureAwait(false);
    }
}
