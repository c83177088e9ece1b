using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Liblim.EfCore;

/// <summary>What <c>AddLiblimSync</c> does: serve the database to peers, and keep in sync with known peers.</summary>
public sealed class LiblimSyncOptions
{
    /// <summary>The name of a context's sync options, among the app's named options: the context type's full name.</summary>
    public static string NameFor<TContext>() => typeof(TContext).FullName!;

    /// <summary>Where to accept peers; null to accept none (a device that only connects out).</summary>
    public IPEndPoint? Listen { get; set; }

    /// <summary>Peers to stay in sync with (<c>liblim://host:port</c>, <c>liblims://host:port</c>, or a hub's <c>wss://host/path</c>).</summary>
    public IList<Uri> Peers { get; } = [];

    /// <summary>The shared secret, for both accepting and connecting.</summary>
    public string? Secret { get; set; }

    /// <summary>
    /// Gives the access token to present to WebSocket hubs (<c>wss://</c>): called before each connection, so that a
    /// session that ended because its token expired goes on with a fresh one.
    /// </summary>
    public Func<CancellationToken, ValueTask<string?>>? AccessTokenProvider { get; set; }

    /// <summary>A secret per accepted peer node id (null refuses the peer); when set, <see cref="Secret"/> is used only to connect out.</summary>
    public Func<Guid, string?>? SecretForPeer { get; set; }

    /// <summary>The claims of an accepted peer that proved the shared secret, by its node id (see <see cref="LiblimServerOptions.ClaimsForPeer"/>).</summary>
    public Func<Guid, IEnumerable<System.Security.Claims.Claim>>? ClaimsForPeer { get; set; }

    /// <summary>A certificate to accept peers over TLS with; null for plain TCP.</summary>
    public X509Certificate2? Certificate { get; set; }

    /// <summary>Checks the certificates of <c>liblims://</c> peers; null for the platform's default validation.</summary>
    public RemoteCertificateValidationCallback? CertificateValidation { get; set; }

    /// <summary>The most peers accepted at once. Default 64.</summary>
    public int MaxConnections { get; set; } = 64;

    /// <summary>Protocol limits for every connection.</summary>
    public LiblimProtocolLimits Limits { get; set; } = new();

    /// <summary>How often a live session looks for changes made by other processes on the same database. Default 1 second.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The first wait before reconnecting to a peer that is down; it doubles up to <see cref="MaxReconnectDelay"/>. Default 1 second.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often the service reads the database's status for the gauges <c>liblim.rows.pending</c> and
    /// <c>liblim.rows.held_back</c> (<see cref="LiblimTelemetry"/>). Default 30 seconds.
    /// </summary>
    public TimeSpan StatusInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest wait between reconnection attempts. Default 1 minute.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromMinutes(1);

    internal LiblimServerOptions ServerOptions() => new()
    {
        Endpoint = Listen!,
        Secret = Secret,
        SecretForPeer = SecretForPeer,
        ClaimsForPeer = ClaimsForPeer,
        Certificate = Certificate,
        MaxConnections = MaxConnections,
        Limits = Limits,
        PollInterval = PollInterval,
    };

    internal LiblimClientOptions ClientOptions(string? accessToken) => new()
    {
        Secret = Secret,
        AccessToken = accessToken,
        Limits = Limits,
        CertificateValidation = CertificateValidation,
    };

    /// <summary>Checks the options; throws with a message that names the setting to fix.</summary>
    /// <exception cref="ArgumentException">A setting is missing or out of range.</exception>
    internal void Validate()
    {
        foreach (var peer in Peers)
        {
            LiblimPeerAddress.Parse(peer);
            if (string.IsNullOrEmpty(Secret) && (AccessTokenProvider is null || !LiblimPeerAddress.IsWebSocket(peer)))
            {
                throw new ArgumentException(LiblimPeerAddress.IsWebSocket(peer)
                    ? $"AddLiblimSync: set AccessTokenProvider (or Secret) to connect to {peer}."
                    : $"AddLiblimSync: set Secret to connect to {peer}.");
            }
        }

        if (Listen is not null)
        {
            ServerOptions().Validate();
        }

        if (ReconnectDelay <= TimeSpan.Zero || MaxReconnectDelay < ReconnectDelay)
        {
            throw new ArgumentException("AddLiblimSync: ReconnectDelay must be positive and at most MaxReconnectDelay.");
        }

        if (StatusInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("AddLiblimSync: StatusInterval must be positive.");
        }

        Limits.Validate();
    }
}
