using System.Diagnostics;

namespace Liblim.EfCore.FunctionalTests.Infrastructure;

/// <summary>
/// Where the tests' files go (SQLite databases, backups, the Python peer's and the command line's files): a folder of
/// this test process's own under the temp folder's <c>liblim-tests</c>, deleted when the process exits. A run that
/// did not exit cleanly leaves its folder, which the next run deletes once no process has that run's id.
/// </summary>
public static class TestFiles
{
    private const string RunPrefix = "run-";

    private static readonly Lazy<string> RunFolder = new(CreateRunFolder);

    /// <summary>A new file path for a database named <paramref name="name"/>: <c>{name}-{32 hex digits}.db</c>, in this run's folder.</summary>
    public static string NewPath(string name) => Path.Combine(RunFolder.Value, $"{name}-{Guid.NewGuid():N}.db");

    private static string CreateRunFolder()
    {
        var root = Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "liblim-tests")).FullName;
        foreach (var folder in Directory.GetDirectories(root, RunPrefix + "*"))
        {
            if (int.TryParse(Path.GetFileName(folder)[RunPrefix.Length..], out var process) && !IsRunning(process))
            {
                TryDelete(folder);
            }
        }

        var run = Directory.CreateDirectory(Path.Combine(root, RunPrefix + Environment.ProcessId)).FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => TryDelete(run);
        return run;
    }

    private static bool IsRunning(int process)
    {
        try
        {
            using var running = Process.GetProcessById(process);
            return !running.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no process has that id
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A file still held open: the next run deletes the folder.
        }
    }
}
