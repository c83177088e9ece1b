using System.Globalization;
using System.Text;

namespace Liblim.EfCore;

/// <summary>
/// Rows that merging a peer's batches changed here, so that an app can refresh what shows them, and the rows the
/// merge held back. Raised once they are committed: the rows are readable on any connection.
/// </summary>
public sealed class RowsChangedEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    public RowsChangedEventArgs(Guid peer, IReadOnlyList<ChangedRow> rows)
        : this(peer, rows, [])
    {
    }

    /// <summary>Creates the event data, with rows held back.</summary>
    public RowsChangedEventArgs(Guid peer, IReadOnlyList<ChangedRow> rows, IReadOnlyList<HeldBackRow> heldBack)
    {
        Peer = peer;
        Rows = rows;
        HeldBack = heldBack;
    }

    /// <summary>The peer whose batch was merged.</summary>
    public Guid Peer { get; }

    /// <summary>Who the peer is, as its session authenticated it; null for a sync of two databases in one process.</summary>
    public LiblimPeer? From { get; init; }

    /// <summary>The changed rows.</summary>
    public IReadOnlyList<ChangedRow> Rows { get; }

    /// <summary>
    /// The rows this merge held back (or whose reason changed): they exist but are not shown, because a row they
    /// reference is missing, deleted or held back, or another row keeps one of their unique values.
    /// </summary>
    public IReadOnlyList<HeldBackRow> HeldBack { get; }

    /// <summary>
    /// Writes of this replica's that the peer, a server with scope rules, did not apply, and why; the server's own rows,
    /// which undo them here, come among <see cref="Rows"/>.
    /// </summary>
    public IReadOnlyList<RefusedWrite> Refused { get; init; } = [];

    /// <summary>For example <c>2 rows changed by a batch of 015e46ca-…: TodoItem ["6f1c…"] Updated (Title); …</c>.</summary>
    public override string ToString()
    {
        const int shown = 3;
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{Rows.Count} rows changed by a batch of {Peer}");
        if (Rows.Count > 0)
        {
            text.Append(": ").AppendJoin("; ", Rows.Take(shown)).Append(Rows.Count > shown ? "; …" : "");
        }

        if (HeldBack.Count > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"; {HeldBack.Count} held back");
        }

        return Refused.Count > 0 ? text.Append(CultureInfo.InvariantCulture, $"; {Refused.Count} of this replica's writes refused").ToString() : text.ToString();
    }
}
