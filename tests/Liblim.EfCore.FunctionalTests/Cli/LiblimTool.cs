using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Liblim.EfCore.FunctionalTests.Cli;

/// <summary>What a run of the liblim command printed, and its exit code.</summary>
public sealed record ToolRun(int ExitCode, string Output, string Error)
{
    /// <summary>The output as JSON (a run with --json).</summary>
    public JsonElement Json => JsonDocument.Parse(Output).RootElement;

    /// <summary>The output's lines, without trailing spaces.</summary>
    public string[] Lines => Output.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToArray();

    public override string ToString() => $"exit {ExitCode}\n{Output}\n{Error}";
}

/// <summary>
/// The liblim command (src/Liblim.EfCore.Cli) as a user runs it: the assembly the build made, run by <c>dotnet</c> in a
/// process of its own, against the databases the tests made.
/// </summary>
public static class LiblimTool
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>The tool's assembly, built with this test project (its configuration) before it.</summary>
    public static string Assembly { get; } = Path.Combine(RepositoryRoot, "src", "Liblim.EfCore.Cli", "bin",
        typeof(LiblimTool).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration, "net10.0", "Liblim.EfCore.Cli.dll");

    /// <summary>The folder of Liblim.EfCore.sln.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Liblim.EfCore.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("The tests run outside the repository: Liblim.EfCore.sln was not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The <c>dotnet</c> that runs the tests.</summary>
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";

    /// <summary>Runs <c>liblim</c> with the arguments.</summary>
    public static Task<ToolRun> RunAsync(params string[] args) => RunProcessAsync(Dotnet, [Assembly, .. args], workingDirectory: null);

    /// <summary>Runs a program to its end, and gives what it printed.</summary>
    public static async Task<ToolRun> RunProcessAsync(string program, IEnumerable<string> args, string? workingDirectory, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not end within {Timeout}");
        }

        return new ToolRun(process.ExitCode, await output, await error);
    }

    /// <summary>The value of <c>--db</c> for a replica: its SQLite file, or its PostgreSQL connection string.</summary>
    public static string Db(IReplica replica) => replica switch
    {
        SqliteReplica sqlite => sqlite.Path,
        PostgresReplica postgres => postgres.ConnectionString,
        _ => throw new ArgumentOutOfRangeException(nameof(replica)),
    };

    /// <summary>How the tool names a PostgreSQL database in its output: the server and the database, no password.</summary>
    public static string DisplayOf(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        return $"{builder.Host}{(builder.Port == Npgsql.NpgsqlConnection.DefaultPort ? "" : ":" + builder.Port)}/{builder.Database}";
    }

    /// <summary>The value of <c>--db</c> for a replica of a model of its own.</summary>
    public static string Db<TContext>(ContextReplica<TContext> replica)
        where TContext : Microsoft.EntityFrameworkCore.DbContext
        => replica.Database == DatabaseKind.Sqlite ? new SqliteConnectionStringBuilder(replica.ConnectionString).DataSource : replica.ConnectionString;
}
