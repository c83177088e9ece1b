using System.Globalization;

namespace Liblim.EfCore;

/// <summary>What a two-way sync did.</summary>
public sealed record SyncResult
{
    /// <summary>
    /// The most rows <see cref="Changed"/> and <see cref="HeldBack"/> list: a first sync of a large database changes
    /// every row, and listing a million of them would take more memory than the sync itself. The counts are whole;
    /// the <c>RowsChanged</c> events of <c>LiblimServer</c> and <c>LiblimSyncService</c> report every row, batch by batch.
    /// </summary>
    public const int MaxListedRows = 10_000;

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

    /// <summary>
    /// The rows here that the sync changed: all of them when <see cref="ChangedCount"/> is at most
    /// <see cref="MaxListedRows"/>, else the first that many (an app then reloads rather than refreshing row by row).
    /// </summary>
    public IReadOnlyList<ChangedRow> Changed { get; init; } = [];

    /// <summary>How many rows here the sync changed.</summary>
    public int ChangedCount { get; init; }

    /// <summary>
    /// The rows here that the sync held back (or whose reason changed): they exist but are not shown; see
    /// <c>db.Liblim().GetHeldBackRowsAsync()</c> for all rows held back now. At most <see cref="MaxListedRows"/>, as
    /// <see cref="Changed"/>.
    /// </summary>
    public IReadOnlyList<HeldBackRow> HeldBack { get; init; } = [];

    /// <summary>How many rows here the sync held back (or whose reason changed).</summary>
    public int HeldBackCount { get; init; }

    /// <summary>
    /// Writes of this replica's that the peer, a server with scope rules, did not apply, and why (at most
    /// <see cref="MaxListedRows"/>). The server's rows that undo them here are among <see cref="Changed"/>.
    /// </summary>
    public IReadOnlyList<RefusedWrite> Refused { get; init; } = [];

    /// <summary>
    /// How many columns this side's merges decided between concurrent writes in the sync, which its conflict journal
    /// records (<c>db.Liblim().GetConflictsAsync()</c>; a lost write it has recorded before, arriving again, is not
    /// recorded twice).
    /// </summary>
    public int Conflicts { get; init; }

    /// <summary>For example <c>sync with 015e46ca-…: sent 2 (2 applied there), received 3 (1 applied here); 1 held back; 1 conflict journaled</c>.</summary>
    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture,
            $"sync with {Peer}: sent {RowsSent} ({RowsAppliedByPeer} applied there), received {RowsReceived} ({RowsApplied} applied here)") +
           (HeldBackCount == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"; {HeldBackCount} held back")) +
           (Conflicts == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"; {Conflicts} conflict{(Conflicts == 1 ? "" : "s")} journaled")) +
           (Refused.Count == 0 ? "" : string.Create(CultureInfo.InvariantCulture, $"; {Refused.Count} of this replica's writes refused"));
}
