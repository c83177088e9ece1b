using Liblim.EfCore.Protocol;
namespace Liblim.EfCore.Sync.Internal;

/// <summary>
/// A one-shot sync that ends with <c>restarted</c> (one side has just taken a new node id, or asks the other to rejoin
/// after deleted rows were collected) is run again at once: first this side may rotate, then the peer, then each may
/// ask the other for its whole feed, so five sessions settle any case. One whose greeting a server refused with
/// <c>unsupported-version</c> is run again offering the next older protocol version (<see cref="Offer"/>).
/// </summary>
internal static class Restarts
{
    public const int MaxSessions = 5;

    /// <param name="session">A session offering the given protocol version.</param>
    public static async Task<T> RunAsync<T>(Func<int, Task<T>> session)
    {
        var version = ProtocolSyntax.Version;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await session(version).ConfigureAwait(false);
            }
            catch (ProtocolException e) when (e.Code == ProtocolErrorCode.Restarted && attempt < MaxSessions)
            {
                // Connect again.
            }
            catch (ProtocolException e) when (Offer(e, version) is { } older)
            {
                version = older;
            }
        }
    }

    /// <summary>
    /// The protocol version to offer next after <paramref name="e"/> ended a session that offered <paramref name="version"/>:
    /// the next older one this side speaks, when the server refused the offered version; null for any other end.
    /// </summary>
    public static int? Offer(ProtocolException e, int version)
        => e is { Code: ProtocolErrorCode.UnsupportedVersion, FromPeer: true } && version > ProtocolSyntax.OldestVersion ? version - 1 : null;
}
