namespace Liblim.EfCore.Sync.Internal;

/// <summary>
/// A one-shot sync that ends with <c>restarted</c> (one side has just taken a new node id, or asks the other to rejoin
/// after deleted rows were collected) is run again at once: first this side may rotate, then the peer, then each may
/// ask the other for its whole feed, so five sessions settle any case.
/// </summary>
internal static class Restarts
{
    public const int MaxSessions = 5;

    public static async Task<T> RunAsync<T>(Func<Task<T>> session)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await session().ConfigureAwait(false);
            }
            catch (ProtocolException e) when (e.Code == ProtocolErrorCode.Restarted && attempt < MaxSessions)
            {
                // Connect again.
            }
        }
    }
}
