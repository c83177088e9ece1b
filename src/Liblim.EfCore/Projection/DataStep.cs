namespace Liblim.EfCore.Projection;

/// <summary>
/// Writes that run together: rows of one table and one kind (one statement where the store can), or, when
/// <see cref="Combined"/>, writes whose references form a cycle and must run as one statement, whose constraints the
/// database checks at its end.
/// </summary>
internal sealed record DataStep(IReadOnlyList<DataOp> Ops, bool Combined);
