using System.Net.Security;

namespace Liblim.EfCore;

/// <summary>How this side connects to a peer.</summary>
public sealed record LiblimClientOptions
{
    /// <summary>
    /// The shared secret of the peer (or of its hub), which both sides prove they know; never sent over the wire. Needed for
    /// <c>liblim://</c> and <c>liblims://</c> peers; a WebSocket hub that authenticates the connection by
    /// <see cref="AccessToken"/> does not ask for it.
    /// </summary>
    public string? Secret { get; init; }

    /// <summary>
    /// A bearer token for a WebSocket hub (<c>wss://</c>, <c>ws://</c>, <c>https://</c>, <c>http://</c>), sent in the upgrade
    /// request's <c>Authorization</c> header for the hub's own authentication (JWT bearer, say) to check.
    /// </summary>
    public string? AccessToken { get; init; }

    /// <summary>Protocol limits for this connection.</summary>
    public LiblimProtocolLimits Limits { get; init; } = new();

    /// <summary>How long to try to connect. Default 10 seconds.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Checks the server's TLS certificate for <c>liblims://</c> and <c>wss://</c> addresses. When null, the platform's default
    /// validation applies (a certificate trusted by this machine, for the host name in the address).
    /// </summary>
    public RemoteCertificateValidationCallback? CertificateValidation { get; init; }

    internal void Validate(Uri peer)
    {
        Limits.Validate();
        if (string.IsNullOrEmpty(Secret) && (string.IsNullOrEmpty(AccessToken) || !LiblimPeerAddress.IsWebSocket(peer)))
        {
            throw new ArgumentException(LiblimPeerAddress.IsWebSocket(peer)
                ? $"Syncing with {peer} needs an AccessToken (or a Secret, if the hub asks for one)."
                : $"Syncing with {peer} needs the Secret it shares with this side.");
        }
    }
}
