namespace Liblim.EfCore.Projection;

/// <summary>
/// Orders the writes of a merge so that no statement leaves a data table violating a foreign key or a unique index:
/// a row leaves before the rows it referenced (children first) and before another row takes its unique value; a row
/// arrives after the rows it references (parents first). Rows of one table are inserted by one statement, whose
/// references among themselves the database checks at its end. No database here.
/// </summary>
/// <remarks>
/// Some orders cannot be met one statement after another. Updates that exchange unique values (or a unique value
/// and a reference) form a cycle: <see cref="Order"/> then names the cycle's updates, to turn into a delete and an
/// insert (with the rows that reference them), after which the cycle is gone. A cycle of references only is written as one
/// combined statement, or, where foreign key checks are deferred to the commit (SQLite), in any order.
/// </remarks>
internal static partial class WritePlan
{
    /// <summary>The steps, in order; or, when <see cref="Result.Reseat"/> is not empty, updates the caller must turn into a delete and an insert first.</summary>
    /// <param name="ops">The writes; at most one delete, update and insert per row.</param>
    /// <param name="deferredForeignKeys">Whether foreign keys are checked at commit (SQLite's defer_foreign_keys): then only the
    /// immediate actions (RESTRICT, and CASCADE, which would go on into rows that stay) still order deletes.</param>
    public static Result Order(IReadOnlyList<DataOp> ops, bool deferredForeignKeys)
    {
        var graph = new Graph(ops, deferredForeignKeys);
        var components = graph.StronglyConnected();
        var reseat = new List<DataOp>();
        foreach (var component in components.Where(c => c.Count > 1))
        {
            var members = component.ToHashSet();
            var unique = graph.Edges.Where(e => e.Unique && members.Contains(e.From) && members.Contains(e.To)).ToList();
            if (unique.Count == 0)
            {
                continue;
            }

            // Every update of the cycle: once they are deletes and inserts, no cycle through a unique edge is left (an insert
            // never leads back to a delete).
            var updates = component.SelectMany(n => graph.Nodes[n]).Where(o => o.Kind == DataOpKind.Update).ToList();
            if (updates.Count == 0)
            {
                throw new LiblimException("Liblim cannot order the writes of this merge: rows that leave and arrive exchange unique values in a cycle " +
                                          $"({string.Join(", ", component.SelectMany(n => graph.Nodes[n]).Take(5))}). Please report this.");
            }

            reseat.AddRange(updates);
        }

        return reseat.Count > 0 ? new Result([], reseat) : new Result(graph.Steps(components), []);
    }

    /// <summary>Ordered steps, or the updates to re-seat first.</summary>
    public sealed record Result(IReadOnlyList<DataStep> Steps, IReadOnlyList<DataOp> Reseat);

    private readonly record struct Edge(int From, int To, bool Unique);
}
