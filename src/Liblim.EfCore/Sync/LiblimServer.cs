using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Net.Sockets;
using Liblim.EfCore.Sync.Internal;
using Liblim.EfCore.Sync.Transport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Liblim.EfCore;

/// <summary>
/// Serves a database to liblim peers over TCP (or TLS): each connection is authenticated, then synced, one
/// short-lived context per operation. Several servers, in one process or many, may serve one database.
/// Dispose it to stop listening and close every session.
/// </summary>
public sealed class LiblimServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly ReplicaAccess _replica;
    private readonly LiblimServerOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _slots;
    private readonly Guid _startNodeId;
    private readonly HashSet<Task> _sessions = [];
    private Task? _accepting;

    private LiblimServer(TcpListener listener, ReplicaAccess replica, Guid nodeId, LiblimServerOptions options, ILogger logger)
    {
        _listener = listener;
        _replica = replica;
        _options = options;
        _logger = logger;
        _startNodeId = nodeId;
        _slots = new SemaphoreSlim(options.MaxConnections, options.MaxConnections);
    }

    /// <summary>Raised after a peer's batch changed rows here (on a session's thread; keep handlers short).</summary>
    /// <remarks>
    /// The rows a commit changed are kept for this event only while a handler is attached: a handler attached during a
    /// transfer gets every row from the next batch on, and none is held for an event nobody handles.
    /// </remarks>
    public event EventHandler<RowsChangedEventArgs>? RowsChanged;

    /// <summary>
    /// Where else the changed rows are reported (a hosted service's own event), with whether anything listens there; the
    /// sessions keep the rows they change for a report only while something listens.
    /// </summary>
    internal (Action<RowsChangedEventArgs> Report, Func<bool> Watched)? AlsoReport { get; set; }

    private void ReportRowsChanged(RowsChangedEventArgs e)
    {
        RowsChanged?.Invoke(this, e);
        AlsoReport?.Report(e);
    }

    /// <summary>The address the server listens on, with the actual port when port 0 was asked for.</summary>
    public IPEndPoint Endpoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>The served database's node id (a new one once a session has found the database restored or copied).</summary>
    public Guid NodeId => _replica.KnownNodeId ?? _startNodeId;

    /// <summary>Starts listening; returns once the server accepts connections.</summary>
    /// <param name="contextFactory">Makes contexts on the database to serve; they must use Liblim.</param>
    /// <param name="options">Endpoint, secret, limits.</param>
    /// <param name="loggerFactory">Where the server logs; none when null.</param>
    /// <param name="cancellationToken">Cancels starting.</param>
    public static async Task<LiblimServer> StartAsync<TContext>(
        IDbContextFactory<TContext> contextFactory,
        LiblimServerOptions options,
        ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(contextFactory);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var replica = ReplicaAccess.Over(contextFactory);
        var nodeId = await replica.GetNodeIdAsync(cancellationToken).ConfigureAwait(false);
        await replica.CheckScopesAsync(options.Scopes, cancellationToken).ConfigureAwait(false);
        var listener = new TcpListener(options.Endpoint);
        listener.Start();
        var server = new LiblimServer(listener, replica, nodeId, options, (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<LiblimServer>());
        server._accepting = server.AcceptAsync();
        server._logger.LogInformation(LiblimLogEvents.ServerListening, "Liblim server for node {Node} listening on {Endpoint}.", nodeId, server.Endpoint);
        return server;
    }

    /// <summary>
    /// Starts listening on the database that <paramref name="contextOptions"/> open; returns once the server accepts
    /// connections. Each operation makes a context of its own with them, so the context type needs a public constructor
    /// that takes its options (as <c>AddDbContextFactory</c> does).
    /// </summary>
    /// <param name="contextOptions">The options of the contexts on the database to serve; they must use Liblim.</param>
    /// <param name="options">Endpoint, secret, limits.</param>
    /// <param name="loggerFactory">Where the server logs; none when null.</param>
    /// <param name="cancellationToken">Cancels starting.</param>
    /// <exception cref="ArgumentException">The context type has no constructor that takes its options.</exception>
    public static Task<LiblimServer> StartAsync<TContext>(
        DbContextOptions<TContext> contextOptions,
        LiblimServerOptions options,
        ILoggerFactory? loggerFactory = null,
        CancellationToken cancellationToken = default)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(contextOptions);
        return StartAsync(new OptionsContextFactory<TContext>(contextOptions), options, loggerFactory, cancellationToken);
    }

    /// <summary>Stops listening, ends every session and waits for them.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        if (_accepting is not null)
        {
            await _accepting.ConfigureAwait(false);
        }

        Task[] sessions;
        lock (_sessions)
        {
            sessions = [.. _sessions];
        }

        await Task.WhenAll(sessions).ConfigureAwait(false);
        _listener.Dispose();
        _stopping.Dispose();
        _slots.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException && _stopping.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException e)
            {
                _logger.LogWarning(LiblimLogEvents.AcceptFailed, e, "Accepting a connection failed.");
                continue;
            }

            var session = ServeAsync(client);
            lock (_sessions)
            {
                _sessions.Add(session);
            }

            _ = session.ContinueWith(t => { lock (_sessions) { _sessions.Remove(t); } }, TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        await Task.Yield();
        var remote = client.Client.RemoteEndPoint?.ToString() ?? "unknown";
        var hasSlot = _slots.Wait(0);
        try
        {
            client.NoDelay = true;
            var connection = new StreamChannel(await OpenStreamAsync(client).ConfigureAwait(false), _options.Limits);
            await using (connection.ConfigureAwait(false))
            {
                if (!hasSlot)
                {
                    _logger.LogWarning(LiblimLogEvents.ServerBusy, "Refused {Remote}: already serving {Max} peers.", remote, _options.MaxConnections);
                    await connection.TrySendErrorAsync(ProtocolErrorCode.Busy, $"The server is serving its maximum of {_options.MaxConnections} peers; try again later.").ConfigureAwait(false);
                    return;
                }

                var settings = new SessionSettings(_options.Limits, remote, _logger, _options.PollInterval, RowsChanged: ReportRowsChanged)
                {
                    RowsWatched = () => RowsChanged is not null || AlsoReport?.Watched() == true,
                    ClaimsForPeer = _options.ClaimsForPeer,
                    Scopes = _options.Scopes,
                    Transport = _options.Certificate is null ? "tcp" : "tls",
                };
                await SyncSession.RunServerAsync(connection, _replica, _options.FindSecret, settings, _stopping.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is LiblimException or IOException or OperationCanceledException or AuthenticationException or SocketException)
        {
            // Logged by the session, or the server is stopping, or the peer left during the TLS handshake.
            _logger.LogDebug(LiblimLogEvents.ServedSessionEnded, e, "Session with {Remote} ended.", remote);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _logger.LogError(LiblimLogEvents.ServedSessionFailed, e, "Session with {Remote} failed.", remote);
        }
        finally
        {
            if (hasSlot)
            {
                _slots.Release();
            }

            client.Dispose();
        }
    }

    private async Task<Stream> OpenStreamAsync(TcpClient client)
    {
        var stream = client.GetStream();
        if (_options.Certificate is null)
        {
            return stream;
        }

        var tls = new SslStream(stream, leaveInnerStreamOpen: false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        timeout.CancelAfter(_options.Limits.HandshakeTimeout);
        await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _options.Certificate }, timeout.Token).ConfigureAwait(false);
        return tls;
    }
}
