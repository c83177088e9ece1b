namespace Liblim.EfCore;

/// <summary>
/// A peer's address: <c>liblim://host[:port]</c> for plain TCP, <c>liblims://host[:port]</c> for TLS (default port 4242);
/// or a WebSocket hub's endpoint, <c>wss://host/path</c> (<c>ws://</c> without TLS; <c>https://</c> and <c>http://</c> name
/// the same endpoints).
/// </summary>
public static class LiblimPeerAddress
{
    /// <summary>The port used when an address names none.</summary>
    public const int DefaultPort = 4242;

    /// <summary>Whether the address names a WebSocket hub rather than a TCP peer.</summary>
    internal static bool IsWebSocket(Uri address) => address.IsAbsoluteUri && address.Scheme is "ws" or "wss" or "http" or "https";

    /// <summary>A TCP peer's host and port, and whether it speaks TLS.</summary>
    internal static (string Host, int Port, bool Tls) Parse(Uri address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (IsWebSocket(address) && !string.IsNullOrEmpty(address.Host))
        {
            return (address.Host, address.Port, address.Scheme is "wss" or "https");
        }

        if (!address.IsAbsoluteUri || address.Scheme is not ("liblim" or "liblims") || string.IsNullOrEmpty(address.Host))
        {
            throw new ArgumentException($"'{address}' is not a liblim peer address; write liblim://host:port (or liblims://host:port for TLS), or a hub's wss://host/path.", nameof(address));
        }

        return (address.Host, address.IsDefaultPort || address.Port < 0 ? DefaultPort : address.Port, address.Scheme == "liblims");
    }

    /// <summary>The <c>ws://</c> or <c>wss://</c> form of a WebSocket hub's address.</summary>
    internal static Uri WebSocketUri(Uri address)
        => address.Scheme is "http" or "https"
            ? new UriBuilder(address) { Scheme = address.Scheme == "https" ? "wss" : "ws", Port = address.IsDefaultPort ? -1 : address.Port }.Uri
            : address;
}
