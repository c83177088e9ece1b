namespace Liblim.EfCore;

/// <summary>What a two-way sync did.</summary>
public sealed record SyncResult
{
    /// <summary>The peer's node id.</summary>
    public Guid Peer { get; init; }

    /// <summary>Row states this replica sent to the peer.</summary>
    public int RowsSent { get; init; }

    /// <summary>Row states this replica received from the peer.</summary>
    public int RowsReceived { get; init; }

    /// <summary>Received row states that changed a row here.</summary>
    public int RowsApplied { get; init; }

    /// <summary>Sent row states that changed a row at the peer.</summary>
    public int RowsAppliedByPeer { get; init; }

    /// <summary>The rows here that the sync changed.</summary>
    public IReadOnlyList<ChangedRow> Changed { get; init; } = [];

    /// <summary>
    /// The rows here that the sync held back (or whose reason changed): they exist but are not shown; see
    /// <c>db.Liblim().GetHeldBackRowsAsync()</c> for all rows held back now.
    /// </summary>
    public IReadOnlyList<HeldBackRow> HeldBack { get; init; } = [];
}
