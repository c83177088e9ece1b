using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Liblim.EfCore.FunctionalTests.Infrastructure;

namespace Liblim.EfCore.FunctionalTests.Interop;

/// <summary>
/// A Python replica (interop/python) run as a real <c>python3</c> process: <c>conformance_peer.py</c> with its own SQLite
/// file and the tables of a C# model, driven by JSON commands on its stdin, answering each with one JSON line. Whatever
/// the process writes to stderr is kept for assertion messages.
/// </summary>
public sealed class PythonPeer : IAsyncDisposable
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stderr = new();
    private readonly List<string> _transcript = [];

    private readonly bool _keepFile;

    private PythonPeer(Process process, string name, string path, bool keepFile)
    {
        _process = process;
        _keepFile = keepFile;
        Name = name;
        Path = path;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        _ = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync() is { } line)
            {
                await _lines.Writer.WriteAsync(line);
            }

            _lines.Writer.Complete();
        });
    }

    public string Name { get; }

    /// <summary>The Python replica's SQLite file.</summary>
    public string Path { get; }

    /// <summary>The folder holding Liblim.EfCore.sln, found by walking up from the test assembly's folder.</summary>
    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(System.IO.Path.Combine(dir.FullName, "Liblim.EfCore.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException($"No folder above {AppContext.BaseDirectory} holds Liblim.EfCore.sln.");
        }
    }

    public static string Script => System.IO.Path.Combine(RepositoryRoot, "interop", "python", "conformance_peer.py");

    /// <summary><c>python3</c> on PATH; fails the test (it does not skip it) when there is none.</summary>
    public static string Python3
    {
        get
        {
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(System.IO.Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                foreach (var name in OperatingSystem.IsWindows() ? new[] { "python3.exe", "python.exe" } : ["python3"])
                {
                    var candidate = System.IO.Path.Combine(dir, name);
                    if (File.Exists(candidate))
                    {
                        return candidate;
                    }
                }
            }

            Assert.Fail("python3 is not on PATH. The interop tests run the Python implementation of the protocol (interop/python, Python 3.11 or later, standard library only) as a real process: install Python 3 and put python3 on PATH.");
            return null!;
        }
    }

    /// <summary>Starts a Python replica of the model of <paramref name="model"/> (see <see cref="PythonModel.Of"/>), on a new file.</summary>
    public static PythonPeer Start(string name, string model) => Start(name, model, NewPath(name), keepFile: false);

    /// <summary>Starts a Python replica on the file <paramref name="path"/> (made if missing), kept at dispose when <paramref name="keepFile"/>.</summary>
    public static PythonPeer Start(string name, string model, string path, bool keepFile)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var process = Process.Start(StartInfo(["--db", path, "--model", model, "--log", "INFO"])) ?? throw new InvalidOperationException("python3 did not start.");
        return new PythonPeer(process, name, path, keepFile);
    }

    /// <summary>A new file name for a Python replica, in the tests' temp folder.</summary>
    public static string NewPath(string name) => TestFiles.NewPath($"python-{name}");

    /// <summary>Runs the driver once with a command line (e.g. <c>sync ADDRESS SECRET</c>) on the file <paramref name="path"/>; returns its exit code and its stdout lines.</summary>
    public static async Task<(int ExitCode, List<JsonElement> Lines, string Stderr)> RunOnceAsync(string path, string model, params string[] command)
    {
        using var process = Process.Start(StartInfo(["--db", path, "--model", model, .. command])) ?? throw new InvalidOperationException("python3 did not start.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(CommandTimeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"python3 conformance_peer.py {string.Join(' ', command)} did not end within {CommandTimeout.TotalSeconds} s. Its stderr:\n{await stderr}");
        }

        var lines = (await stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        return (process.ExitCode, lines, await stderr);
    }

    private static ProcessStartInfo StartInfo(IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(Python3)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
            StandardInputEncoding = new UTF8Encoding(false),
        };
        info.ArgumentList.Add(Script);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["PYTHONIOENCODING"] = "utf-8";
        info.Environment["PYTHONUNBUFFERED"] = "1";
        return info;
    }

    /// <summary>What the process wrote to stderr so far, and the commands it was sent: for assertion messages.</summary>
    public string Log
    {
        get
        {
            lock (_stderr)
            {
                return $"Commands sent to Python replica {Name}:\n{string.Join('\n', _transcript.TakeLast(30))}\nIts stderr:\n{_stderr}";
            }
        }
    }

    /// <summary>Sends one command and returns its answer; fails the test if none comes in time or the process ended.</summary>
    public async Task<JsonElement> SendAsync(object command)
    {
        var text = JsonSerializer.Serialize(command);
        _transcript.Add(Shorten(text));
        await _process.StandardInput.WriteLineAsync(text);
        await _process.StandardInput.FlushAsync();
        using var cts = new CancellationTokenSource(CommandTimeout);
        try
        {
            var line = await _lines.Reader.ReadAsync(cts.Token);
            return JsonDocument.Parse(line).RootElement.Clone();
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"The Python replica did not answer {Shorten(text)} within {CommandTimeout.TotalSeconds} s.\n{Log}");
        }
        catch (ChannelClosedException)
        {
            Assert.Fail($"The Python replica ended (exit code {(_process.HasExited ? _process.ExitCode : -1)}) without answering {Shorten(text)}.\n{Log}");
        }

        return default;
    }

    /// <summary>Sends a command that must succeed.</summary>
    public async Task<JsonElement> RunAsync(object command)
    {
        var answer = await SendAsync(command);
        Assert.True(answer.GetProperty("ok").GetBoolean(), $"The Python replica answered {answer} to {Shorten(JsonSerializer.Serialize(command))}.\n{Log}");
        return answer;
    }

    public Task<JsonElement> WriteAsync(params PythonWrite[] ops) => RunAsync(new { cmd = "write", ops });

    /// <summary>Every row state the Python replica holds, live or deleted.</summary>
    public async Task<List<RowView>> RowsAsync()
        => [.. (await RunAsync(new { cmd = "rows" })).GetProperty("rows").EnumerateArray().Select(RowView.FromPython)];

    public async Task<Guid> NodeAsync() => Guid.Parse((await RunAsync(new { cmd = "node" })).GetProperty("node").GetString()!);

    /// <summary>A one-shot sync, this replica the client; the answer holds ok, or error (the wire code) and message.</summary>
    public Task<JsonElement> SyncAsync(Uri server, string secret) => SendAsync(new { cmd = "sync", address = server.ToString(), secret });

    /// <summary>Starts serving this replica on a loopback port; returns its address.</summary>
    public async Task<Uri> ServeAsync(string secret)
        => new($"liblim://127.0.0.1:{(await RunAsync(new { cmd = "serve", secret })).GetProperty("port").GetInt32()}");

    /// <summary>How each session the server ran ended.</summary>
    public async Task<List<JsonElement>> ServerResultsAsync()
        => [.. (await RunAsync(new { cmd = "results" })).GetProperty("results").EnumerateArray()];

    public Task<JsonElement> StartLiveAsync(Uri server, string secret) => RunAsync(new { cmd = "live", address = server.ToString(), secret });

    public Task<JsonElement> LiveStateAsync() => RunAsync(new { cmd = "live_state" });

    public Task<JsonElement> StopLiveAsync() => SendAsync(new { cmd = "stop_live" });

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                await _process.StandardInput.WriteLineAsync("""{"cmd":"quit"}""");
                _process.StandardInput.Close();
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                try
                {
                    await _process.WaitForExitAsync(cts.Token);
                }
                catch (OperationCanceledException)
                {
                    _process.Kill(entireProcessTree: true);
                }
            }
        }
        catch (IOException)
        {
            // It ended already.
        }
        finally
        {
            _process.Dispose();
            foreach (var file in _keepFile ? [] : new[] { Path, Path + "-wal", Path + "-shm" })
            {
                try { File.Delete(file); } catch (IOException) { }
            }
        }
    }

    public override string ToString() => Name;

    private static string Shorten(string text) => text.Length > 400 ? text[..400] + "…" : text;
}

/// <summary>One write of the driver's <c>write</c> command: values and key parts as canonical JSON texts.</summary>
public sealed record PythonWrite(string op, string table, Dictionary<string, string>? values = null, string[]? key = null)
{
    public static PythonWrite Insert(string table, Dictionary<string, string> values) => new("insert", table, values);

    public static PythonWrite Update(string table, string[] key, Dictionary<string, string> values) => new("update", table, values, key);

    public static PythonWrite Delete(string table, string[] key) => new("delete", table, null, key);
}
