using Liblim.EfCore.Protocol;
using Liblim.EfCore.Sync.Internal;
using Liblim.EfCore.Sync.Transport;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Liblim.EfCore;

/// <summary>
/// The hosted sync service that <c>AddLiblimSync</c> registers. It serves the database when
/// <see cref="LiblimSyncOptions.Listen"/> is set, and keeps a live session open with each configured peer:
/// it syncs on connect, then pushes each local change as soon as it is saved and applies the peer's as they
/// arrive. A peer that is down is retried with growing delays; no failure of a peer stops the app.
/// </summary>
/// <typeparam name="TContext">The replicated context.</typeparam>
public sealed class LiblimSyncService<TContext> : IHostedService, IAsyncDisposable
    where TContext : DbContext
{
    private readonly IDbContextFactory<TContext> _factory;
    private readonly LiblimSyncOptions _options;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger _logger;
    private readonly Dictionary<Uri, bool> _connected = [];
    private CancellationTokenSource? _stopping;
    private List<Task> _peerLoops = [];

    /// <summary>Creates the service; <c>AddLiblimSync</c> does this.</summary>
    public LiblimSyncService(IDbContextFactory<TContext> factory, LiblimSyncOptions options, ILoggerFactory loggerFactory)
    {
        _factory = factory;
        _options = options;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<LiblimSyncService<TContext>>();
    }

    /// <summary>Raised after a peer's changes changed rows here (on a sync thread; keep handlers short).</summary>
    /// <remarks>
    /// The rows a commit changed are kept for this event only while a handler is attached: a handler attached during a
    /// transfer gets every row from the next batch on, and none is held for an event nobody handles.
    /// </remarks>
    public event EventHandler<RowsChangedEventArgs>? RowsChanged;

    /// <summary>The server accepting peers, once started; null when not listening.</summary>
    public LiblimServer? Server { get; private set; }

    /// <summary>The peers the service keeps a live session with.</summary>
    public IReadOnlyList<Uri> Peers => [.. _options.Peers];

    /// <summary>Whether a live session with the peer is open right now.</summary>
    public bool IsConnected(Uri peer)
    {
        lock (_connected)
        {
            return _connected.GetValueOrDefault(peer);
        }
    }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var stopping = new CancellationTokenSource();
        _stopping = stopping;
        if (_options.Listen is not null)
        {
            Server = await LiblimServer.StartAsync(_factory, _options.ServerOptions(), _loggerFactory, cancellationToken).ConfigureAwait(false);
            Server.AlsoReport = (e => RowsChanged?.Invoke(this, e), () => RowsChanged is not null);
        }

        _peerLoops = [.. _options.Peers.Select(peer => Task.Run(() => KeepInSyncAsync(peer, stopping.Token), CancellationToken.None)),
            Task.Run(() => PublishStatusAsync(stopping.Token), CancellationToken.None)];
    }

    /// <summary>Reads the database's status for the gauges every <see cref="LiblimSyncOptions.StatusInterval"/>, until the service stops.</summary>
    private async Task PublishStatusAsync(CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    var db = await _factory.CreateDbContextAsync(ct).ConfigureAwait(false);
                    await using (db.ConfigureAwait(false))
                    {
                        StatusGauges.Publish(this, await db.Liblim().GetStatusAsync(ct).ConfigureAwait(false));
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
                {
                    _logger.LogDebug(LiblimLogEvents.StatusNotRead, e, "Could not read the database's status for the gauges.");
                }

                await Task.Delay(_options.StatusInterval, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            StatusGauges.Withdraw(this);
        }
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var stopping = Interlocked.Exchange(ref _stopping, null);
        if (stopping is null)
        {
            return;
        }

        try
        {
            await stopping.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(_peerLoops).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (Server is not null)
            {
                await Server.DisposeAsync().ConfigureAwait(false);
            }
        }
        finally
        {
            stopping.Dispose();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync(CancellationToken.None).ConfigureAwait(false);

    /// <summary>How often a peer that keeps failing is logged as a Warning; its other failures are logged at Debug.</summary>
    private static readonly TimeSpan WarningInterval = TimeSpan.FromMinutes(10);

    private async Task KeepInSyncAsync(Uri peer, CancellationToken ct)
    {
        var delay = _options.ReconnectDelay;
        var replica = ReplicaAccess.Over(_factory);
        var restarts = 0;
        var version = ProtocolSyntax.Version; // offered to the peer: the newest, until a server of an older version refuses it
        var failures = 0; // in a row: an offline device fails for hours, and says so once, then once every WarningInterval
        DateTime? warned = null;
        var connected = false;
        void Connected()
        {
            SetConnected(peer, true);
            connected = true;
            if (failures == 0)
            {
                _logger.LogInformation(LiblimLogEvents.LiveConnected, "Live sync with {Peer} connected.", peer);
            }
            else
            {
                _logger.LogInformation(LiblimLogEvents.LiveConnected, "Live sync with {Peer} connected, after {Attempts} failed attempts.", peer, failures);
            }

            (failures, warned) = (0, null);
        }

        while (!ct.IsCancellationRequested)
        {
            var started = DateTime.UtcNow;
            try
            {
                var token = LiblimPeerAddress.IsWebSocket(peer) && _options.AccessTokenProvider is { } provider
                    ? await provider(ct).ConfigureAwait(false)
                    : null;
                var connection = await PeerConnector.ConnectAsync(peer, _options.ClientOptions(token), ct).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    // Connected once both sides have proven the secret, not when the socket opens.
                    var settings = new SessionSettings(_options.Limits, peer.ToString(), _logger, _options.PollInterval,
                        RowsChanged: e => RowsChanged?.Invoke(this, e), Established: Connected)
                    {
                        RowsWatched = () => RowsChanged is not null,
                        PresentsTransportCredentials = !string.IsNullOrEmpty(token),
                        Transport = LiblimTelemetry.TransportOf(peer),
                        Version = version,
                    };
                    await SyncSession.RunClientAsync(connection, replica, _options.Secret, live: true, settings, ct).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (ProtocolException e) when (Restarts.Offer(e, version) is { } older)
            {
                version = older; // a server of an older version: connect again at once, offering the next older one
                continue;
            }
            catch (ProtocolException e) when (e.Code is ProtocolErrorCode.Restarted or ProtocolErrorCode.AuthenticationExpired && ++restarts < Restarts.MaxSessions)
            {
                // One side has a new node id, or the access token expired (logged by the session): connect again at once,
                // under the new id or with a fresh token.
                continue;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failures++;
                if (warned is null)
                {
                    _logger.LogWarning(LiblimLogEvents.LiveFailed, "Live sync with {Peer} failed: {Message} Trying again in {Delay} s; until it works, further failures are logged at Debug, and as a Warning every {Interval} minutes.",
                        peer, e.Message, delay.TotalSeconds, WarningInterval.TotalMinutes);
                    warned = DateTime.UtcNow;
                }
                else if (DateTime.UtcNow - warned >= WarningInterval)
                {
                    _logger.LogWarning(LiblimLogEvents.LiveStillFailing, "Live sync with {Peer} still failing, after {Attempts} attempts: {Message}", peer, failures, e.Message);
                    warned = DateTime.UtcNow;
                }
                else
                {
                    _logger.LogDebug(LiblimLogEvents.LiveFailedAgain, "Live sync with {Peer} failed again ({Attempts} attempts): {Message} Trying again in {Delay} s.", peer, failures, e.Message, delay.TotalSeconds);
                }
            }
            finally
            {
                SetConnected(peer, false);
                if (connected && !ct.IsCancellationRequested)
                {
                    _logger.LogInformation(LiblimLogEvents.LiveDisconnected, "Live sync with {Peer} disconnected.", peer);
                }

                connected = false;
            }

            restarts = 0;

            // A session that ran a while was healthy: start over with a short delay.
            if (DateTime.UtcNow - started > _options.MaxReconnectDelay)
            {
                delay = _options.ReconnectDelay;
            }

            try
            {
                await Task.Delay(delay * (0.8 + (Random.Shared.NextDouble() * 0.4)), ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = delay * 2 < _options.MaxReconnectDelay ? delay * 2 : _options.MaxReconnectDelay;
        }
    }

    private void SetConnected(Uri peer, bool connected)
    {
        lock (_connected)
        {
            _connected[peer] = connected;
        }
    }
}
