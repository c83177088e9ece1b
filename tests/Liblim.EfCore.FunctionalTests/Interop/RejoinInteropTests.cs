using System.Net;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Interop;

/// <summary>
/// docs/protocol.md sections 4 and 5, "Collected deleted rows", across implementations: a C# hub that collected a deleted
/// row while a Python replica was away asks it, with <c>IHAZ</c> holding <c>"whole":true</c>, for its whole feed, rows it
/// took from the hub included. The Python replica sends them, so the hub finds the row it still holds alive and answers
/// with its tombstone: the delete reaches it and both sides agree.
/// </summary>
public class RejoinInteropTests
{
    [Fact]
    public async Task A_Python_replica_behind_a_CSharp_hubs_collection_sends_its_whole_feed_and_gets_the_delete()
    {
        var window = TimeSpan.FromMilliseconds(500);
        using var hub = new InteropReplica("collecting-hub", o => o.ForgetPeersAfter(window));
        using var edge = new InteropReplica("edge");
        await using var server = await LiblimServer.StartAsync(new InteropFactory(hub),
            new LiblimServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), Secret = OneShotScenario.Secret });
        var address = new Uri($"liblim://127.0.0.1:{server.Endpoint.Port}");
        await using var python = OneShotInteropTests.StartPython("py-away", hub);
        await using (var db = hub.Open())
        {
            db.Parts.Add(new Part { Bin = "gone:1", Slot = 1, Label = "deleted while Python was away" });
            db.Parts.Add(new Part { Bin = "kept", Slot = 2, Label = "stays" });
            await db.SaveChangesAsync();
        }

        await python.RunAsync(new { cmd = "sync", address = address.ToString(), secret = OneShotScenario.Secret });
        var away = DateTime.UtcNow;
        Assert.Contains(await python.RowsAsync(), r => r is { Key: "[\"gone:1\",1]", Alive: true });

        // Python is away longer than ForgetPeersAfter; the row is deleted, and collected once the edge has the delete.
        while (DateTime.UtcNow - away < window + TimeSpan.FromMilliseconds(100))
        {
            await Task.Delay(20);
        }

        await using (var db = hub.Open())
        {
            db.Parts.Remove(await db.Parts.SingleAsync(p => p.Bin == "gone:1"));
            await db.SaveChangesAsync();
        }

        await using (var db = edge.Open())
        {
            await db.Liblim().SyncWithAsync(address, OneShotScenario.Secret);
            await db.Liblim().SyncWithAsync(address, OneShotScenario.Secret);
        }

        await Collected.WaitUntilAsync(hub.Open, m => m.Key == "[\"gone:1\",1]", "the hub still keeps the deleted row's metadata");

        // Python comes back: asked for everything, it sends the row it holds alive, and gets its delete.
        var answer = await python.RunAsync(new { cmd = "sync", address = address.ToString(), secret = OneShotScenario.Secret });
        Assert.True(answer.GetProperty("sent").GetInt32() >= 2, $"Asked with \"whole\":true, the Python replica sent only {answer}.\n{python.Log}");
        var rows = await python.RowsAsync();
        Assert.Contains(rows, r => r is { Key: "[\"gone:1\",1]", Alive: false });
        Assert.Contains(rows, r => r is { Key: "[\"kept\",2]", Alive: true });
        await using (var db = hub.Open())
        {
            Assert.Equal(["kept"], await db.Parts.Select(p => p.Bin).ToListAsync());
        }

        var second = await python.RunAsync(new { cmd = "sync", address = address.ToString(), secret = OneShotScenario.Secret });
        Assert.Equal((0, 0), (second.GetProperty("sent").GetInt32(), second.GetProperty("received").GetInt32()));
    }
}
