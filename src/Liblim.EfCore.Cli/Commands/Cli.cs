using System.Reflection;

namespace Liblim.EfCore.Cli.Commands;

/// <summary>The <c>liblim</c> command: reads the arguments and runs the command they name.</summary>
internal static class Cli
{
    public const string Usage = """
        liblim: looks into a Liblim.EfCore replica (a SQLite file or a PostgreSQL database), without the app's model.

        usage:
          liblim status    --db <db>                  node id, feed head, collected position, rows per table, peers
          liblim peers     --db <db>                  each peer: address, last sync, last error, positions, rows pending
          liblim conflicts --db <db>                  the conflict journal, newest first: the value kept and the value lost
          liblim held-back --db <db>                  the rows held back: table, key, reason, the row each waits for
          liblim row       --db <db> <table> <key>    one row's replicated state: clocks as times and node ids, tags, values
          liblim diff      <db-a> <db-b>              whether two replicas have converged, and the rows that differ

        <db> is a SQLite file's path, or a PostgreSQL connection string (any value holding '='), such as
        "Host=localhost;Database=shop;Username=app". <key> is the key's values in key order, comma-separated
        (7, or 7,abc), or its JSON text ([7], ["abc"]).

        options:
          --json         machine-readable output
          --limit <n>    conflicts, diff: list at most n (100)
          --table <t>, --key <k>, --since <time>
                         conflicts: only those of a table, of a row, decided at or after a time (UTC unless it says)

        The database is only read: opened read-only (SQLite) or in read-only transactions (PostgreSQL).
        Exit codes: 0 done (diff: converged), 1 diff: the replicas differ, 2 the command could not run.
        docs/cli.md has the details.
        """;

    public static async Task<int> RunAsync(IReadOnlyList<string> argv, TextWriter output, CancellationToken ct)
    {
        var args = Arguments.Parse(argv);
        if (args.Help || args.Command is null or "help")
        {
            output.WriteLine(Usage);
            return ExitCodes.Ok;
        }

        if (args.Command is not ("status" or "peers" or "conflicts" or "held-back" or "row" or "diff" or "version"))
        {
            throw new CliException($"unknown command '{args.Command}': status, peers, conflicts, held-back, row or diff (liblim --help)");
        }

        if (args.Filters.Count > 0 && args.Command != "conflicts")
        {
            throw new CliException($"--{args.Filters.Keys.First()} is an option of conflicts, not of {args.Command} (liblim --help)");
        }

        if (args.Limit is not null && args.Command is not ("conflicts" or "diff"))
        {
            throw new CliException($"--limit is an option of conflicts and diff, not of {args.Command} (liblim --help)");
        }

        return args.Command switch
        {
            "status" => await StatusCommand.RunAsync(args, output, ct).ConfigureAwait(false),
            "peers" => await PeersCommand.RunAsync(args, output, ct).ConfigureAwait(false),
            "conflicts" => await ConflictsCommand.RunAsync(args, output, ct).ConfigureAwait(false),
            "held-back" => await HeldBackCommand.RunAsync(args, output, ct).ConfigureAwait(false),
            "row" => await RowCommand.RunAsync(args, output, ct).ConfigureAwait(false),
            "diff" => await DiffCommand.RunAsync(args, output, ct).ConfigureAwait(false),
            _ => Version(output),
        };
    }

    private static int Version(TextWriter output)
    {
        output.WriteLine(typeof(Cli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]);
        return ExitCodes.Ok;
    }
}
