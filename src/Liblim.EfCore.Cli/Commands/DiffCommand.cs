using Liblim.EfCore.Cli.Comparison;
using Liblim.EfCore.Cli.Inspection;
using Liblim.EfCore.Cli.Output;

namespace Liblim.EfCore.Cli.Commands;

/// <summary>
/// <c>liblim diff A B</c>: whether two replicas have converged, and the rows that differ. Exits 0 when they have, 1 when
/// they differ.
/// </summary>
internal static class DiffCommand
{
    private const int DefaultLimit = 100;

    public static async Task<int> RunAsync(Arguments args, TextWriter output, CancellationToken ct)
    {
        var given = args.Databases.Concat(args.Values).ToList();
        if (given.Count != 2)
        {
            throw new CliException($"diff compares two databases: liblim diff <db-a> <db-b> (each a SQLite file or a PostgreSQL connection string), but got {given.Count}");
        }

        var (a, b) = await OpenAsync(DatabaseAddress.Parse(given[0]), DatabaseAddress.Parse(given[1]), ct).ConfigureAwait(false);
        await using (a.ConfigureAwait(false))
        await using (b.ConfigureAwait(false))
        {
            var forms = ValueForms.For(a.Catalog.Kind, a.Context.Schema, b.Catalog.Kind, b.Context.Schema);
            var report = await ReplicaDiff.RunAsync(a, b, forms, args.Limit ?? DefaultLimit, ct).ConfigureAwait(false);
            if (args.Json)
            {
                Json.Write(output, report);
            }
            else
            {
                Write(output, report);
            }

            return report.Converged ? ExitCodes.Ok : ExitCodes.Differ;
        }
    }

    /// <summary>
    /// Opens both replicas, each read by a schema that reads the same value the same way in both: a SQLite replica takes a
    /// PostgreSQL one's column types; two SQLite replicas read as GUIDs the text columns that hold only GUIDs in both.
    /// </summary>
    private static async Task<(InspectedReplica A, InspectedReplica B)> OpenAsync(DatabaseAddress addressA, DatabaseAddress addressB, CancellationToken ct)
    {
        var catalogA = await ReplicaCatalog.OpenAsync(addressA, ct).ConfigureAwait(false);
        ReplicaCatalog? catalogB = null;
        try
        {
            catalogB = await ReplicaCatalog.OpenAsync(addressB, ct).ConfigureAwait(false);
            var schemaA = await catalogA.ReadSchemaAsync(ct).ConfigureAwait(false);
            var schemaB = await catalogB.ReadSchemaAsync(ct).ConfigureAwait(false);
            if (catalogA.Kind == DatabaseKind.Sqlite && catalogB.Kind == DatabaseKind.Postgres)
            {
                schemaA = schemaA.WithTypesFrom(schemaB);
            }
            else if (catalogA.Kind == DatabaseKind.Postgres && catalogB.Kind == DatabaseKind.Sqlite)
            {
                schemaB = schemaB.WithTypesFrom(schemaA);
            }
            else if (catalogA.Kind == DatabaseKind.Sqlite)
            {
                var guids = GuidColumns.Agreed(
                    await catalogA.FindGuidColumnsAsync(schemaA, keysOnly: false, ct).ConfigureAwait(false),
                    await catalogB.FindGuidColumnsAsync(schemaB, keysOnly: false, ct).ConfigureAwait(false));
                (schemaA, schemaB) = (schemaA.WithGuids(guids), schemaB.WithGuids(guids));
            }

            return (InspectedReplica.Over(catalogA, schemaA), InspectedReplica.Over(catalogB, schemaB));
        }
        catch (System.Data.Common.DbException e)
        {
            await catalogA.DisposeAsync().ConfigureAwait(false);
            await (catalogB?.DisposeAsync() ?? ValueTask.CompletedTask).ConfigureAwait(false);
            throw new CliException($"cannot read the catalogs of the databases: {e.Message}", e);
        }
        catch
        {
            await catalogA.DisposeAsync().ConfigureAwait(false);
            await (catalogB?.DisposeAsync() ?? ValueTask.CompletedTask).ConfigureAwait(false);
            throw;
        }
    }

    private static void Write(TextWriter output, DiffReport report)
    {
        new TextTable()
            .Add("A", $"{report.A} ({Text.Count(report.RowsA, "row", "rows")}, deleted ones included)")
            .Add("B", $"{report.B} ({Text.Count(report.RowsB, "row", "rows")}, deleted ones included)")
            .WriteTo(output);
        if (report.CollectedOnlyInA + report.CollectedOnlyInB > 0)
        {
            output.WriteLine($"collected: {Text.Count(report.CollectedOnlyInA, "deleted row", "deleted rows")} B keeps are collected in A, " +
                             $"{Text.Count(report.CollectedOnlyInB, "deleted row", "deleted rows")} A keeps are collected in B (no difference)");
        }

        if (report.Converged)
        {
            output.WriteLine("converged: yes (every row of every replicated table has the same replicated state)");
            return;
        }

        output.WriteLine($"converged: no ({Text.Count(report.Total, "row differs", "rows differ")}: {Text.Number(report.OnlyInA)} only in A, " +
                         $"{Text.Number(report.OnlyInB)} only in B, {Text.Number(report.Differing)} in both with different states)");
        var table = new TextTable("table", "key", "difference");
        foreach (var row in report.Rows)
        {
            table.Add(row.Table, row.Key, row.Kind switch
            {
                DifferenceKind.OnlyInA => "only in A",
                DifferenceKind.OnlyInB => "only in B",
                _ => row.Details.Count == 0 ? "states differ" : string.Join("; ", row.Details.Select(Describe)),
            });
        }

        table.WriteTo(output);
        if (report.Rows.Count < report.Total)
        {
            output.WriteLine($"({Text.Number(report.Rows.Count)} of {Text.Number(report.Total)} listed: --limit <n> lists more)");
        }
    }

    private static string Describe(DifferenceDetail detail) => detail.What switch
    {
        "value" => $"value of {detail.Column}: A {detail.A}, B {detail.B}",
        "clock" => $"clock of {detail.Column}: A {Text.Clock(detail.A!)}, B {Text.Clock(detail.B!)}",
        "prior" => $"prior of {detail.Column} (the write it replaced): A {(detail.A is null ? "none" : Text.Clock(detail.A))}, B {(detail.B is null ? "none" : Text.Clock(detail.B))}",
        "column" => $"column {detail.Column} only in {(detail.A is null ? "B" : "A")}",
        "addTags" => $"add tags: A {Tags(detail.A)}, B {Tags(detail.B)}",
        "tombstones" => $"tombstones: A {Tags(detail.A)}, B {Tags(detail.B)}",
        _ => $"{detail.What}: A {detail.A}, B {detail.B}",
    };

    private static string Tags(string? tags) => string.IsNullOrEmpty(tags) ? "none" : string.Join(" and ", tags.Split(',').Select(Text.Clock));
}
