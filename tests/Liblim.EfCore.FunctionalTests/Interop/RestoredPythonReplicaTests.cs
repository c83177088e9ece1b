using System.Net;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Interop;

/// <summary>
/// docs/protocol.md section 4 across implementations: a Python replica put back to an older copy of its file finds out
/// at its next sync with a C# hub, takes a new node id (one restart), gets back what it lost and sends what it wrote
/// since; the hub, which has never recorded the new id, checks its claim against its head and keeps its own node id.
/// </summary>
public class RestoredPythonReplicaTests
{
    [Fact]
    public async Task A_restored_Python_replica_rejoins_a_CSharp_hub_with_one_restart_and_the_hub_keeps_its_node_id()
    {
        using var hub = new InteropReplica("restore-hub");
        await using var server = await LiblimServer.StartAsync(new InteropFactory(hub),
            new LiblimServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), Secret = OneShotScenario.Secret });
        var address = new Uri($"liblim://127.0.0.1:{server.Endpoint.Port}");
        string model;
        Guid hubNode;
        await using (var db = hub.Open())
        {
            model = PythonModel.Of(db);
            hubNode = await db.Liblim().GetNodeIdAsync();
            db.Parts.Add(new Part { Bin = "hub", Slot = 1, Label = "the Python replica has applied this" });
            await db.SaveChangesAsync();
        }

        var path = PythonPeer.NewPath("restored");
        var backup = path + ".bak";
        try
        {
            await using (var python = PythonPeer.Start("py", model, path, keepFile: true))
            {
                await python.WriteAsync(Insert("py", 1, "before the copy"));
                await SyncAsync(python, address, restarts: 0);
            }

            File.Copy(path, backup);
            Guid oldNode;
            await using (var python = PythonPeer.Start("py", model, path, keepFile: true))
            {
                oldNode = await python.NodeAsync();
                await python.WriteAsync(Insert("py", 2, "synced, then lost"));
                await SyncAsync(python, address, restarts: 0);
            }

            File.Copy(backup, path, overwrite: true);
            await using (var python = PythonPeer.Start("py", model, path, keepFile: true))
            {
                Assert.Equal(oldNode, await python.NodeAsync());
                await python.WriteAsync(Insert("py", 3, "after the restore"));
                await SyncAsync(python, address, restarts: 1);
                var newNode = await python.NodeAsync();
                Assert.NotEqual(oldNode, newNode);
                await AssertHubNodeAsync(hub, hubNode);
                var rows = await OneShotScenario.AssertSameAsync(hub, python, "after the restored replica synced");
                Assert.Equal(["[\"hub\",1]", "[\"py\",1]", "[\"py\",2]", "[\"py\",3]"], rows.Where(r => r.Alive).Select(r => r.Key).Order(StringComparer.Ordinal));

                // Later sessions, with news on either side or none, rotate nobody.
                for (var i = 0; i < 3; i++)
                {
                    if (i == 1)
                    {
                        await using var db = hub.Open();
                        db.Parts.Add(new Part { Bin = "hub", Slot = 2, Label = "news from the hub" });
                        await db.SaveChangesAsync();
                    }

                    if (i == 2)
                    {
                        await python.WriteAsync(Insert("py", 4, "news from Python"));
                    }

                    await SyncAsync(python, address, restarts: 0);
                    Assert.Equal(newNode, await python.NodeAsync());
                    await AssertHubNodeAsync(hub, hubNode);
                }

                await OneShotScenario.AssertSameAsync(hub, python, "after later syncs");
            }
        }
        finally
        {
            foreach (var file in new[] { path, path + "-wal", path + "-shm", backup })
            {
                try { File.Delete(file); } catch (IOException) { }
            }
        }
    }

    internal static PythonWrite Insert(string bin, int slot, string label)
        => PythonWrite.Insert("Parts", new() { ["Bin"] = $"\"{bin}\"", ["Slot"] = $"{slot}", ["Label"] = $"\"{label}\"", ["Qty"] = "0" });

    internal static async Task SyncAsync(PythonPeer python, Uri address, int restarts)
    {
        var answer = await python.RunAsync(new { cmd = "sync", address = address.ToString(), secret = OneShotScenario.Secret });
        Assert.True(answer.GetProperty("restarts").GetInt32() == restarts, $"Expected {restarts} restart(s): {answer}\n{python.Log}");
    }

    internal static async Task AssertHubNodeAsync(InteropReplica hub, Guid node)
    {
        await using var db = hub.Open();
        Assert.True(node == await db.Liblim().GetNodeIdAsync(), "The C# hub took a new node id: it took the restored replica's claim under its new id for a restore of its own.");
    }
}
