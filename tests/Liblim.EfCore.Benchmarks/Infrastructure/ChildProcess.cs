using System.Diagnostics;

namespace Liblim.EfCore.Benchmarks.Infrastructure;

/// <summary>This benchmark program started again as a child process running one of its child commands, with workstation GC.</summary>
internal static class ChildProcess
{
    /// <param name="command">The child command (the program's first argument).</param>
    /// <param name="arguments">Its arguments.</param>
    /// <param name="heapLimit">A GC heap hard limit (<c>DOTNET_GCHeapHardLimit</c>), or null.</param>
    public static Process Start(string command, IEnumerable<string> arguments, string? heapLimit = null)
    {
        var host = Environment.ProcessPath!;
        var start = new ProcessStartInfo(host)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        }

        start.ArgumentList.Add(command);
        foreach (var a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["DOTNET_gcServer"] = "0";
        if (heapLimit is not null)
        {
            start.Environment["DOTNET_GCHeapHardLimit"] = heapLimit;
        }

        return Process.Start(start)!;
    }
}
