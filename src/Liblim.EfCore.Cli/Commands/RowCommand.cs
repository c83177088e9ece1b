using Liblim.EfCore.Cli.Inspection;
using Liblim.EfCore.Cli.Output;
using Liblim.EfCore.Cli.Reports;

namespace Liblim.EfCore.Cli.Commands;

/// <summary><c>liblim row --db X &lt;table&gt; &lt;key&gt;</c>: one row's replicated state, its clocks as times and node ids.</summary>
internal static class RowCommand
{
    public static async Task<int> RunAsync(Arguments args, TextWriter output, CancellationToken ct)
    {
        var values = args.Expect("table", "key");
        var replica = await InspectedReplica.OpenAsync(args.Database(), guidKeys: true, ct).ConfigureAwait(false);
        await using (replica.ConfigureAwait(false))
        {
            var row = await RowReport.ReadAsync(replica, values[0], values[1], ct).ConfigureAwait(false);
            if (args.Json)
            {
                Json.Write(output, new
                {
                    row.Database,
                    row.Table,
                    row.Key,
                    row.State,
                    row.Position,
                    row.Hold,
                    row.Origin,
                    row.BaseClock,
                    row.AddTags,
                    row.Tombstones,
                    row.ValuesFrom,
                    Columns = row.Columns.Select(c => new { c.Name, Value = Json.Value(c.Value), c.Written, c.Prior, c.Kept }),
                });
                return ExitCodes.Ok;
            }

            output.WriteLine($"{row.Table} {row.Key} in {row.Database}");
            var fields = new TextTable()
                .Add("state", row.State + (row.Hold is { } hold
                    ? $" ({hold.Reason}: waits for {hold.Table} {hold.Key}{(hold.Index is null ? "" : $", index {hold.Index}")})"
                    : ""))
                .Add("feed position", Text.Number(row.Position))
                .Add("origin", Origin(row.Origin))
                .Add("base clock", Text.Clock(row.BaseClock))
                .Add("add tags", row.AddTags.Count == 0 ? "none (deleted)" : string.Join("; ", row.AddTags.Select(Text.Clock)))
                .Add("tombstones", row.Tombstones.Count == 0 ? "none" : string.Join("; ", row.Tombstones.Select(Text.Clock)))
                .Add("values from", row.ValuesFrom);
            fields.WriteTo(output);
            output.WriteLine();
            var columns = new TextTable("column", "value", "written at", "written over", "by node");
            foreach (var column in row.Columns)
            {
                columns.Add(column.Name + (column.Kept && row.ValuesFrom != "metadata row" ? " (kept)" : ""), column.Value ?? "(not loaded)",
                    Text.When(column.Written), column.Prior is { } prior ? Text.When(prior) : "-", Text.Node(column.Written.Node, column.Written.NodeLabel));
            }

            columns.WriteTo(output);
            return ExitCodes.Ok;
        }
    }

    private static string Origin(RowOrigin origin)
    {
        var parts = new List<string>();
        if (origin.LatestChange == "local update")
        {
            parts.Add("latest change: a local update");
        }
        else if (origin.LatestChange == "merge")
        {
            parts.Add($"latest change: a merge of node {origin.From}'s state");
        }

        if (origin.Source is { } source)
        {
            parts.Add($"state taken whole from node {source}");
        }

        return parts.Count == 0 ? "not recorded (the clocks say which node wrote what)" : string.Join("; ", parts);
    }
}
