using System.Net.WebSockets;
using Liblim.EfCore.Protocol;

namespace Liblim.EfCore.Sync.Transport;

/// <summary>What every channel offers on top of <see cref="IMessageChannel"/>.</summary>
internal static class MessageChannelExtensions
{
    public static Task SendAsync(this IMessageChannel channel, ProtocolMessage message, CancellationToken ct)
        => channel.SendAsync([message], ct);

    /// <summary>Tells the peer why this side gives up, as far as the connection still allows; never throws.</summary>
    public static Task TrySendErrorAsync(this IMessageChannel channel, ProtocolErrorCode code, string text)
        => channel.TrySendLastAsync(new ErrorMessage(code, text));

    /// <summary>
    /// Sends a session's last line (an error or a goodbye) if the connection still takes it, within two seconds; never
    /// throws, because the connection closing says the same to the peer.
    /// </summary>
    public static async Task TrySendLastAsync(this IMessageChannel channel, ProtocolMessage message)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await channel.SendAsync(message, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (IsConnectionGone(e))
        {
            // The peer is gone or not reading; it will see the connection close.
        }
    }

    /// <summary>
    /// Whether an exception from a channel's stream only says the connection can no longer be used: broken, closed,
    /// aborted (a WebSocket whose request ended says so with <see cref="NotSupportedException"/>), or given up on.
    /// </summary>
    public static bool IsConnectionGone(Exception e)
        => e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException
            or NotSupportedException or WebSocketException or ProtocolException;
}
