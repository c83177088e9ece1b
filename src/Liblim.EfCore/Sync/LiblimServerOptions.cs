using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace Liblim.EfCore;

/// <summary>How a <see cref="LiblimServer"/> serves its database to peers.</summary>
public sealed record LiblimServerOptions
{
    /// <summary>The address and port to listen on. Port 0 picks a free port; see <see cref="LiblimServer.Endpoint"/>.</summary>
    public IPEndPoint Endpoint { get; init; } = new(IPAddress.Loopback, LiblimPeerAddress.DefaultPort);

    /// <summary>The secret every peer shares with this server, unless <see cref="SecretForPeer"/> gives one.</summary>
    public string? Secret { get; init; }

    /// <summary>
    /// A secret per peer node id; return null to refuse that peer. When set, <see cref="Secret"/> is not used.
    /// </summary>
    public Func<Guid, string?>? SecretForPeer { get; init; }

    /// <summary>
    /// The claims of a peer that has proven the shared secret, by its node id: its session's <see cref="LiblimPeer.User"/>
    /// holds them beside <see cref="LiblimClaimTypes.NodeId"/>. None when null.
    /// </summary>
    public Func<Guid, IEnumerable<System.Security.Claims.Claim>>? ClaimsForPeer { get; init; }

    /// <summary>
    /// Which rows each peer receives and may write, by rules over the peer's claims (<see cref="ClaimsForPeer"/>); with no
    /// rule, every peer reads and writes every row. Rules need <see cref="SecretForPeer"/>: a node id is who a peer is only
    /// if its secret is its own.
    /// </summary>
    public LiblimScopes Scopes { get; init; } = new();

    /// <summary>A certificate to serve TLS with (the peers connect with <c>liblims://</c>); null for plain TCP.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>The most peers served at once; more are told <c>busy</c> and disconnected. Default 64.</summary>
    public int MaxConnections { get; init; } = 64;

    /// <summary>Protocol limits for every connection.</summary>
    public LiblimProtocolLimits Limits { get; init; } = new();

    /// <summary>
    /// How often a live session looks for changes that no signal announced (those written by another process
    /// on the same database). Default 1 second.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    internal string? FindSecret(Guid peer) => SecretForPeer is { } perPeer ? perPeer(peer) : Secret;

    internal void Validate()
    {
        ArgumentNullException.ThrowIfNull(Endpoint);
        if (string.IsNullOrEmpty(Secret) && SecretForPeer is null)
        {
            throw new ArgumentException("A Liblim server needs a Secret (or SecretForPeer): peers prove they know it before any data is exchanged.");
        }

        if (!Scopes.IsEmpty && SecretForPeer is null)
        {
            // One secret for all: a peer that knows it may present another's node id, and read with that node's claims.
            throw new ArgumentException("A Liblim server with scope rules needs a secret per peer (SecretForPeer): with one shared Secret, any peer could present another peer's node id and be served that peer's rows.");
        }

        if (MaxConnections < 1 || PollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("MaxConnections and PollInterval must be positive.");
        }

        Limits.Validate();
    }
}
