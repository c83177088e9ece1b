namespace Liblim.EfCore.Metadata.Internal;

/// <summary>
/// The names of the shadow properties (and, unless a naming convention renames them, the columns) that keep a shown
/// row's replication metadata in its own table (<see cref="Conventions.RowMetadataConvention"/>).
/// </summary>
internal static class RowMetadataNames
{
    /// <summary>The row's feed position: the local sequence number of its last change; null when its metadata is in <c>__liblim_rows</c>.</summary>
    public const string Seq = "__liblim_seq";

    /// <summary>The row's clocks, tags and source in their stored form (<c>Storage/Internal/InRowClocks</c>); null with <see cref="Seq"/>.</summary>
    public const string Clocks = "__liblim_clocks";

    /// <summary>Whether a property is one of them.</summary>
    public static bool IsRowMetadata(string propertyName) => propertyName is Seq or Clocks;
}
