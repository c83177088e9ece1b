namespace Liblim.EfCore;

/// <summary>
/// A peer's address: <c>liblim://host[:port]</c> for plain TCP, <c>liblims://host[:port]</c> for TLS. The
/// default port is 4242.
/// </summary>
public static class LiblimPeerAddress
{
    /// <summary>The port used when an address names none.</summary>
    public const int DefaultPort = 4242;

    internal static (string Host, int Port, bool Tls) Parse(Uri address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!address.IsAbsoluteUri || address.Scheme is not ("liblim" or "liblims") || string.IsNullOrEmpty(address.Host))
        {
            throw new ArgumentException($"'{address}' is not a liblim peer address; write liblim://host:port (or liblims://host:port for TLS).", nameof(address));
        }

        return (address.Host, address.IsDefaultPort || address.Port < 0 ? DefaultPort : address.Port, address.Scheme == "liblims");
    }
}
