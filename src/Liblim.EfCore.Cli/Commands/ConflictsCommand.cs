using System.Globalization;
using Liblim.EfCore.Cli.Inspection;
using Liblim.EfCore.Cli.Output;
using Liblim.EfCore.Cli.Reports;

namespace Liblim.EfCore.Cli.Commands;

/// <summary>
/// <c>liblim conflicts --db X [--table T [--key K]] [--since TIME] [--limit N]</c>: the conflict journal, newest first:
/// which write lost each conflict, to which, their nodes and times.
/// </summary>
internal static class ConflictsCommand
{
    private const int DefaultLimit = 100;

    public static async Task<int> RunAsync(Arguments args, TextWriter output, CancellationToken ct)
    {
        args.Expect();
        DateTimeOffset? since = args.Filters.TryGetValue("since", out var text)
            ? DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time
                : throw new CliException($"--since takes a time, such as 2026-05-01 or 2026-05-01T10:00:00Z, not '{text}'")
            : null;
        var replica = await InspectedReplica.OpenAsync(args.Database(), guidKeys: args.Filters.ContainsKey("key"), ct).ConfigureAwait(false);
        await using (replica.ConfigureAwait(false))
        {
            var (entries, total) = await ConflictReport.ReadAsync(replica, args.Filters.GetValueOrDefault("table"), args.Filters.GetValueOrDefault("key"), since,
                args.Limit ?? DefaultLimit, ct).ConfigureAwait(false);
            if (args.Json)
            {
                Json.Write(output, new
                {
                    Database = replica.Address.Display,
                    Total = total,
                    Conflicts = entries.Select(e => new
                    {
                        e.Id,
                        e.Table,
                        e.Key,
                        e.Column,
                        Kept = e.Kept is null ? null : new { Value = Json.Value(e.Kept), Written = e.KeptWritten },
                        LostToDelete = e.Kept is null,
                        Lost = new { Value = Json.Value(e.Lost), Written = e.LostWritten },
                        e.DecidedAt,
                    }),
                });
                return ExitCodes.Ok;
            }

            if (total == 0)
            {
                output.WriteLine($"{replica.Address.Display} has recorded no conflict{(args.Filters.Count > 0 ? " of these" : "")}");
                return ExitCodes.Ok;
            }

            var table = new TextTable("decided at", "table", "key", "column", "kept", "its write", "lost", "its write");
            foreach (var e in entries)
            {
                table.Add(Text.Time(e.DecidedAt), e.Table, e.Key, e.Column, e.Kept ?? "(the row's delete)", e.KeptWritten is { } kept ? Text.Clock(kept) : "", e.Lost, Text.Clock(e.LostWritten));
            }

            table.WriteTo(output);
            if (entries.Count < total)
            {
                output.WriteLine($"({Text.Number(entries.Count)} of {Text.Number(total)} listed, newest first: --limit <n> lists more)");
            }

            return ExitCodes.Ok;
        }
    }
}
