namespace Liblim.EfCore.Cli.Inspection;

/// <summary>Text columns, by table and column name, found to hold only GUIDs (<see cref="Guids"/>) or other text (<see cref="Others"/>).</summary>
internal sealed record GuidColumns(IReadOnlySet<(string Table, string Column)> Guids, IReadOnlySet<(string Table, string Column)> Others)
{
    public static readonly GuidColumns None = new(new HashSet<(string, string)>(), new HashSet<(string, string)>());

    /// <summary>The columns that hold GUIDs in some replica and other text in none: read the same way in every replica compared.</summary>
    public static IReadOnlySet<(string Table, string Column)> Agreed(params GuidColumns[] replicas)
        => replicas.SelectMany(r => r.Guids).Except(replicas.SelectMany(r => r.Others)).ToHashSet();
}
