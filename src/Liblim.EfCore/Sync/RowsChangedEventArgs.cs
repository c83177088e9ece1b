namespace Liblim.EfCore;

/// <summary>Rows that a merge of a peer's batch changed here, so that an app can refresh what shows them.</summary>
public sealed class RowsChangedEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    public RowsChangedEventArgs(Guid peer, IReadOnlyList<ChangedRow> rows)
    {
        Peer = peer;
        Rows = rows;
    }

    /// <summary>The peer whose batch was merged.</summary>
    public Guid Peer { get; }

    /// <summary>The changed rows.</summary>
    public IReadOnlyList<ChangedRow> Rows { get; }
}
