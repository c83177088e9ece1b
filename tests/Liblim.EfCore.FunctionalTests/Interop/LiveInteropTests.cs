using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Interop;

/// <summary>
/// Live sessions between C#'s live sync (AddLiblimSync) and the Python implementation, either side the server: a change
/// saved on one side reaches the other with no sync call, inserts, updates and deletes, both ways; both end with identical
/// row states, and the session is still up (no reconnects) until the Python side leaves with KTHXBAI.
/// </summary>
public class LiveInteropTests
{
    [Fact]
    public async Task A_Python_live_client_and_a_CSharp_live_server_push_changes_both_ways()
    {
        using var csharp = new InteropReplica("cs-live-server");
        await using var host = await InteropHost.StartAsync(csharp, listen: true);
        await using var python = OneShotInteropTests.StartPython("py-live-client", csharp);
        await python.StartLiveAsync(host.Address, OneShotScenario.Secret);

        await PushBothWaysAsync(csharp, python);

        var stopped = await python.StopLiveAsync();
        Assert.True(stopped.GetProperty("ok").GetBoolean(), $"The Python live session ended with {stopped}.\n{python.Log}");
    }

    [Fact]
    public async Task A_CSharp_live_client_and_a_Python_server_push_changes_both_ways()
    {
        using var csharp = new InteropReplica("cs-live-client");
        await using var python = OneShotInteropTests.StartPython("py-live-server", csharp);
        var address = await python.ServeAsync(OneShotScenario.Secret);
        await using var host = await InteropHost.StartAsync(csharp, listen: false, address);
        await EventuallyAsync(() => Task.FromResult(host.Service.IsConnected(address)), "the C# side is connected to the Python server", python);

        await PushBothWaysAsync(csharp, python);

        Assert.True(host.Service.IsConnected(address));
        var failures = (await python.ServerResultsAsync()).Where(r => !r.GetProperty("ok").GetBoolean()).ToList();
        Assert.True(failures.Count == 0, $"Sessions of the Python server failed: {string.Join(", ", failures)}\n{host.Log}");
    }

    private static async Task PushBothWaysAsync(InteropReplica csharp, PythonPeer python)
    {
        // Once a row written in Python is in C#, the session is up: everything after is pushed.
        await using (var db = csharp.Open())
        {
            await python.WriteAsync(PythonWrite.Insert("Parts", CanonicalTexts.Of(db, new Part { Bin = "py: first", Slot = 1, Label = "from Python" })));
        }

        await EventuallyAsync(() => HasAsync(csharp, "py: first", 1, "from Python"), "C# has Python's first row", python);

        var fromCs = InteropSamples.Typical();
        await using (var db = csharp.Open())
        {
            db.Samples.Add(fromCs);
            db.Parts.Add(new Part { Bin = "cs/% live", Slot = 2, Label = "from C#" });
            await db.SaveChangesAsync();
        }

        await EventuallyAsync(async () => (await python.RowsAsync()).Any(r => r is { Table: "Parts", Key: "[\"cs/% live\",2]", Alive: true }), "Python has C#'s row", python);

        // Updates and deletes, both ways.
        await using (var db = csharp.Open())
        {
            (await db.Parts.SingleAsync(p => p.Bin == "py: first")).Label = "edited in C#";
            await db.SaveChangesAsync();
            await python.WriteAsync(
                PythonWrite.Update("Samples", CanonicalTexts.KeyOf(db, fromCs), new() { ["Text"] = "\"edited in Python\"", ["Count"] = "null" }),
                PythonWrite.Delete("Parts", ["\"cs/% live\"", "2"]));
        }

        await EventuallyAsync(() => HasAsync(csharp, "cs/% live", 2, null), "C# has Python's delete", python);
        await EventuallyAsync(async () =>
        {
            await using var db = csharp.Open();
            return (await db.Samples.AsNoTracking().SingleAsync(s => s.Id == fromCs.Id)) is { Text: "edited in Python", Count: null };
        }, "C# has Python's update", python);
        await EventuallyAsync(async () => (await python.RowsAsync()).Any(r => r.Key == "[\"py: first\",1]" && r.Values.GetValueOrDefault("Label") == "\"edited in C#\""), "Python has C#'s update", python);

        await using (var db = csharp.Open())
        {
            db.Parts.Remove(await db.Parts.SingleAsync(p => p.Bin == "py: first"));
            await db.SaveChangesAsync();
        }

        await EventuallyAsync(async () => (await python.RowsAsync()).Any(r => r.Key == "[\"py: first\",1]" && !r.Alive), "Python has C#'s delete", python);
        await EventuallyAsync(async () =>
        {
            var cs = RowView.FromCSharp(csharp).Select(r => r.Describe()).Order(StringComparer.Ordinal);
            var py = (await python.RowsAsync()).Select(r => r.Describe()).Order(StringComparer.Ordinal);
            return cs.SequenceEqual(py);
        }, "both sides hold the same row states", python);
        await OneShotScenario.AssertSameAsync(csharp, python, "after live pushes");
        var live = await python.LiveStateAsync();
        Assert.False(live.TryGetProperty("error", out var error), $"The live session failed: {error}");
    }

    private static async Task<bool> HasAsync(InteropReplica csharp, string bin, int slot, string? label)
    {
        await using var db = csharp.Open();
        var part = await db.Parts.AsNoTracking().SingleOrDefaultAsync(p => p.Bin == bin && p.Slot == slot);
        return part?.Label == label;
    }

    /// <summary>Polls until the condition holds; fails after a generous deadline, with the Python side's log.</summary>
    internal static async Task EventuallyAsync(Func<Task<bool>> condition, string what, PythonPeer python)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting until {what}.\n{python.Log}");
            await Task.Delay(20);
        }
    }
}
