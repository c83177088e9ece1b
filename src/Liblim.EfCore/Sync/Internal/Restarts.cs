namespace Liblim.EfCore.Sync.Internal;

/// <summary>
/// A one-shot sync that ends with <c>restarted</c> (one side has just taken a new node id) is run again at once, under
/// the new id: first this side may rotate, then the peer, so three sessions settle any case.
/// </summary>
internal static class Restarts
{
    public const int MaxSessions = 3;

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
