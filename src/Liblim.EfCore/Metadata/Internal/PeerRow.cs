namespace Liblim.EfCore.Metadata.Internal;

/// <summary>
/// One row of <c>__liblim_peer_rows</c>: a row a server has sent a peer it serves by scope (<see cref="LiblimScopes"/>), so
/// that it tells that peer, and no other, when the row is deleted or leaves the peer's scope. Recorded before the batch
/// that carries the row is sent; removed when the peer is told the row left.
/// </summary>
internal sealed class PeerRow
{
    /// <summary>The peer's node id (32 hex digits).</summary>
    public string PeerId { get; set; } = null!;

    /// <summary>The replicated table's name.</summary>
    public string TableName { get; set; } = null!;

    /// <summary>The row's canonical key.</summary>
    public string RowKey { get; set; } = null!;
}
