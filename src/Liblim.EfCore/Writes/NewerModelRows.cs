using System.Text.Json;
using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;

namespace Liblim.EfCore.Writes;

/// <summary>
/// Rows that keep what a newer model wrote, in their metadata rows, whose <c>awaiting</c> column names their table
/// (<see cref="RowHold.AwaitingModel"/>): values of columns this database's model does not have, of a shown row; and
/// whole rows of tables it does not have, not shown (<see cref="HoldKind.NotInModel"/>). Once a migration has added such
/// a column or table, the rows are reconciled again (<see cref="CatchUp"/>): their tables show them, and the metadata
/// of a row that keeps nothing more goes back into its row.
/// </summary>
internal static class NewerModelRows
{
    /// <summary>
    /// Reconciles again, at their own positions (their states do not change, so no peer needs them again), the rows of
    /// tables the model now has, and the rows that keep a value of a column their table now has; returns how many.
    /// </summary>
    public static async Task<int> ShowNowKnownAsync(ReplicaWrite write, StoreSession session, bool async, CancellationToken ct)
    {
        var shown = 0;
        var awaiting = await session.Shadow.ReadAwaitingAsync([.. session.Model.Tables.Select(t => RowHold.AwaitingModel(t.Name))], async, ct).ConfigureAwait(false);
        foreach (var row in awaiting)
        {
            var table = session.Model.FindTable(row.Table)!;
            if (row.Hold?.Kind != HoldKind.NotInModel && !KeepsColumnOf(table, row))
            {
                continue; // the model here is still older than what the row keeps
            }

            write.Change(table, RowStateCodec.Decode(table, row, null), row, row.Seq, row.Source);
            shown++;
        }

        return shown;
    }

    private static bool KeepsColumnOf(ReplicatedTable table, ShadowRow row)
    {
        if (row.KeptValues is null)
        {
            return false;
        }

        using var kept = JsonDocument.Parse(row.KeptValues);
        return kept.RootElement.EnumerateObject().Any(c => table.FindColumn(c.Name) is not null);
    }
}
