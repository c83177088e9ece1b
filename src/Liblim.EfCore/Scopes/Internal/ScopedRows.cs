namespace Liblim.EfCore.Scopes.Internal;

/// <summary>
/// What a peer served by scope gets of one table's rows in a page of the feed (<see cref="PeerScope.SelectAsync"/>).
/// </summary>
/// <param name="Whole">The keys of the rows it receives whole; null for every row of the page.</param>
/// <param name="Tombstones">Rows it holds that are deleted here: it receives their tombstones alone, no value.</param>
/// <param name="Evicted">Rows it holds that are alive here but no longer in its scope: it is told to forget them.</param>
/// <param name="Left">The keys it no longer holds once the page is sent (<paramref name="Tombstones"/> and <paramref name="Evicted"/>).</param>
internal sealed record ScopedRows(HashSet<string>? Whole, HashSet<string> Tombstones, List<string> Evicted, List<string> Left)
{
    /// <summary>Every row of the page, as a peer without scope gets it.</summary>
    public static ScopedRows All { get; } = new(null, [], [], []);
}
