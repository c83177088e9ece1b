using Liblim.EfCore.Cli.Inspection;
using Liblim.EfCore.Cli.Output;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.Cli.Commands;

/// <summary><c>liblim held-back --db X</c>: the rows held back, why, and the row each waits for (<c>GetHeldBackRowsAsync</c>).</summary>
internal static class HeldBackCommand
{
    public static async Task<int> RunAsync(Arguments args, TextWriter output, CancellationToken ct)
    {
        args.Expect();
        var replica = await InspectedReplica.OpenAsync(args.Database(), guidKeys: false, ct).ConfigureAwait(false);
        await using (replica.ConfigureAwait(false))
        {
            var rows = await replica.ReadAsync(_ => replica.Context.Liblim().GetHeldBackRowsAsync(ct), ct).ConfigureAwait(false);
            if (args.Json)
            {
                Json.Write(output, new
                {
                    Database = replica.Address.Display,
                    Rows = rows.Select(r => new
                    {
                        r.Table,
                        r.Key,
                        r.Reason,
                        WaitsFor = new { Table = r.RelatedTable, Key = r.RelatedKey },
                        r.Index,
                        Values = r.Values.ToDictionary(v => v.Key, v => Json.Value(v.Value)),
                    }),
                });
                return ExitCodes.Ok;
            }

            if (rows.Count == 0)
            {
                output.WriteLine($"{replica.Address.Display} holds back no row");
                return ExitCodes.Ok;
            }

            var table = new TextTable("table", "key", "reason", "waits for", "index");
            foreach (var row in rows)
            {
                table.Add(row.Table, row.Key, row.Reason.ToString(), $"{row.RelatedTable} {row.RelatedKey}", row.Index ?? "-");
            }

            table.WriteTo(output);
            return ExitCodes.Ok;
        }
    }
}
