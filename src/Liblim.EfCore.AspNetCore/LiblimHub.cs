using System.Globalization;
using System.Net.WebSockets;
using System.Security.Claims;
using Liblim.EfCore.Sync.Internal;
using Liblim.EfCore.Sync.Transport;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Liblim.EfCore.AspNetCore;

/// <summary>
/// Serves a database to liblim peers from an ASP.NET Core endpoint (<c>MapLiblim</c>): each WebSocket accepted there runs the
/// protocol's session, the one TCP peers run, with short-lived contexts from the app's <c>IDbContextFactory</c>. The peer's
/// identity is the user the endpoint authenticated; several hub processes may serve one database.
/// </summary>
/// <typeparam name="TContext">The replicated context.</typeparam>
public sealed class LiblimHub<TContext>
    where TContext : DbContext
{
    private readonly ReplicaAccess _replica;
    private readonly LiblimHubOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private int _sessions;

    /// <summary>Creates the hub; <c>AddLiblimHub</c> registers it.</summary>
    public LiblimHub(IDbContextFactory<TContext> factory, IOptions<LiblimHubOptions> options, ILogger<LiblimHub<TContext>> logger, IHostApplicationLifetime lifetime)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(lifetime);
        _replica = ReplicaAccess.Over(factory);
        _options = options.Value;
        using (var context = factory.CreateDbContext())
        {
            _options.Scopes.ByTable(context.Model); // a rule that does not fit the model fails here, not in a session
        }

        _logger = logger;
        _stopping = lifetime.ApplicationStopping;
    }

    /// <summary>Raised after a peer's batch changed rows here (on a session's thread; keep handlers short).</summary>
    /// <remarks>
    /// The rows a commit changed are kept for this event only while a handler is attached: a handler attached during a
    /// transfer gets every row from the next batch on, and none is held for an event nobody handles.
    /// </remarks>
    public event EventHandler<RowsChangedEventArgs>? RowsChanged;

    /// <summary>The sessions this process serves right now.</summary>
    public int Sessions => Volatile.Read(ref _sessions);

    /// <summary>Serves one request to the endpoint: a WebSocket upgrade, then one sync session.</summary>
    internal async Task ServeAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("This is a Liblim sync endpoint: connect with a WebSocket (wss://), from SyncWithAsync or AddLiblimSync.", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        var user = context.User.Identity?.IsAuthenticated == true ? context.User : null;
        if (user is null && string.IsNullOrEmpty(_options.Secret))
        {
            // Nothing to prove who the peer is: refused before the upgrade, nothing read or written.
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            return;
        }

        if (Interlocked.Increment(ref _sessions) > _options.MaxConnections)
        {
            Interlocked.Decrement(ref _sessions);
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "5";
            return;
        }

        try
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);
            using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
            var channel = StreamChannel.OverWebSocket(socket, _options.Limits);
            await using (channel.ConfigureAwait(false))
            {
                var remote = context.Connection.RemoteIpAddress is { } ip ? $"{ip}:{context.Connection.RemotePort}" : "unknown";
                var settings = new SessionSettings(_options.Limits, remote, _logger, _options.PollInterval, RowsChanged: e => RowsChanged?.Invoke(this, e))
                {
                    RowsWatched = () => RowsChanged is not null,
                    TransportUser = user,
                    TransportUserExpires = user is null ? null : Expires(context),
                    Scopes = _options.Scopes,
                    Transport = "websocket",
                };
                await SyncSession.RunServerAsync(channel, _replica, _ => _options.Secret, settings, stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is LiblimException or IOException or OperationCanceledException or WebSocketException)
        {
            // Logged by the session, or the app or the peer is stopping.
            _logger.LogDebug(LiblimLogEvents.ServedSessionEnded, e, "Session over {Path} ended.", context.Request.Path);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The session has logged what it knew and told the peer; the request ends here rather than in Kestrel's handler.
            _logger.LogWarning(LiblimLogEvents.ServedSessionFailed, e, "Session over {Path} with {Remote} failed.", context.Request.Path, context.Connection.RemoteIpAddress);
        }
        finally
        {
            Interlocked.Decrement(ref _sessions);
        }
    }

    /// <summary>When the credentials the endpoint authenticated the peer with expire: the authentication's, else the token's <c>exp</c> claim.</summary>
    private static DateTimeOffset? Expires(HttpContext context)
    {
        if (context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult?.Properties?.ExpiresUtc is { } expires)
        {
            return expires;
        }

        return context.User.FindFirst("exp")?.Value is { } exp && long.TryParse(exp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : null;
    }
}
