using System.Diagnostics;
using System.Security.Claims;
using Liblim.EfCore.Crdt;
using Liblim.EfCore.Merge.Internal;
using Liblim.EfCore.Protocol;
using Liblim.EfCore.Scopes.Internal;
using Liblim.EfCore.Storage.Internal;
using Liblim.EfCore.Sync.Transport;
using Microsoft.Extensions.Logging;

namespace Liblim.EfCore.Sync.Internal;

/// <summary>
/// One sync session over an open connection, for either role; docs/protocol.md is its specification. The
/// greeting authenticates both sides before the database is touched; then each side says how far it has
/// got into the other's change feed (IHAZ) and sends what the other lacks (UCANHAZ batches, each applied
/// atomically with its feed position, so a cut-off session resumes after the last applied batch).
/// A one-shot session is half duplex: the client sends, then the server, then both say KTHXBAI. A live
/// session streams both ways until one side says KTHXBAI or the connection closes. Nothing of the local feed leaves
/// before the peer's fence covers it, and a peer that knows more of this feed than the fence allows makes this database
/// take a new node id (<see cref="CheckContinuesAsync"/>).
/// </summary>
internal sealed class SyncSession
{
    private const string ClientRole = "client";
    private const string ServerRole = "server";

    private readonly IMessageChannel _connection;
    private readonly ReplicaAccess _replica;
    private readonly SessionSettings _settings;
    private readonly List<ChangedRow> _changed = [];
    private readonly List<HeldBackRow> _heldBack = [];
    private int _changedCount;
    private int _heldBackCount;
    private Guid _localNode;
    private Guid _peerNode;
    private long _rowsSent;
    private long _rowsReceived;
    private long _rowsApplied;
    private long _drew; // the greatest feed position the peer's batches took here
    private int _conflicts;
    private int _version = ProtocolSyntax.Version; // the session's protocol version, once the greeting has settled it
    private long _toSend;
    private long _receivedThrough = -1;
    private long _fence;
    private long? _readHead;
    private LiblimPeer? _peer;
    private int _toldPeerWhy;
    private KnownToPeer? _knownToPeer;
    private PeerBaseline? _baseline;
    private PeerScope? _scope;
    private bool _serving;
    private bool _rejoining;
    private (long Position, DateTimeOffset At)? _acked; // how far the peer said it had applied this feed, and when: for the session's record
    private long _sendAllThrough; // up to here, rows taken whole from the peer go to it too: it asked for everything again
    private TagList _tags;
    private Activity? _activity;
    private readonly System.Collections.Concurrent.ConcurrentQueue<ProtocolMessage> _answers = new(); // NOMOAR and NOPE for the peer's refused writes
    private readonly List<RefusedWrite> _refused = [];

    private SyncSession(IMessageChannel connection, ReplicaAccess replica, SessionSettings settings)
    {
        _connection = connection;
        _replica = replica;
        _settings = settings;
    }

    private LiblimProtocolLimits Limits => _settings.Limits;

    private string Peer => _peerNode == Guid.Empty ? _settings.Remote : $"{_peerNode} at {_settings.Remote}";

    /// <summary>Runs the client side: one-shot (returns when both sides are in sync) or live (returns when closed).</summary>
    public static Task<SyncResult> RunClientAsync(IMessageChannel connection, ReplicaAccess replica, string? secret, bool live, SessionSettings settings, CancellationToken ct)
    {
        if (live && !replica.IsConcurrent)
        {
            throw new InvalidOperationException("A live session needs a context factory: it reads and applies at the same time.");
        }

        var session = new SyncSession(connection, replica, settings);
        return session.RunAsync(async () =>
        {
            session._localNode = await replica.GetNodeIdAsync(ct).ConfigureAwait(false);
            session._activity?.SetTag(LiblimTelemetry.LiveTag, live);
            await session.GreetServerAsync(secret, live, ct).ConfigureAwait(false);
            settings.Established?.Invoke();
            var since = await session.ExchangeHaveAsync(clientFirst: true, ct).ConfigureAwait(false);
            if (live)
            {
                await session.RecordAsync(null).ConfigureAwait(false); // connected, and about to catch up
                await session.RunLiveAsync(since.From, ct).ConfigureAwait(false);
                return session.Result(0);
            }

            await session.SendFeedAsync(since.From, since.Through, ct).ConfigureAwait(false);
            await connection.SendAsync(new ByeMessage(0, 0), ct).ConfigureAwait(false);
            var bye = await session.ReceiveUntilByeAsync(ct).ConfigureAwait(false);
            await session.EndRejoinAsync(ct).ConfigureAwait(false);
            return session.Result(bye.Applied);
        });
    }

    /// <summary>Runs the server side of a session a client opened.</summary>
    public static Task<SyncResult> RunServerAsync(IMessageChannel connection, ReplicaAccess replica, Func<Guid, string?> secretFor, SessionSettings settings, CancellationToken ct)
    {
        var session = new SyncSession(connection, replica, settings) { _serving = true };
        return session.RunAsync(async () =>
        {
            session._localNode = await replica.GetNodeIdAsync(ct).ConfigureAwait(false);
            var live = await session.GreetClientAsync(secretFor, ct).ConfigureAwait(false);
            session._activity?.SetTag(LiblimTelemetry.LiveTag, live);
            var since = await session.ExchangeHaveAsync(clientFirst: false, ct).ConfigureAwait(false);
            if (live && replica.IsConcurrent)
            {
                await session.RecordAsync(null).ConfigureAwait(false); // connected, and about to catch up
                await session.RunLiveAsync(since.From, ct).ConfigureAwait(false);
                return session.Result(0);
            }

            await session.ReceiveUntilByeAsync(ct).ConfigureAwait(false);
            await session.EndRejoinAsync(ct).ConfigureAwait(false);

            // Up to the head as it is now: a row the client's batches changed here without making it the client's state
            // whole (a concurrent change here) has moved beyond the head of IHAZ, and the client needs its merged state.
            // Where positions are drawn (PostgreSQL), a write that drew lower ones may still hold the head below them: it is
            // waited for, briefly.
            var head = (await replica.ReadPositionsPastAsync(session._peerNode, session._drew, ct).ConfigureAwait(false)).Head;
            await session.SendFeedAsync(since.From, head, ct).ConfigureAwait(false);
            await connection.SendAsync(new ByeMessage(session._rowsReceived, session._rowsApplied), ct).ConfigureAwait(false);
            return session.Result(0);
        });
    }

    private async Task<SyncResult> RunAsync(Func<Task<SyncResult>> body)
    {
        var started = Stopwatch.GetTimestamp();
        _tags = new TagList { { LiblimTelemetry.RoleTag, _serving ? "server" : "client" }, { LiblimTelemetry.TransportTag, _settings.Transport } };
        using var activity = _activity = LiblimMetrics.Source.StartActivity(LiblimTelemetry.SessionSpan, _serving ? ActivityKind.Server : ActivityKind.Client, default(ActivityContext), _tags);
        activity?.SetTag(LiblimTelemetry.RemoteTag, _settings.Remote);
        LiblimMetrics.Sessions.Add(1, _tags);
        try
        {
            var result = await body().ConfigureAwait(false);
            activity?.SetTag(LiblimTelemetry.RowsSentTag, _rowsSent).SetTag(LiblimTelemetry.RowsReceivedTag, _rowsReceived).SetTag(LiblimTelemetry.RowsAppliedTag, _rowsApplied);
            await RecordAsync(null).ConfigureAwait(false);
            await CollectAsync().ConfigureAwait(false);
            _settings.Logger.LogInformation(LiblimLogEvents.Synced, "Synced with {Peer}: sent {Sent}, received {Received}, applied {Applied} rows in {Elapsed} ms.",
                Peer, _rowsSent, _rowsReceived, _rowsApplied, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return result;
        }
        catch (ProtocolException e) when (e.Code is ProtocolErrorCode.Restarted or ProtocolErrorCode.AuthenticationExpired)
        {
            // Not a failure: one side has a new node id, or the peer's credentials expired; the client connects again.
            await TellPeerWhyAsync(e).ConfigureAwait(false);
            _settings.Logger.LogInformation(LiblimLogEvents.SessionRestarts, "Sync with {Peer} ends, for a new session: {Message}", Peer, e.Message);
            throw;
        }
        catch (ProtocolException e)
        {
            LiblimMetrics.Failures.Add(1, _tags);
            await TellPeerWhyAsync(e).ConfigureAwait(false);
            await RecordAsync(e.Message).ConfigureAwait(false);
            _settings.Logger.LogWarning(LiblimLogEvents.SessionFailed, "Sync with {Peer} failed ({Code}): {Message}", Peer, e.Code, e.Message);
            throw;
        }
        catch (DatabaseNotSetUpException e)
        {
            LiblimMetrics.Failures.Add(1, _tags);
            await TellPeerWhyAsync(e).ConfigureAwait(false);
            _settings.Logger.LogError(LiblimLogEvents.DatabaseNotSetUp, "Sync with {Peer} failed: {Message}", Peer, e.Message);
            throw;
        }
        catch (LiblimException e)
        {
            // The peer's batch could not be applied here (a value of the wrong type, clock drift, ...).
            LiblimMetrics.Failures.Add(1, _tags);
            await TellPeerWhyAsync(e).ConfigureAwait(false);
            await RecordAsync(e.Message).ConfigureAwait(false);
            _settings.Logger.LogWarning(LiblimLogEvents.BatchRefused, "Sync with {Peer} refused a batch: {Message}", Peer, e.Message); // expected: no stack trace
            throw;
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LiblimMetrics.Failures.Add(1, _tags);
            await TellPeerWhyAsync(e).ConfigureAwait(false);
            await RecordAsync(e.Message).ConfigureAwait(false);
            _settings.Logger.LogError(LiblimLogEvents.SessionError, e, "Sync with {Peer} failed.", Peer);
            throw;
        }
        finally
        {
            LiblimMetrics.Sessions.Add(-1, _tags);
            LiblimMetrics.Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, _tags);
        }
    }

    /// <summary>
    /// Records in this database how the session ended (its status: <c>db.Liblim().GetStatusAsync()</c>): a server only for a
    /// peer that authenticated (it writes nothing for others), a client for the server it chose to connect to. A database
    /// that cannot record it (the failure may be its own) is logged at Debug level and left as it is.
    /// </summary>
    private async Task RecordAsync(string? error)
    {
        if (error is not null)
        {
            _activity?.SetStatus(ActivityStatusCode.Error, error);
        }

        if (_peerNode == Guid.Empty || (_serving && _peer is null))
        {
            return;
        }

        try
        {
            await _replica.RecordSessionAsync(_peerNode, _settings.Remote, error, _acked, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _settings.Logger.LogDebug(LiblimLogEvents.SessionNotRecorded, e, "Could not record the end of the session with {Peer}.", Peer);
        }
    }

    /// <summary>
    /// Collects the deleted rows every counted peer has now applied (<see cref="Writes.DeletedRowCollection"/>, paced); a
    /// failure is logged at Debug level and left for the next session: the sync itself succeeded.
    /// </summary>
    private async Task CollectAsync()
    {
        try
        {
            var collected = await _replica.CollectAfterSessionAsync(_localNode, CancellationToken.None).ConfigureAwait(false);
            if (collected > 0)
            {
                _settings.Logger.LogDebug(LiblimLogEvents.DeletedRowsCollected, "Collected {Count} deleted rows that every peer has applied.", collected);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _settings.Logger.LogDebug(LiblimLogEvents.DeletedRowsCollected, e, "Could not collect deleted rows after the session with {Peer}.", Peer);
        }
    }

    /// <summary>
    /// Sends the error line that says why this side ends the session, once: a live session sends it as soon as one of
    /// its loops fails, before it stops the other (stopping a WebSocket's reads aborts the socket). Nothing is sent
    /// for an error the peer reported, a closed connection, or a cancellation.
    /// </summary>
    private async Task TellPeerWhyAsync(Exception e)
    {
        var line = e switch
        {
            ProtocolException p when p.FromPeer || p.Code == ProtocolErrorCode.Closed => null,
            ProtocolException p => new ErrorMessage(p.Code, p.ToPeer ?? p.Message),
            DatabaseNotSetUpException => new ErrorMessage(ProtocolErrorCode.Internal,
                "The database here is not set up for replication (a table or column Liblim needs is missing); its operator must apply the app's migrations."),
            LiblimException => new ErrorMessage(ProtocolErrorCode.Rejected, e.Message),
            OperationCanceledException => null,
            _ => new ErrorMessage(ProtocolErrorCode.Internal, "The peer failed; its log says why."),
        };
        if (line is not null && Interlocked.Exchange(ref _toldPeerWhy, 1) == 0)
        {
            await _connection.TrySendLastAsync(line).ConfigureAwait(false);
        }
    }

    private SyncResult Result(long appliedByPeer) => new()
    {
        Peer = _peerNode,
        RowsSent = (int)_rowsSent,
        RowsReceived = (int)_rowsReceived,
        RowsApplied = (int)_rowsApplied,
        RowsAppliedByPeer = (int)appliedByPeer,
        Changed = _changed,
        ChangedCount = _changedCount,
        HeldBack = _heldBack,
        HeldBackCount = _heldBackCount,
        Refused = _refused,
        Conflicts = _conflicts,
    };

    // ---- greeting -------------------------------------------------------------------------------------

    private async Task GreetServerAsync(string? secret, bool live, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        var nonce = HandshakeProof.NewNonce();
        await _connection.SendAsync(new HelloMessage(_settings.Version, _localNode, nonce, live), ct).ConfigureAwait(false);
        var hello = await ReadAsync<HelloMessage>(HandshakeLeft(deadline), "the server's ØHAI", ct).ConfigureAwait(false);
        CheckPeer(hello, offered: _settings.Version);
        if (hello.Live)
        {
            throw new ProtocolException(ProtocolErrorCode.BadLine, "The flag 'live' belongs to a client's greeting.");
        }

        if (hello.Authenticated)
        {
            // The transport authenticated this side by the credentials it presented; the server is the one TLS proved.
            if (!_settings.PresentsTransportCredentials)
            {
                throw new ProtocolException(ProtocolErrorCode.AuthenticationFailed, $"Server {Peer} did not prove it knows the shared secret: it says the connection authenticated this side, which presented no credentials.")
                {
                    ToPeer = "This client presented no credentials to the connection, so it does not take the greeting's word that the connection authenticated it; prove the shared secret instead.",
                };
            }

            Authenticated(null);
            return;
        }

        if (string.IsNullOrEmpty(secret))
        {
            throw new ProtocolException(ProtocolErrorCode.AuthenticationFailed, $"Server {Peer} asks for the shared secret, and this side has none (set LiblimClientOptions.Secret).")
            {
                ToPeer = "This client has no shared secret to prove.",
            };
        }

        var key = System.Text.Encoding.UTF8.GetBytes(secret);
        await _connection.SendAsync(new ProofMessage(HandshakeProof.Compute(key, ClientRole, _localNode, nonce, _peerNode, hello.Nonce)), ct).ConfigureAwait(false);
        var proof = await ReadAsync<ProofMessage>(HandshakeLeft(deadline), "the server's proof", ct).ConfigureAwait(false);
        if (!HandshakeProof.Verify(HandshakeProof.Compute(key, ServerRole, _localNode, nonce, _peerNode, hello.Nonce), proof.Proof))
        {
            throw new ProtocolException(ProtocolErrorCode.AuthenticationFailed, $"Server {Peer} could not prove it knows the shared secret.")
            {
                ToPeer = "This client could not verify the server's proof: the two sides are not configured with the same shared secret.",
            };
        }

        Authenticated(null);
    }

    private async Task<bool> GreetClientAsync(Func<Guid, string?> secretFor, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        var hello = await ReadAsync<HelloMessage>(HandshakeLeft(deadline), "the client's ØHAI", ct).ConfigureAwait(false);
        CheckPeer(hello, offered: ProtocolSyntax.Version);
        if (hello.Authenticated)
        {
            throw new ProtocolException(ProtocolErrorCode.BadLine, "The flag 'authenticated' belongs to a server's greeting.");
        }

        var nonce = HandshakeProof.NewNonce();
        if (_settings.TransportUser is { } user)
        {
            // The endpoint authenticated the client before the connection was accepted: the greeting says so, no proofs.
            await _connection.SendAsync(new HelloMessage(_version, _localNode, nonce, Live: false, Authenticated: true), ct).ConfigureAwait(false);
            Authenticated(user);
            await BindOwnerAsync(user, ct).ConfigureAwait(false);
            return hello.Live;
        }

        var secret = secretFor(_peerNode);
        if (string.IsNullOrEmpty(secret))
        {
            throw new ProtocolException(ProtocolErrorCode.AuthenticationFailed, $"Peer {_peerNode} is not allowed to sync with this server.")
            {
                ToPeer = $"This server does not accept node {_peerNode}.",
            };
        }

        var key = System.Text.Encoding.UTF8.GetBytes(secret);
        await _connection.SendAsync(new HelloMessage(_version, _localNode, nonce, false), ct).ConfigureAwait(false);
        var proof = await ReadAsync<ProofMessage>(HandshakeLeft(deadline), "the client's proof", ct).ConfigureAwait(false);
        if (!HandshakeProof.Verify(HandshakeProof.Compute(key, ClientRole, _peerNode, hello.Nonce, _localNode, nonce), proof.Proof))
        {
            throw new ProtocolException(ProtocolErrorCode.AuthenticationFailed, $"Peer {Peer} could not prove it knows the shared secret.")
            {
                ToPeer = "This server could not verify the client's proof: the two sides are not configured with the same shared secret.",
            };
        }

        await _connection.SendAsync(new ProofMessage(HandshakeProof.Compute(key, ServerRole, _peerNode, hello.Nonce, _localNode, nonce)), ct).ConfigureAwait(false);
        Authenticated(null);
        return hello.Live;
    }

    /// <summary>Who the peer is, once the greeting has authenticated it: the transport's user, else its proven node id.</summary>
    private void Authenticated(ClaimsPrincipal? user)
    {
        user ??= new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(LiblimClaimTypes.NodeId, _peerNode.ToString("D")), .. _settings.ClaimsForPeer?.Invoke(_peerNode) ?? []],
            authenticationType: "liblim-shared-secret"));
        _peer = new LiblimPeer(_peerNode, user, _settings.Remote);
        _activity?.SetTag(LiblimTelemetry.PeerTag, _peerNode.ToString("D"));
        _scope = PeerScope.For(_settings.Scopes, _peer);
    }

    /// <summary>
    /// A node id is one user's: the first session that presents it binds it to the user the transport authenticated (its
    /// <c>sub</c> claim, else its name identifier, else its name), and a session of another user that presents it is refused.
    /// Else an authenticated user could sync as another's device: move that device's positions, and hear of its rows.
    /// </summary>
    private async Task BindOwnerAsync(ClaimsPrincipal user, CancellationToken ct)
    {
        var owner = user.FindFirst("sub")?.Value ?? user.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? user.Identity?.Name;
        if (owner is null)
        {
            return; // nothing names the user: the app's authentication has nothing to bind to
        }

        if (await _replica.BindOwnerAsync(_peerNode, owner, ct).ConfigureAwait(false) != owner)
        {
            throw new ProtocolException(ProtocolErrorCode.AuthenticationFailed, $"Node {_peerNode} presented by user '{owner}' belongs to another user.")
            {
                ToPeer = $"This server has node {_peerNode} registered to another user: a replica's node id is its own, and a copy of another user's database cannot sync as it.",
            };
        }
    }

    /// <summary>Ends the session once the credentials the transport authenticated the peer with have expired.</summary>
    private void CheckCredentials()
    {
        if (_settings.TransportUserExpires is { } expires && _settings.Time.GetUtcNow() >= expires)
        {
            throw new ProtocolException(ProtocolErrorCode.AuthenticationExpired, $"The credentials {Peer} was authenticated with expired at {expires:u}; connect again with fresh ones.");
        }
    }

    /// <summary>
    /// Checks the peer's greeting, and settles the session's protocol version: a server speaks the version the client
    /// offers when it speaks it; a client, the version the server answers, which is at most the one it offered.
    /// </summary>
    private void CheckPeer(HelloMessage hello, int offered)
    {
        if (hello.Version < ProtocolSyntax.OldestVersion || hello.Version > offered)
        {
            throw new ProtocolException(ProtocolErrorCode.UnsupportedVersion,
                $"The peer speaks liblim protocol version {hello.Version}; this side speaks versions {ProtocolSyntax.OldestVersion} to {offered}.");
        }

        _version = hello.Version;

        if (hello.Node == _localNode)
        {
            throw new ProtocolException(ProtocolErrorCode.Rejected, $"The peer has this database's own node id {_localNode}: a replica cannot sync with itself (or two databases were given the same NodeId).");
        }

        _peerNode = hello.Node;
    }

    private TimeSpan HandshakeLeft(Stopwatch deadline)
    {
        var left = Limits.HandshakeTimeout - deadline.Elapsed;
        return left > TimeSpan.Zero ? left : throw new ProtocolException(ProtocolErrorCode.Timeout, $"The greeting took longer than {Limits.HandshakeTimeout.TotalSeconds:0.#} s.");
    }

    // ---- what each side has -----------------------------------------------------------------------------

    /// <summary>
    /// Sends this side's IHAZ and reads the peer's (the server reads first); returns the part of the local feed to send.
    /// Each side checks the peer's position in its feed against its fence before it goes on.
    /// </summary>
    private async Task<(long From, long Through)> ExchangeHaveAsync(bool clientFirst, CancellationToken ct)
    {
        HaveMessage? theirs = null;
        if (!clientFirst)
        {
            theirs = await ReadAsync<HaveMessage>(Limits.IdleTimeout, "IHAZ", ct).ConfigureAwait(false);
        }

        var positions = await _replica.ReadPositionsAsync(_peerNode, ct).ConfigureAwait(false);
        if (positions.NodeId != _localNode)
        {
            throw new ProtocolException(ProtocolErrorCode.Restarted, $"Node {_localNode} has taken the new node id {positions.NodeId} since this session began; connect again.");
        }

        if (theirs is not null)
        {
            await CheckContinuesAsync(positions, theirs, ct).ConfigureAwait(false);
        }

        // A rejoin asks for the peer's whole feed from a watermark of 0 (a server knows now whether the client is behind).
        _rejoining = positions.Watermark == 0 && (positions.Rejoining || (theirs is not null && positions.IsBehindCollection(theirs.Positions.GetValueOrDefault(_localNode))));
        if (_rejoining && !positions.Rejoining)
        {
            await StartRejoinAsync(positions, ct).ConfigureAwait(false);
        }

        _receivedThrough = positions.Watermark;
        _fence = positions.Fence ?? 0;
        // The peer needs only how far this side has applied its feed; this side's own head would be news it never uses.
        await _connection.SendAsync(new HaveMessage(new Dictionary<Guid, long> { [_peerNode] = positions.Watermark }, Whole: _rejoining), ct).ConfigureAwait(false);
        if (theirs is null)
        {
            theirs = await ReadAsync<HaveMessage>(Limits.IdleTimeout, "IHAZ", ct).ConfigureAwait(false);
            await CheckContinuesAsync(positions, theirs, ct).ConfigureAwait(false);
        }

        var from = theirs.Positions.GetValueOrDefault(_localNode);
        await AcknowledgeAsync(positions, from, ct).ConfigureAwait(false);

        // Asked for the whole feed: rows taken whole from the peer go too, up to the head as it stands now.
        _sendAllThrough = theirs.Whole ? positions.Head : 0;
        _toSend = positions.Head - from;
        // The read head as it stood once the peer's IHAZ had arrived: at least the head of every read behind the peer's position.
        _readHead = clientFirst ? (await _replica.ReadPositionsAsync(_peerNode, ct).ConfigureAwait(false)).ReadHead : positions.ReadHead;
        // A scoped peer may lack a row that was at or before its position, out of its scope then: updates go whole to it.
        _baseline = _readHead is { } readHead && _scope is null ? new PeerBaseline(from, readHead) : null;
        if (_scope is not null && from == 0 && !await _replica.PeerHoldsAnyAsync(_scope.PeerId, ct).ConfigureAwait(false))
        {
            _scope.FreshThrough = positions.Head; // a first sync from nothing: the rules' rows, found by their queries
        }

        return (from, positions.Head);
    }

    /// <summary>
    /// Takes note of how far the peer has applied this feed (<paramref name="from"/>): recorded with the session's outcome,
    /// or at once for a peer that does not count for collection yet (<see cref="PeerPositions.Counted"/>). A peer that has
    /// not applied every deleted row collected here, and that this side's IHAZ did not already ask for its whole feed,
    /// is asked in a new session (<c>restarted</c>): this IHAZ named the position this side had, so that a restored peer
    /// finds out as usual.
    /// </summary>
    private async Task AcknowledgeAsync(PeerPositions positions, long from, CancellationToken ct)
    {
        _acked = (from, positions.ReadAt);
        if (!positions.Counted)
        {
            await _replica.RecordAckAsync(_peerNode, from, positions.ReadAt, ct).ConfigureAwait(false);
        }

        if (!_rejoining && (positions.Rejoining || positions.IsBehindCollection(from)))
        {
            await StartRejoinAsync(positions, ct).ConfigureAwait(false);
            throw new ProtocolException(ProtocolErrorCode.Restarted,
                $"Node {_peerNode} has not applied every row deleted and collected at node {_localNode}; it is to send its whole feed, in a new session.");
        }
    }

    /// <summary>
    /// Makes the peer rejoin (<see cref="Metadata.Internal.PeerWatermark.Rejoining"/>): it has not applied the deletes of
    /// rows collected here, and may hold some of them as alive. This side records its watermark for the peer as 0, and
    /// asks, in a session whose IHAZ names 0, for the peer's whole feed (rows the peer took from this side included), each
    /// add tag checked against what was collected.
    /// </summary>
    private async Task StartRejoinAsync(PeerPositions positions, CancellationToken ct)
    {
        _settings.Logger.LogInformation(LiblimLogEvents.PeerRejoins,
            "{Peer} has not applied every deleted row collected here (up to position {Collected}): it rejoins, sending its whole feed once.", Peer, positions.Collected);
        await _replica.WriteRejoiningAsync(_peerNode, true, ct).ConfigureAwait(false);
    }

    /// <summary>A one-shot session has received the peer's whole feed: a rejoin ends.</summary>
    private Task EndRejoinAsync(CancellationToken ct) => _rejoining ? _replica.WriteRejoiningAsync(_peerNode, false, ct) : Task.CompletedTask;

    /// <summary>
    /// The peer has applied this database's feed up to the position its IHAZ gives; if that is beyond the fence, the
    /// peer got positions this database does not hold (it was restored from an older copy) or that another database with
    /// the same node id handed out (it is a copy). Either way its feed is not the one the peer knows: it takes a new
    /// node id, so that no position or timestamp it hands out from now on can be taken for the old id's, and the session
    /// ends with <c>restarted</c>. Under the new id, the peer asks for its whole feed and leaves nothing out of its own.
    /// </summary>
    private async Task CheckContinuesAsync(PeerPositions positions, HaveMessage theirs, CancellationToken ct)
    {
        var claimed = theirs.Positions.GetValueOrDefault(_localNode);
        if (positions.Continues(claimed))
        {
            return;
        }

        // A session of this database's with the same peer may have moved the fence, and handed out what it covers, since
        // the positions were read: the fence that counts is one read after the peer's IHAZ arrived.
        positions = await _replica.ReadPositionsAsync(_peerNode, ct).ConfigureAwait(false);
        if (positions.NodeId == _localNode && positions.Continues(claimed))
        {
            return;
        }

        var rotated = await _replica.RotateAsync(_localNode, ct).ConfigureAwait(false);
        var message = $"Node {_localNode} was restored from an older copy, or is a copy of a database that went on writing elsewhere: " +
                      $"node {_peerNode} has applied its changes up to position {claimed}, but it handed out only up to {positions.Fence ?? positions.Head}. " +
                      $"It now uses the new node id {rotated}, and syncs again to send its changes and get back what it lost.";
        _settings.Logger.LogWarning(LiblimLogEvents.NodeIdRenewed, "{Message}", message);
        throw new ProtocolException(ProtocolErrorCode.Restarted, message);
    }

    // ---- sending ----------------------------------------------------------------------------------------

    /// <summary>Sends the local feed after <paramref name="from"/>, a batch at a time, up to at least <paramref name="through"/> (or its current end).</summary>
    private async Task<long> SendFeedAsync(long from, long? through, CancellationToken ct)
    {
        var skipped = false;
        long readAt = 0; // the greatest head of the snapshots read for the batch to come
        while (through is null || from < through)
        {
            // Asked for everything: up to the head of its IHAZ, rows taken whole from the peer go too (section 4).
            var all = from < _sendAllThrough;
            var page = await _replica.ReadFeedAsync(from, all ? Math.Min(through ?? long.MaxValue, _sendAllThrough) : through, Limits.BatchSize,
                all ? Guid.Empty : _peerNode, _baseline, _scope, ct).ConfigureAwait(false);
            var last = page.Last;
            if (last == from && all)
            {
                // No row is left at those positions (each moved on): the rest goes as usual.
                from = _sendAllThrough;
                skipped = true;
                continue;
            }

            if (last == from)
            {
                break;
            }

            readAt = Math.Max(readAt, page.Head);
            var states = _knownToPeer is not null ? _knownToPeer.Shorten(page) : page.States.ConvertAll(page.ToSend);

            if (page.IsEmptyFor(states) && page.Joined.Count == 0)
            {
                // A page of rows the peer has already (taken whole from it): no batch for it; the next batch, or
                // one empty batch at the end, moves the peer's position past it.
                from = last;
                skipped = true;
                continue;
            }

            skipped = false;
            var before = _connection.BytesSent;
            await SendBatchAsync(last, states, readAt, ct, page, from).ConfigureAwait(false);
            readAt = 0;
            _rowsSent += states.Count;
            _toSend = Math.Max(0, (through ?? last) - last);
            LiblimMetrics.RowsSent.Add(states.Count, _tags);
            LiblimMetrics.BytesSent.Add(_connection.BytesSent - before, _tags);
            _settings.Logger.LogDebug(LiblimLogEvents.BatchSent, "Sent {Rows} rows to {Peer}, through feed position {Position}.", states.Count, Peer, last);
            Report();
            from = last;
        }

        if (skipped || !_answers.IsEmpty)
        {
            do
            {
                await SendBatchAsync(from, [], readAt, ct).ConfigureAwait(false);
            }
            while (!_answers.IsEmpty);
        }

        return from;
    }

    /// <summary>
    /// Sends a batch that brings the peer to <paramref name="through"/>, read from snapshots whose heads were at most
    /// <paramref name="readAt"/>: first it moves the fence past the batch, and the read head up to the reads, where they
    /// are not yet. The peer then holds every row as it was at <paramref name="through"/>, from reads made before the read
    /// head: a row updated later, and at or before that position before the update, can go as the update alone.
    /// </summary>
    private async Task SendBatchAsync(long through, List<RowState> states, long readAt, CancellationToken ct, FeedPage? page = null, long? from = null)
    {
        CheckCredentials();
        if (page is { } scoped && _scope is not null && (scoped.Joined.Count > 0 || scoped.Left.Count > 0))
        {
            // Recorded before they are sent: a row recorded and not received is one the peer was allowed to see.
            await _replica.WritePeerRowsAsync(_scope.PeerId, scoped.Joined, scoped.Left, ct).ConfigureAwait(false);
        }

        if (through > _fence || readAt > (_readHead ?? -1))
        {
            _fence = await _replica.FenceAsync(_peerNode, ct).ConfigureAwait(false);
            _readHead = _fence;
            if (through > _fence)
            {
                throw new InvalidOperationException($"The feed was read up to position {through}, beyond its head {_fence}.");
            }
        }

        // Answers to refused writes go a batch's worth at a time, so that no batch grows past the peer's limit.
        List<ProtocolMessage> evictions = [.. page?.Evictions ?? []];
        while (evictions.Count < Limits.BatchSize && _answers.TryDequeue(out var answer))
        {
            evictions.Add(answer);
        }

        _knownToPeer?.Forget(evictions.OfType<EvictMessage>().Select(e => (e.Table, e.Key)));
        await _connection.SendAsync(Batches(from ?? through, through, states, evictions), ct).ConfigureAwait(false);
        if (_baseline is not null && _readHead is { } readHead)
        {
            _baseline = new PeerBaseline(through, readHead);
        }
    }

    /// <summary>
    /// The batch that brings the peer to <paramref name="through"/>, in batches of at most a batch's size of lines where a
    /// scope made it longer (the rows that entered or left a scope with a page's rows): all but the last at
    /// <paramref name="from"/>, which the peer has, so that a connection lost between them loses nothing.
    /// </summary>
    private IEnumerable<ProtocolMessage> Batches(long from, long through, List<RowState> states, List<ProtocolMessage> evictions)
    {
        var size = Math.Max(1, Limits.BatchSize);
        var total = states.Count + evictions.Count;
        var sent = 0;
        do
        {
            var count = Math.Min(size, total - sent);
            yield return new BatchStartMessage(sent + count == total ? through : from);
            for (var i = sent; i < sent + count; i++)
            {
                // Version 1 has no priors: they are left out for a peer that speaks it.
                yield return i < states.Count ? new RowMessage(_version >= 2 ? states[i] : states[i].WithoutPriors()) : evictions[i - states.Count];
            }

            sent += count;
            yield return BatchEndMessage.Instance;
        }
        while (sent < total);
    }

    // ---- receiving --------------------------------------------------------------------------------------

    /// <summary>
    /// Receives and applies the peer's batches until it says KTHXBAI. Batches that arrive back to back are applied in one
    /// transaction (<see cref="ApplyGroup"/>), committed as soon as the peer has sent nothing further: while waiting
    /// for it, not after every batch. Whatever stops the transfer, the whole batches applied are kept.
    /// </summary>
    private async Task<ByeMessage> ReceiveUntilByeAsync(CancellationToken ct)
    {
        var group = _replica.BeginApplying(Committed, ChangedWanted);
        await using (group.ConfigureAwait(false))
        {
            try
            {
                while (true)
                {
                    var reading = _connection.ReadAsync(Limits.IdleTimeout, ct).AsTask();
                    if (!reading.IsCompleted)
                    {
                        await CommitWhileReadingAsync(group, reading, ct).ConfigureAwait(false);
                    }

                    switch (await reading.ConfigureAwait(false))
                    {
                        case ByeMessage bye:
                            await group.CommitAsync(ct).ConfigureAwait(false);
                            return bye;
                        case BatchStartMessage start:
                            await ReceiveBatchAsync(group, start.Through, ct).ConfigureAwait(false);
                            break;
                        case var message:
                            throw OutOfOrder(message, "UCANHAZ or KTHXBAI");
                    }
                }
            }
            catch (Exception)
            {
                await group.KeepAppliedAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>Commits the group while the next message is on its way; if committing fails, the read's outcome is not left unobserved.</summary>
    private static async Task CommitWhileReadingAsync(ApplyGroup group, Task<ProtocolMessage> reading, CancellationToken ct)
    {
        try
        {
            await group.CommitAsync(ct).ConfigureAwait(false);
        }
        catch (Exception)
        {
            _ = reading.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }
    }

    private async Task ReceiveBatchAsync(ApplyGroup group, long through, CancellationToken ct)
    {
        CheckCredentials();
        if (through < _receivedThrough)
        {
            throw new ProtocolException(ProtocolErrorCode.OutOfOrder,
                $"A batch goes back to position {through} of {Peer}'s feed, which this side has applied up to {_receivedThrough}: batch positions never go backwards (docs/protocol.md, section 6).");
        }

        var rows = new List<RowState>();
        var evictions = new List<EvictMessage>();
        var refusals = new List<RefusedWrite>();
        var startBytes = _connection.BytesReceived;
        while (true)
        {
            var message = await _connection.ReadAsync(Limits.IdleTimeout, ct).ConfigureAwait(false);
            if (message is BatchEndMessage)
            {
                break;
            }

            if (message is EvictMessage evict && !_serving)
            {
                evictions.Add(evict);
            }
            else if (message is RefusalMessage refusal && !_serving)
            {
                refusals.Add(new RefusedWrite(refusal.Table, refusal.Key, refusal.Reason) { Server = _peerNode });
            }
            else if (message is RowMessage row)
            {
                rows.Add(row.State);
            }
            else
            {
                throw OutOfOrder(message, _serving ? "a row line or the empty line that ends the batch (NOMOAR and NOPE come from servers only)" : "a row line, NOMOAR, NOPE or the empty line that ends the batch");
            }

            if (rows.Count + evictions.Count + refusals.Count > Limits.MaxRowsPerBatch || _connection.BytesReceived - startBytes > Limits.MaxBatchBytes)
            {
                throw new ProtocolException(ProtocolErrorCode.BatchTooLarge, $"A batch holds more than {Limits.MaxRowsPerBatch} rows or {Limits.MaxBatchBytes} bytes.");
            }
        }

        LiblimMetrics.BytesReceived.Add(_connection.BytesReceived - startBytes, _tags);
        if (rows.Count == 0 && evictions.Count == 0 && refusals.Count == 0 && through == _receivedThrough)
        {
            // A keep-alive: the peer has nothing more to send, so a live session has had its whole feed.
            await EndRejoinAsync(ct).ConfigureAwait(false);
            _rejoining = false;
            return;
        }

        _knownToPeer?.Learn(rows);
        var batch = new RemoteBatch(Peer, _peerNode, rows, through) { Evictions = evictions, Refusals = refusals, Scope = _scope, Rejoining = _rejoining, PeerPosition = _acked?.Position };
        using var apply = LiblimMetrics.Source.StartActivity(LiblimTelemetry.ApplySpan);
        var result = await group.ApplyAsync(batch, ct).ConfigureAwait(false);
        apply?.SetTag(LiblimTelemetry.RowsReceivedTag, result.Received).SetTag(LiblimTelemetry.RowsAppliedTag, result.Applied);
        // The peer hears of its refused writes with the next batch, and forgets the rows it may not hold.
        foreach (var refused in result.Refused)
        {
            _answers.Enqueue(new RefusalMessage(refused.Table, refused.Key, refused.Reason));
        }

        foreach (var (table, key) in result.Forget)
        {
            _answers.Enqueue(new EvictMessage(table, key));
        }

        if (result.Refused.Count > 0)
        {
            _settings.Logger.LogInformation(LiblimLogEvents.PeerWritesRefused, "Refused {Count} writes of {Peer} outside its scope, the first to {Table} {Key}: {Reason}",
                result.Refused.Count, Peer, result.Refused[0].Table, result.Refused[0].Key, result.Refused[0].Reason);
        }

        _receivedThrough = through;
        _rowsReceived += result.Received;
        _rowsApplied += result.Applied;
        _drew = Math.Max(_drew, result.Drew);
        _conflicts += result.Conflicts;
        LiblimMetrics.RowsReceived.Add(result.Received, _tags);
        LiblimMetrics.RowsApplied.Add(result.Applied, _tags);
        _settings.Logger.LogDebug(LiblimLogEvents.BatchApplied, "Applied {Applied} of {Received} rows from {Peer}, through its feed position {Position}.", result.Applied, result.Received, Peer, through);
        Report();
    }

    /// <summary>After a commit of the peer's batches: the rows they changed, for the result and the app's event.</summary>
    private void Committed(CommittedChanges committed)
    {
        var (changed, _, heldBack, refused) = committed;
        if (refused.Count > 0)
        {
            _settings.Logger.LogWarning(LiblimLogEvents.OwnWritesRefused, "{Peer} refused {Count} writes of this replica's, the first to {Table} {Key}: {Reason} Its own rows undo them here.",
                Peer, refused.Count, refused[0].Table, refused[0].Key, refused[0].Reason);
            lock (_refused)
            {
                _refused.AddRange(refused.Take(SyncResult.MaxListedRows - _refused.Count));
            }
        }

        if (!_replica.IsConcurrent)
        {
            // The result lists a bounded number of rows, and counts them all.
            _changedCount += committed.ChangedCount;
            _heldBackCount += heldBack.Count;
            _changed.AddRange(changed.Take(SyncResult.MaxListedRows - _changed.Count));
            _heldBack.AddRange(heldBack.Take(SyncResult.MaxListedRows - _heldBack.Count));
        }

        _settings.RowsChanged?.Invoke(new RowsChangedEventArgs(_peerNode, changed, heldBack) { From = _peer, Refused = refused });
    }

    /// <summary>
    /// How many rows changed since the last commit are wanted listed: every one while the app watches <c>RowsChanged</c>,
    /// else what the result still lists (none where each group opens a context of its own, a server's or a hosted
    /// service's, whose session result nobody reads).
    /// </summary>
    private int ChangedWanted()
        => _settings.WatchesRows ? int.MaxValue
            : _replica.IsConcurrent ? 0
            : SyncResult.MaxListedRows - _changed.Count;

    // ---- live -------------------------------------------------------------------------------------------

    private async Task RunLiveAsync(long from, CancellationToken ct)
    {
        _knownToPeer = new KnownToPeer(Limits.LiveDeltaRows);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var sending = SendLiveAsync(from, stop.Token);
        var receiving = ReceiveUntilByeAsync(stop.Token);
        var first = await Task.WhenAny(sending, receiving).ConfigureAwait(false);
        if (first.Exception?.InnerException is { } failure)
        {
            await TellPeerWhyAsync(failure).ConfigureAwait(false);
        }

        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(sending, receiving).ConfigureAwait(false);
        }
        catch (Exception) when (!first.IsFaulted)
        {
            // The other loop was stopped on purpose; what ended the session is decided below.
        }
        catch (Exception) when (first.IsFaulted)
        {
            await first.ConfigureAwait(false); // the error that ended the session, not the cancellation it caused
        }

        if (ct.IsCancellationRequested)
        {
            await TrySayByeAsync().ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
        }
    }

    private async Task SendLiveAsync(long from, CancellationToken ct)
    {
        var keepAlive = Limits.IdleTimeout / 3;
        var lastSent = Stopwatch.StartNew();
        while (true)
        {
            var next = await _replica.NextFeedMoveAsync(_localNode, ct).ConfigureAwait(false);
            var sentBefore = _rowsSent;
            var reached = await SendFeedAsync(from, null, ct).ConfigureAwait(false);
            if (reached != from || _rowsSent != sentBefore)
            {
                lastSent.Restart();
            }
            else if (lastSent.Elapsed >= keepAlive)
            {
                await SendBatchAsync(from, [], 0, ct).ConfigureAwait(false);
                lastSent.Restart();
            }

            from = reached;
            var wait = _settings.PollInterval < keepAlive ? _settings.PollInterval : keepAlive;
            await Task.WhenAny(next, Task.Delay(wait, ct)).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
        }
    }

    private Task TrySayByeAsync() => _connection.TrySendLastAsync(new ByeMessage(_rowsReceived, _rowsApplied));

    // ---- helpers ----------------------------------------------------------------------------------------

    private async Task<T> ReadAsync<T>(TimeSpan timeout, string expected, CancellationToken ct)
        where T : ProtocolMessage
    {
        var message = await _connection.ReadAsync(timeout, ct).ConfigureAwait(false);
        return message as T ?? throw OutOfOrder(message, expected);
    }

    private static ProtocolException OutOfOrder(ProtocolMessage got, string expected)
        => new(ProtocolErrorCode.OutOfOrder, $"Expected {expected}, got {Describe(got)}.");

    private static string Describe(ProtocolMessage message) => message switch
    {
        HelloMessage => "ØHAI",
        ProofMessage => "ØHAI with a proof",
        HaveMessage => "IHAZ",
        BatchStartMessage => "UCANHAZ",
        RowMessage => "a row line",
        BatchEndMessage => "an empty line",
        ByeMessage => "KTHXBAI",
        _ => message.GetType().Name,
    };

    private void Report()
        => _settings.Progress?.Report(new SyncProgress
        {
            Peer = _peerNode,
            RowsSent = _rowsSent,
            RowsReceived = _rowsReceived,
            RowsApplied = _rowsApplied,
            BytesSent = _connection.BytesSent,
            BytesReceived = _connection.BytesReceived,
            ChangesToSend = _toSend,
        });
}
