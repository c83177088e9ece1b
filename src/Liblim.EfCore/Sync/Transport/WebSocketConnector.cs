using System.Net;
using System.Net.WebSockets;

namespace Liblim.EfCore.Sync.Transport;

/// <summary>
/// Opens a WebSocket to a hub's endpoint (<c>wss://host/path</c>), with the access token as a bearer token of the upgrade
/// request, and carries the session over it: binary messages whose bytes, in order, are the session's lines, as over TCP
/// (docs/protocol.md, section 11).
/// </summary>
internal static class WebSocketConnector
{
    public static async Task<StreamChannel> ConnectAsync(Uri address, LiblimClientOptions options, CancellationToken ct)
    {
        var uri = LiblimPeerAddress.WebSocketUri(address);
        var socket = new ClientWebSocket();
        try
        {
            socket.Options.CollectHttpResponseDetails = true;
            socket.Options.KeepAliveInterval = options.Limits.IdleTimeout / 3;
            if (!string.IsNullOrEmpty(options.AccessToken))
            {
                socket.Options.SetRequestHeader("Authorization", "Bearer " + options.AccessToken);
            }

            if (options.CertificateValidation is { } validate)
            {
                socket.Options.RemoteCertificateValidationCallback = validate;
            }

            using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                timeout.CancelAfter(options.ConnectTimeout);
                try
                {
                    await socket.ConnectAsync(uri, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new ProtocolException(ProtocolErrorCode.Timeout, $"Could not connect to {address} within {options.ConnectTimeout.TotalSeconds:0.#} s.");
                }
                catch (WebSocketException e)
                {
                    throw Refused(address, socket.HttpStatusCode, e);
                }
            }

            return StreamChannel.OverWebSocket(socket, options.Limits);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>What the hub's answer to the upgrade request means for this side.</summary>
    private static ProtocolException Refused(Uri address, HttpStatusCode status, WebSocketException e) => status switch
    {
        HttpStatusCode.Unauthorized => new(ProtocolErrorCode.AuthenticationFailed, $"{address} did not accept this side's credentials (HTTP 401): the access token is missing, invalid or expired.", innerException: e),
        HttpStatusCode.Forbidden => new(ProtocolErrorCode.AuthenticationFailed, $"{address} does not allow this side to sync (HTTP 403).", innerException: e),
        0 => new(ProtocolErrorCode.Closed, $"Could not connect to {address}: {e.Message}", innerException: e),
        _ => new(ProtocolErrorCode.Closed, $"{address} answered the WebSocket upgrade with HTTP {(int)status} ({status}); is it a Liblim endpoint (MapLiblim)?", innerException: e),
    };
}
