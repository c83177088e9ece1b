using System.Net.Security;

namespace Liblim.EfCore;

/// <summary>How this side connects to a peer.</summary>
public sealed record LiblimClientOptions
{
    /// <summary>The shared secret of the peer (or of its hub). Never sent over the wire.</summary>
    public required string Secret { get; init; }

    /// <summary>Protocol limits for this connection.</summary>
    public LiblimProtocolLimits Limits { get; init; } = new();

    /// <summary>How long to try to connect. Default 10 seconds.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Checks the server's TLS certificate for <c>liblims://</c> addresses. When null, the platform's default
    /// validation applies (a certificate trusted by this machine, for the host name in the address).
    /// </summary>
    public RemoteCertificateValidationCallback? CertificateValidation { get; init; }
}
