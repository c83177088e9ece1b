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

    /// <summary>What to send of a page of the feed: whole states of rows not known to the peer, deltas of the others, nothing of a row it holds as it is.</summary>
    public List<RowState> Shorten(List<RowState> states)
    {
        var result = new List<RowState>(states.Count);
        lock (_lock)
        {
            foreach (var state in states)
            {
                var row = (state.Table, state.Key);
                if (!_known.TryGetValue(row, out var known))
                {
                    result.Add(state);
                    Remember(row, state);
                    continue;
                }

                if (RowDelta.Since(known, state) is { } delta)
                {
                    result.Add(delta);
                    _known[row] = RowMerge.Merge(known, state);
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
