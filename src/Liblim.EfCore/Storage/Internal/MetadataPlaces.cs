namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// Where the metadata of each row read or written in the current transaction is: in its data row (a row shown as it is,
/// <see cref="InRowClocks"/>) or in <c>__liblim_rows</c>. Every write of a row's metadata follows a read of it in the same
/// transaction (a merge, a capture and a reconcile all start from the stored state), so a write that moves a row's
/// metadata from one place to the other knows to remove it from the first: a row's metadata is in one place only.
/// </summary>
internal sealed class MetadataPlaces
{
    private readonly HashSet<(string Table, string Key)> _inRow = [];
    private readonly HashSet<(string Table, string Key)> _separate = [];
    private readonly Dictionary<string, bool> _hasSeparate = new(StringComparer.Ordinal);

    /// <summary>The row's metadata is in its data row.</summary>
    public void InRow(string table, string key)
    {
        _inRow.Add((table, key));
        _separate.Remove((table, key));
    }

    /// <summary>The row's metadata is a row of <c>__liblim_rows</c>.</summary>
    public void Separate(string table, string key)
    {
        _separate.Add((table, key));
        _inRow.Remove((table, key));
        _hasSeparate[table] = true;
    }

    /// <summary>The row and its metadata are gone from both places (a row forgotten).</summary>
    public void Gone(string table, string key)
    {
        _inRow.Remove((table, key));
        _separate.Remove((table, key));
    }

    /// <summary>Whether <c>__liblim_rows</c> has rows of a table, when known.</summary>
    public bool? HasSeparate(string table) => _hasSeparate.TryGetValue(table, out var any) ? any : null;

    /// <summary>Records whether <c>__liblim_rows</c> has rows of a table.</summary>
    public void KnowSeparate(string table, bool any) => _hasSeparate.TryAdd(table, any);

    public bool IsInRow(string table, string key) => _inRow.Contains((table, key));

    public bool IsSeparate(string table, string key) => _separate.Contains((table, key));
}
