using Liblim.EfCore.Cli.Inspection;
using Liblim.EfCore.Cli.Output;
using Liblim.EfCore.Cli.Reports;

namespace Liblim.EfCore.Cli.Commands;

/// <summary><c>liblim status --db X</c>: the node id, the feed's head and collected position, what each table holds, how many peers and conflicts.</summary>
internal static class StatusCommand
{
    public static async Task<int> RunAsync(Arguments args, TextWriter output, CancellationToken ct)
    {
        args.Expect();
        var replica = await InspectedReplica.OpenAsync(args.Database(), guidKeys: false, ct).ConfigureAwait(false);
        await using (replica.ConfigureAwait(false))
        {
            var status = await ReplicaStatus.ReadAsync(replica, ct).ConfigureAwait(false);
            if (args.Json)
            {
                Json.Write(output, new
                {
                    status.Database,
                    status.NodeId,
                    status.RetiredNodeId,
                    status.Head,
                    status.Collected,
                    status.Clock,
                    status.Rows,
                    status.HeldBack,
                    status.Deleted,
                    status.Peers,
                    status.Conflicts,
                    status.Tables,
                });
                return ExitCodes.Ok;
            }

            var fields = new TextTable()
                .Add("database", status.Database)
                .Add("node id", status.NodeId?.ToString() ?? "none yet (nothing written or synced)")
                .Add("feed head", Text.Number(status.Head))
                .Add("collected", status.Collected == 0 ? "0 (no deleted row collected)" : Text.Number(status.Collected))
                .Add("clock", Text.Time(status.Clock))
                .Add("peers", Text.Number(status.Peers))
                .Add("conflicts", Text.Number(status.Conflicts));
            if (status.RetiredNodeId is { } retired)
            {
                fields.Add("retired node id", retired.ToString());
            }

            fields.WriteTo(output);
            output.WriteLine();
            var tables = new TextTable("table", "rows", "held back", "deleted");
            foreach (var table in status.Tables)
            {
                tables.Add(table.Table, Text.Number(table.Rows), Text.Number(table.HeldBack), Text.Number(table.Deleted));
            }

            tables.Add("(all)", Text.Number(status.Rows), Text.Number(status.HeldBack), Text.Number(status.Deleted)).WriteTo(output);
            return ExitCodes.Ok;
        }
    }
}
