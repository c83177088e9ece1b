using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Liblim.EfCore.FunctionalTests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster: initdb into a temp folder, then pg_ctl start on a free loopback port with its
/// socket in that folder, trust authentication and no fsync. PostgreSQL refuses to run as root, so a root process
/// runs both as the <c>postgres</c> OS user. Stopped and deleted by <see cref="Dispose"/>, and in any case by a
/// detached watcher once this process is gone; the next run removes any that a watcher missed.
/// </summary>
public sealed class PostgresCluster : IDisposable
{
    private const string FolderPrefix = "liblim-pg-";
    private const string OwnerFile = "owner.pid";

    private readonly string _binaries;
    private readonly string _folder;
    private int _stopped;

    private PostgresCluster(string binaries, string folder, int port)
    {
        _binaries = binaries;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The maintenance database, as the superuser.</summary>
    public string ConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Include Error Detail=true";

    private string DataFolder => Path.Combine(_folder, "data");

    private static bool AsRoot => Environment.IsPrivilegedProcess;

    // The postgres user must reach the folder: root's own TMPDIR may be closed to it, /tmp never is.
    private static string Root => AsRoot && Directory.Exists("/tmp") ? "/tmp" : Path.GetTempPath();

    public static PostgresCluster Start()
    {
        var binaries = FindBinaries() ?? throw new InvalidOperationException(
            "PostgreSQL is not installed, and the functional tests run against a real PostgreSQL server. Install its server " +
            "binaries (Debian/Ubuntu: apt-get install postgresql; bash scripts/test.sh does this when run as root), or set " +
            "LIBLIM_TEST_PG to the connection string of a running server whose user may create databases.");
        RemoveAbandonedClusters(binaries);

        var folder = Path.Combine(Root, FolderPrefix + Guid.NewGuid().ToString("N")[..10]);
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(folder);
        }
        else
        {
            Directory.CreateDirectory(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        File.WriteAllText(Path.Combine(folder, OwnerFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        if (AsRoot)
        {
            if (Run("id", ["-u", "postgres"], asPostgres: false, folder).ExitCode != 0)
            {
                throw new InvalidOperationException("The tests run as root, which PostgreSQL refuses, and there is no 'postgres' OS user to run it as. " +
                                                    "Install PostgreSQL from the distribution's packages (they create that user), or run the tests as another user.");
            }

            Check(Run("chown", ["-R", "postgres:", folder], asPostgres: false, folder), "chown");
        }

        Check(Run(Path.Combine(binaries, "initdb"),
            ["-D", Path.Combine(folder, "data"), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"], AsRoot, folder), "initdb");

        string? lastError = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var cluster = new PostgresCluster(binaries, folder, FreePort());
            var options = $"-c listen_addresses=127.0.0.1 -p {cluster.Port} -k {folder} -c fsync=off -c synchronous_commit=off " +
                          "-c full_page_writes=off -c max_connections=400";
            var start = Run(Path.Combine(binaries, "pg_ctl"),
                ["-D", cluster.DataFolder, "-l", Path.Combine(folder, "server.log"), "-w", "-t", "60", "-o", options, "start"], AsRoot, folder);
            if (start.ExitCode == 0)
            {
                cluster.WatchOwner();
                return cluster;
            }

            lastError = start.Output + ReadLog(folder);
        }

        TryDelete(folder);
        throw new InvalidOperationException($"PostgreSQL did not start (pg_ctl start in {folder}):\n{lastError}");
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            Stop(_binaries, DataFolder, _folder);
            TryDelete(_folder);
        }
    }

    /// <summary>
    /// Starts a detached watcher that stops and deletes the cluster once this process is gone: the test host is
    /// often ended before its exit handlers finish, and never runs them when killed.
    /// </summary>
    private void WatchOwner()
    {
        var stop = AsRoot ? $"runuser -u postgres -- '{_binaries}/pg_ctl'" : $"'{_binaries}/pg_ctl'";
        var script = $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; " +
                     $"{stop} -D '{DataFolder}' -m immediate -w stop >/dev/null 2>&1; rm -rf '{_folder}'";
        var watcher = new ProcessStartInfo("setsid") { WorkingDirectory = _folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-f", "sh", "-c", script })
        {
            watcher.ArgumentList.Add(a);
        }

        try
        {
            using var process = Process.Start(watcher)!;
            process.WaitForExit(TimeSpan.FromSeconds(10));
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No setsid: the exit handler, and the next run's cleanup, remove the cluster.
        }
    }

    private static void Stop(string binaries, string data, string folder)
        => Run(Path.Combine(binaries, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"], AsRoot, folder);

    /// <summary>The folder of initdb and pg_ctl: the newest Debian/Ubuntu install, else the PATH.</summary>
    private static string? FindBinaries()
    {
        var debian = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => (Version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0, Bin: Path.Combine(d, "bin")))
                .Where(d => File.Exists(Path.Combine(d.Bin, "pg_ctl")) && File.Exists(Path.Combine(d.Bin, "initdb")))
                .OrderByDescending(d => d.Version)
                .Select(d => d.Bin)
                .FirstOrDefault()
            : null;
        return debian ?? (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/local/pgsql/bin"])
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "pg_ctl")) && File.Exists(Path.Combine(d, "initdb")));
    }

    /// <summary>Stops and deletes clusters whose test process is gone (killed before it could clean up).</summary>
    private static void RemoveAbandonedClusters(string binaries)
    {
        foreach (var folder in Directory.GetDirectories(Root, FolderPrefix + "*"))
        {
            var owner = Path.Combine(folder, OwnerFile);
            if (File.Exists(owner) && int.TryParse(File.ReadAllText(owner), out var pid) && !IsRunning(pid))
            {
                Stop(binaries, Path.Combine(folder, "data"), folder);
                TryDelete(folder);
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static (int ExitCode, string Output) Run(string file, string[] arguments, bool asPostgres, string workingDirectory)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory, // the postgres user may not enter the test's own folder
        };
        if (asPostgres)
        {
            foreach (var a in new[] { "-u", "postgres", "--", file })
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                return (-1, $"{file} did not finish within 2 minutes");
            }

            return (process.ExitCode, stdout.Result + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, $"{start.FileName} could not be started: {e.Message}");
        }
    }

    private static void Check((int ExitCode, string Output) result, string what)
    {
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"Setting up the PostgreSQL test cluster failed at {what} (exit code {result.ExitCode}):\n{result.Output}");
        }
    }

    private static string ReadLog(string folder)
    {
        var log = Path.Combine(folder, "server.log");
        return File.Exists(log) ? "\n" + File.ReadAllText(log) : "";
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
