using Liblim.EfCore.FunctionalTests.Infrastructure;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Liblim.EfCore.FunctionalTests.Cli;

/// <summary>What the liblim command says when it cannot do what was asked: one line on stderr, exit code 2, no stack trace.</summary>
public class CliErrorTests
{
    [Fact]
    public async Task A_missing_file_a_file_that_is_not_a_database_and_a_database_without_liblim_are_each_one_line()
    {
        var missing = TestFiles.NewPath("missing");
        var text = TestFiles.NewPath("text");
        var plain = TestFiles.NewPath("plain");
        await File.WriteAllTextAsync(text, "not a database, only words, long enough to fill the header SQLite looks for and more");
        await using (var connection = new SqliteConnection($"Data Source={plain};Pooling=false"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)";
            await command.ExecuteNonQueryAsync();
        }

        try
        {
            AssertError($"no such file: {missing}", await LiblimTool.RunAsync("status", "--db", missing));
            AssertError($"{text} is not a SQLite database", await LiblimTool.RunAsync("peers", "--db", text));
            AssertError($"{plain} is not a Liblim database: it has no __liblim_state table (a database of an app that calls UseLiblim(), created or migrated).",
                await LiblimTool.RunAsync("held-back", "--db", plain));
            AssertError($"no such file: {missing}", await LiblimTool.RunAsync("diff", missing, plain));
        }
        finally
        {
            File.Delete(text);
            File.Delete(plain);
        }
    }

    [Fact]
    public async Task An_unknown_table_a_malformed_key_and_wrong_arguments_are_each_one_line()
    {
        using var replica = new SqliteReplica("errors");
        var db = LiblimTool.Db(replica);

        AssertError($"{db} has no replicated table 'Nope'; it has: Audit, Items, Shapes", await LiblimTool.RunAsync("row", "--db", db, "Nope", "1"));
        AssertError("'c1,first' is not a key of Shapes (Code (text), Region (integer)): ",
            await LiblimTool.RunAsync("row", "--db", db, "Shapes", "c1,first"), startsOnly: true);
        AssertError("'c1' is not a key of Shapes (Code (text), Region (integer)): it has 1 value(s), the key 2", await LiblimTool.RunAsync("row", "--db", db, "Shapes", "c1"));
        AssertError("row takes <table> and <key>, but got 1 value(s)", await LiblimTool.RunAsync("row", "--db", db, "Items"));
        AssertError("status reads one database: give it with --db <sqlite-file | postgres-connection-string>", await LiblimTool.RunAsync("status"));
        AssertError("unknown command 'stats': status, peers, conflicts, held-back, row or diff (liblim --help)", await LiblimTool.RunAsync("stats", "--db", db));
        AssertError("unknown option --jsn (liblim --help)", await LiblimTool.RunAsync("status", "--db", db, "--jsn"));
        AssertError("--table is an option of conflicts, not of status (liblim --help)", await LiblimTool.RunAsync("status", "--db", db, "--table", "Items"));

        var help = await LiblimTool.RunAsync("--help");
        Assert.Equal(0, help.ExitCode);
        Assert.Contains(help.Lines, l => l.TrimStart().StartsWith("liblim diff", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_server_that_cannot_be_reached_and_a_postgres_database_without_liblim_are_each_one_line()
    {
        var unreachable = "Host=127.0.0.1;Port=1;Database=shop;Username=app;Password=secret;Timeout=3";
        var run = await LiblimTool.RunAsync("status", "--db", unreachable);
        AssertError("cannot connect to 127.0.0.1:1/shop: ", run, startsOnly: true);
        Assert.DoesNotContain("secret", run.Error, StringComparison.Ordinal);

        var empty = PostgresServer.Instance.CreateDatabase();
        AssertError($"{LiblimTool.DisplayOf(empty)} is not a Liblim database: it has no __liblim_state table (a database of an app that calls UseLiblim(), created or migrated).",
            await LiblimTool.RunAsync("status", "--db", empty));
        var absent = new NpgsqlConnectionStringBuilder(empty) { Database = "liblim_no_such_database" }.ConnectionString;
        AssertError($"cannot connect to {LiblimTool.DisplayOf(absent)}: 3D000: database \"liblim_no_such_database\" does not exist",
            await LiblimTool.RunAsync("status", "--db", absent));
    }

    private static void AssertError(string message, ToolRun run, bool startsOnly = false)
    {
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Equal("", run.Output);
        var line = Assert.Single(run.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        if (startsOnly)
        {
            Assert.StartsWith("liblim: " + message, line, StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("liblim: " + message, line);
        }
    }
}
