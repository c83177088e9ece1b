namespace Liblim.EfCore;

/// <summary>How far a sync with a peer has got; reported after each batch sent or applied.</summary>
public sealed record SyncProgress
{
    /// <summary>The peer's node id.</summary>
    public Guid Peer { get; init; }

    /// <summary>Row states sent so far.</summary>
    public long RowsSent { get; init; }

    /// <summary>Row states received so far.</summary>
    public long RowsReceived { get; init; }

    /// <summary>Received row states that changed a row here.</summary>
    public long RowsApplied { get; init; }

    /// <summary>Bytes sent so far.</summary>
    public long BytesSent { get; init; }

    /// <summary>Bytes received so far.</summary>
    public long BytesReceived { get; init; }

    /// <summary>How many of this side's changes are still to be sent (an estimate from feed positions).</summary>
    public long ChangesToSend { get; init; }
}
