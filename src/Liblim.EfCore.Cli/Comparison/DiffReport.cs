using System.Text.Json.Serialization;

namespace Liblim.EfCore.Cli.Comparison;

/// <summary>How a row differs between two replicas.</summary>
internal enum DifferenceKind
{
    /// <summary>Only the first replica holds the row (alive or deleted).</summary>
    OnlyInA,

    /// <summary>Only the second replica holds the row.</summary>
    OnlyInB,

    /// <summary>Both hold it, with different states (<see cref="RowDifference.Details"/> says how).</summary>
    Differs,
}

/// <summary>The outcome of comparing two replicas.</summary>
/// <param name="A">The first replica's database, as named in output.</param>
/// <param name="B">The second's.</param>
/// <param name="RowsA">How many rows (alive or deleted) the first holds.</param>
/// <param name="RowsB">How many the second holds.</param>
/// <param name="OnlyInA">How many rows only the first holds.</param>
/// <param name="OnlyInB">How many rows only the second holds.</param>
/// <param name="Differing">How many rows both hold with different states.</param>
/// <param name="CollectedOnlyInA">Deleted rows the second keeps that the first has collected: no difference.</param>
/// <param name="CollectedOnlyInB">Deleted rows the first keeps that the second has collected: no difference.</param>
/// <param name="Rows">The rows that differ, by table and key, up to the limit asked for.</param>
internal sealed record DiffReport(string A, string B, long RowsA, long RowsB, long OnlyInA, long OnlyInB, long Differing,
    long CollectedOnlyInA, long CollectedOnlyInB, IReadOnlyList<RowDifference> Rows)
{
    /// <summary>Whether the replicas hold the same state of every row.</summary>
    [JsonPropertyOrder(-2)]
    public bool Converged => Total == 0;

    /// <summary>How many rows differ in all.</summary>
    [JsonPropertyOrder(-1)]
    public long Total => OnlyInA + OnlyInB + Differing;
}

/// <summary>A row that differs.</summary>
internal sealed record RowDifference(string Table, string Key, DifferenceKind Kind, IReadOnlyList<DifferenceDetail> Details);

/// <summary>
/// One thing that differs in a row held by both: <c>existence</c> (alive, deleted or held back), <c>addTags</c>,
/// <c>tombstones</c> (the timestamps, comma-separated), a column's <c>value</c> (canonical JSON), <c>clock</c> or <c>prior</c>
/// (a timestamp; a prior is the clock of the write the column's write replaced, null for none),
/// a <c>column</c> only one holds, or whether it is <c>shown</c> or held back.
/// </summary>
internal sealed record DifferenceDetail(string What, string? Column, string? A, string? B);
