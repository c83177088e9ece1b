using Microsoft.Extensions.Logging;

namespace Liblim.EfCore;

/// <summary>
/// The event ids of everything Liblim logs, stable across versions, so that a log pipeline can filter, count and alert on
/// them by id and name (categories: <c>Liblim.EfCore.LiblimServer</c>, <c>LiblimSyncService</c>, <c>LiblimFacade</c>,
/// and <c>Liblim.EfCore.AspNetCore.LiblimHub</c>).
/// </summary>
public static class LiblimLogEvents
{
    /// <summary>Information: a session ended with both sides in sync (rows sent, received, applied, duration).</summary>
    public static readonly EventId Synced = new(1, nameof(Synced));

    /// <summary>Information: a session ended so that a new one starts at once (a new node id, or expired credentials).</summary>
    public static readonly EventId SessionRestarts = new(2, nameof(SessionRestarts));

    /// <summary>Warning: a session failed for a protocol reason (the network, the peer, authentication, limits).</summary>
    public static readonly EventId SessionFailed = new(3, nameof(SessionFailed));

    /// <summary>Error: this side's database lacks a table or column Liblim needs (a migration was not applied).</summary>
    public static readonly EventId DatabaseNotSetUp = new(4, nameof(DatabaseNotSetUp));

    /// <summary>Warning: a peer's batch could not be applied here (a value of the wrong type, clock drift); nothing of it was stored.</summary>
    public static readonly EventId BatchRefused = new(5, nameof(BatchRefused));

    /// <summary>Error: a session failed for a reason of this side's own.</summary>
    public static readonly EventId SessionError = new(6, nameof(SessionError));

    /// <summary>Debug: how a session ended could not be recorded for the status.</summary>
    public static readonly EventId SessionNotRecorded = new(7, nameof(SessionNotRecorded));

    /// <summary>Warning: this database was found restored from an older copy, or copied, and took a new node id.</summary>
    public static readonly EventId NodeIdRenewed = new(8, nameof(NodeIdRenewed));

    /// <summary>Debug: a batch was sent.</summary>
    public static readonly EventId BatchSent = new(9, nameof(BatchSent));

    /// <summary>Information: a server with scope rules refused writes of a peer.</summary>
    public static readonly EventId PeerWritesRefused = new(10, nameof(PeerWritesRefused));

    /// <summary>Debug: a batch of the peer's was applied.</summary>
    public static readonly EventId BatchApplied = new(11, nameof(BatchApplied));

    /// <summary>Warning: the server this replica syncs with refused some of its writes.</summary>
    public static readonly EventId OwnWritesRefused = new(12, nameof(OwnWritesRefused));

    /// <summary>Information: a server started listening.</summary>
    public static readonly EventId ServerListening = new(20, nameof(ServerListening));

    /// <summary>Warning: accepting a connection failed.</summary>
    public static readonly EventId AcceptFailed = new(21, nameof(AcceptFailed));

    /// <summary>Warning: a server refused a connection, being at its connection limit.</summary>
    public static readonly EventId ServerBusy = new(22, nameof(ServerBusy));

    /// <summary>Debug: a session a server served ended (the peer went away, or was refused).</summary>
    public static readonly EventId ServedSessionEnded = new(23, nameof(ServedSessionEnded));

    /// <summary>Error (TCP server) or Warning (hub): a session a server served failed.</summary>
    public static readonly EventId ServedSessionFailed = new(24, nameof(ServedSessionFailed));

    /// <summary>Information: a live session of the sync service is connected (after how many failed attempts).</summary>
    public static readonly EventId LiveConnected = new(30, nameof(LiveConnected));

    /// <summary>Warning: a live session failed; further failures in a row are logged at Debug, and as a Warning every ten minutes.</summary>
    public static readonly EventId LiveFailed = new(31, nameof(LiveFailed));

    /// <summary>Warning: a live session is still failing, every ten minutes while it does.</summary>
    public static readonly EventId LiveStillFailing = new(32, nameof(LiveStillFailing));

    /// <summary>Debug: a live session failed again.</summary>
    public static readonly EventId LiveFailedAgain = new(33, nameof(LiveFailedAgain));

    /// <summary>Information: a live session that was connected ended.</summary>
    public static readonly EventId LiveDisconnected = new(34, nameof(LiveDisconnected));

    /// <summary>Debug: the sync service could not read the database's status for its gauges.</summary>
    public static readonly EventId StatusNotRead = new(35, nameof(StatusNotRead));

    /// <summary>Information: a peer had not applied this database's feed as far as deleted rows were collected; it rejoins, sending its whole feed once.</summary>
    public static readonly EventId PeerRejoins = new(40, nameof(PeerRejoins));

    /// <summary>Debug: deleted rows were collected after a session (how many), or could not be (why).</summary>
    public static readonly EventId DeletedRowsCollected = new(41, nameof(DeletedRowsCollected));
}
