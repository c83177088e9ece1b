using System.Collections.Concurrent;
using System.Diagnostics;

namespace Liblim.EfCore.Writes;

/// <summary>
/// How often a process collects deleted rows by itself: after a sync session, at most once per <see cref="Interval"/> for
/// each database (told apart as <see cref="CatchUp.KeyOf"/> does), so that a hub serving many short sessions does not
/// pay for a collection after each. One per EF service provider. <c>db.Liblim().CollectDeletedRowsAsync()</c> is not paced.
/// </summary>
internal sealed class CollectionPace
{
    /// <summary>The least time between two collections of one database that sessions start.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly ConcurrentDictionary<string, long> _last = new(StringComparer.Ordinal);

    /// <summary>Whether a session may collect the database now; if so, the next may only after <see cref="Interval"/>.</summary>
    public bool TryStart(string database)
    {
        var now = Stopwatch.GetTimestamp();
        while (true)
        {
            if (!_last.TryGetValue(database, out var last))
            {
                if (_last.TryAdd(database, now))
                {
                    return true;
                }

                continue;
            }

            if (Stopwatch.GetElapsedTime(last, now) < Interval)
            {
                return false;
            }

            if (_last.TryUpdate(database, now, last))
            {
                return true;
            }
        }
    }
}
