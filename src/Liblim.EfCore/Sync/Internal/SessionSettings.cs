using System.Security.Claims;
using Liblim.EfCore.Protocol;
using Microsoft.Extensions.Logging;

namespace Liblim.EfCore.Sync.Internal;

/// <summary>What a sync session needs besides its connection and database.</summary>
/// <param name="Limits">The protocol's size and time limits.</param>
/// <param name="Remote">The peer, for messages and logs.</param>
/// <param name="Logger">Where the session logs.</param>
/// <param name="PollInterval">How often a live session looks for local changes when no signal came.</param>
/// <param name="Progress">Receives progress reports, if given.</param>
/// <param name="RowsChanged">Called after the peer's changes changed rows here, once they are committed.</param>
/// <param name="Established">Called when a client session's greeting succeeds: both sides have proven the shared secret.</param>
internal sealed record SessionSettings(
    LiblimProtocolLimits Limits,
    string Remote,
    ILogger Logger,
    TimeSpan PollInterval,
    IProgress<SyncProgress>? Progress = null,
    Action<RowsChangedEventArgs>? RowsChanged = null,
    Action? Established = null)
{
    /// <summary>
    /// A server's: the user the transport authenticated the client as (an ASP.NET Core endpoint's <c>HttpContext.User</c>);
    /// the greeting then says so and no proofs follow. Null where the client proves the shared secret.
    /// </summary>
    public ClaimsPrincipal? TransportUser { get; init; }

    /// <summary>A client's: the protocol version it offers (the newest it speaks, unless a server refused it: <see cref="Restarts"/>).</summary>
    public int Version { get; init; } = ProtocolSyntax.Version;

    /// <summary>When the credentials of <see cref="TransportUser"/> expire: the session ends at its next batch after that.</summary>
    public DateTimeOffset? TransportUserExpires { get; init; }

    /// <summary>A client's: whether it presented credentials to the transport (an access token), so that a server may say they authenticated it.</summary>
    public bool PresentsTransportCredentials { get; init; }

    /// <summary>A TCP server's: the claims of a peer that proved the shared secret, by its node id.</summary>
    public Func<Guid, IEnumerable<Claim>>? ClaimsForPeer { get; init; }

    /// <summary>How the peers are connected, for telemetry: <c>tcp</c>, <c>tls</c>, <c>websocket</c> or <c>in-process</c> (<see cref="LiblimTelemetry.TransportTag"/>).</summary>
    public string Transport { get; init; } = "tcp";

    /// <summary>A server's: which rows each peer receives; null or empty for every row.</summary>
    public LiblimScopes? Scopes { get; init; }

    /// <summary>
    /// Whether anything listens to <see cref="RowsChanged"/> now (an event with handlers); null: whenever it is set. The
    /// rows a commit changed are kept for it only while something does.
    /// </summary>
    public Func<bool>? RowsWatched { get; init; }

    /// <summary>Whether the rows a commit changes are reported one by one to something listening.</summary>
    public bool WatchesRows => RowsChanged is not null && (RowsWatched?.Invoke() ?? true);

    /// <summary>The wall clock that <see cref="TransportUserExpires"/> is read against.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
