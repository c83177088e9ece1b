using Liblim.EfCore.Protocol;

namespace Liblim.EfCore.Sync.Transport;

/// <summary>What every channel offers on top of <see cref="IMessageChannel"/>.</summary>
internal static class MessageChannelExtensions
{
    public static Task SendAsync(this IMessageChannel channel, ProtocolMessage message, CancellationToken ct)
        => channel.SendAsync([message], ct);

    /// <summary>Tells the peer why this side gives up, as far as the connection still allows; never throws.</summary>
    public static async Task TrySendErrorAsync(this IMessageChannel channel, ProtocolErrorCode code, string text)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await channel.SendAsync(new ErrorMessage(code, text), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException or ProtocolException)
        {
            // The peer is gone or not reading; it will see the connection close.
        }
    }
}
