using Liblim.EfCore.Crdt;

namespace Liblim.EfCore.Sync.Internal;

/// <summary>
/// What a live session's peer is known to hold of the rows that went over its connection: at least every state sent to
/// it (it applied each, since a batch it cannot apply ends the session) and every state it sent (a replica's state of a
/// row only grows). A row that goes again is sent as what it adds to that (<see cref="RowDelta"/>). It remembers at most
/// <paramref name="capacity"/> rows (<see cref="LiblimProtocolLimits.LiveDeltaRows"/>); when full it forgets them all,
/// and each goes whole once more.
/// </summary>
/// <remarks>The session's sending and receiving loops use it at once.</remarks>
internal sealed class KnownToPeer(int capacity)
{
    private readonly Dictionary<(string Table, string Key), RowState> _known = [];
    private readonly Lock _lock = new();

    /// <summary>
    /// What to send of a page of the feed: of each row, what the page would send (<see cref="FeedPage.ToSend"/>: the
    /// whole state, or the update alone when the peer holds the row as it was before it) less what the peer is known to
    /// hold; nothing when that leaves nothing. Either way the peer then holds the whole state.
    /// </summary>
    public List<RowState> Shorten(FeedPage page)
    {
        var result = new List<RowState>(page.States.Count);
        lock (_lock)
        {
            foreach (var state in page.States)
            {
                var row = (state.Table, state.Key);
                var send = page.ToSend(state);
                if (_known.TryGetValue(row, out var known))
                {
                    send = RowDelta.Since(known, send);
                    _known[row] = RowMerge.Merge(known, state);
                }
                else
                {
                    Remember(row, state);
                }

                if (send is not null)
                {
                    result.Add(send);
                }
            }
        }

        return result;
    }

    /// <summary>States the peer sent: it holds them (whole states or deltas, merged into what it is known to hold).</summary>
    public void Learn(IEnumerable<RowState> states)
    {
        lock (_lock)
        {
            foreach (var state in states)
            {
                var row = (state.Table, state.Key);
                Remember(row, _known.TryGetValue(row, out var known) ? RowMerge.Merge(known, state) : state);
            }
        }
    }

    /// <summary>Rows the peer is told to forget (evicted from its scope): if they come back, they go whole.</summary>
    public void Forget(IEnumerable<(string Table, string Key)> rows)
    {
        lock (_lock)
        {
            foreach (var row in rows)
            {
                _known.Remove(row);
            }
        }
    }

    private void Remember((string Table, string Key) row, RowState state)
    {
        if (_known.Count >= capacity && !_known.ContainsKey(row))
        {
            _known.Clear();
        }

        if (capacity > 0)
        {
            _known[row] = state;
        }
    }
}
