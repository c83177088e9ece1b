namespace Liblim.EfCore.Projection;

/// <summary>
/// How strongly a row claims a unique value: the lower rank keeps it. A row shown without replication state (a
/// row stored before its table was replicated) cannot be moved and ranks first; then the clock the policy names,
/// earliest or latest first; then the key, so that the order is total.
/// </summary>
internal readonly record struct ClaimRank(bool Pinned, HybridTimestamp Clock, bool LaterFirst, string Key) : IComparable<ClaimRank>
{
    public int CompareTo(ClaimRank other)
    {
        if (Pinned != other.Pinned)
        {
            return Pinned ? -1 : 1;
        }

        var byClock = Clock.CompareTo(other.Clock);
        if (byClock != 0)
        {
            return LaterFirst ? -byClock : byClock;
        }

        return string.CompareOrdinal(Key, other.Key);
    }
}
