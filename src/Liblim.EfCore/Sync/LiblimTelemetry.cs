namespace Liblim.EfCore;

/// <summary>
/// The names under which Liblim reports to OpenTelemetry (or any <c>ActivityListener</c> and <c>MeterListener</c>):
/// <c>AddSource(LiblimTelemetry.Name)</c> for its traces, <c>AddMeter(LiblimTelemetry.Name)</c> for its metrics.
/// </summary>
/// <remarks>
/// Traces: a span per sync session (<see cref="SessionSpan"/>) with the role, the transport, the remote address, the
/// peer's node id once known, whether it is live, and at its end the rows sent, received and applied; a session that
/// fails ends with an error status. A child span per batch of the peer's that is applied (<see cref="ApplySpan"/>).
/// Metrics: the counters, histogram and up-down counter named <c>liblim.sync.*</c>, each tagged with the role and the
/// transport; and the gauges <c>liblim.rows.pending</c> and <c>liblim.rows.held_back</c> of each database a sync service
/// keeps in sync, tagged with its node id (<see cref="NodeTag"/>). The peer is a tag of the spans only: a hub serves many
/// peers, and a metric series per peer would grow without bound.
/// </remarks>
public static class LiblimTelemetry
{
    /// <summary>The name of Liblim's <c>ActivitySource</c> and <c>Meter</c>.</summary>
    public const string Name = "Liblim.EfCore";

    /// <summary>The span of a sync session.</summary>
    public const string SessionSpan = "liblim.sync";

    /// <summary>The span of applying one of the peer's batches, within a session's.</summary>
    public const string ApplySpan = "liblim.apply";

    /// <summary>Tag: <c>client</c> (this side opened the connection) or <c>server</c>.</summary>
    public const string RoleTag = "liblim.role";

    /// <summary>Tag: <c>tcp</c>, <c>tls</c>, <c>websocket</c> or <c>in-process</c>.</summary>
    public const string TransportTag = "liblim.transport";

    /// <summary>Tag of the gauges <c>liblim.rows.pending</c> and <c>liblim.rows.held_back</c>: the database's node id.</summary>
    public const string NodeTag = "liblim.node";

    /// <summary>Span tag: the peer's node id.</summary>
    public const string PeerTag = "liblim.peer";

    /// <summary>Span tag: the address this side connected to, or the peer connected from.</summary>
    public const string RemoteTag = "liblim.remote";

    /// <summary>Span tag: whether the session is live.</summary>
    public const string LiveTag = "liblim.live";

    /// <summary>Span tags at a session's end, and on a batch's span: row states sent, received, and received that changed a row.</summary>
    public const string RowsSentTag = "liblim.rows.sent";

    /// <inheritdoc cref="RowsSentTag"/>
    public const string RowsReceivedTag = "liblim.rows.received";

    /// <inheritdoc cref="RowsSentTag"/>
    public const string RowsAppliedTag = "liblim.rows.applied";

    /// <summary>The transport of a peer's address: <c>websocket</c> for ws(s) and http(s), <c>tls</c> for liblims, else <c>tcp</c>.</summary>
    internal static string TransportOf(Uri peer)
        => LiblimPeerAddress.IsWebSocket(peer) ? "websocket" : peer.Scheme == "liblims" ? "tls" : "tcp";
}
