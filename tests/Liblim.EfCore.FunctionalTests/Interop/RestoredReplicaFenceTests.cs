using System.Net;
using Microsoft.EntityFrameworkCore;
using static Liblim.EfCore.FunctionalTests.Interop.RestoredPythonReplicaTests;

namespace Liblim.EfCore.FunctionalTests.Interop;

/// <summary>
/// docs/semantics.md, "Only the restored side": a restored replica's peers keep their node ids. The case where the peer
/// accepts the new id's first claim against its head and then has nothing to send it in that session: what it records of
/// the new id must not make the same claim look like a restore in the next session.
/// </summary>
/// <remarks>
/// Found by the second implementation: the C# hub used to record the new id with a fence of 0, raised only when it sent a
/// batch, so the next session took the claim for a restore of its own. Both now record an accepted claim as the fence
/// (C#: the ack raises it; Python: <c>Replica.accept_fence</c>).
/// </remarks>
public class RestoredReplicaFenceTests
{
    /// <summary>
    /// The restored replica lost nothing of the hub's feed, and what the hub applied of its old feed changed nothing at the
    /// hub (rows it had taken from the hub, left out): under its new id it claims exactly the hub's head, and the hub has
    /// nothing to send it in that session. The hub's record of the new id must then not make the same claim a restore
    /// in the next session (docs/protocol.md section 4: a peer never recorded is checked against the head).
    /// </summary>
    [Fact]
    public async Task A_restored_Python_replica_that_claims_the_hubs_head_under_its_new_id_does_not_make_the_hub_rotate_later()
    {
        using var hub = new InteropReplica("restore-hub");
        using var edge = new InteropReplica("restore-edge");
        await using var server = await LiblimServer.StartAsync(new InteropFactory(hub),
            new LiblimServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), Secret = OneShotScenario.Secret });
        var address = new Uri($"liblim://127.0.0.1:{server.Endpoint.Port}");
        string model;
        Guid hubNode;
        await using (var db = edge.Open())
        {
            model = PythonModel.Of(db);
            db.Parts.Add(new Part { Bin = "edge", Slot = 1, Label = "written on a C# edge" });
            await db.SaveChangesAsync();
            await db.Liblim().SyncWithAsync(address, OneShotScenario.Secret);
        }

        await using (var db = hub.Open())
        {
            hubNode = await db.Liblim().GetNodeIdAsync();
        }

        var path = PythonPeer.NewPath("restored");
        var backup = path + ".bak";
        try
        {
            await using (var python = PythonPeer.Start("py", model, path, keepFile: true))
            {
                await SyncAsync(python, address, restarts: 0); // gets the edge's row from the hub: its feed moves
            }

            File.Copy(path, backup);
            await using (var python = PythonPeer.Start("py", model, path, keepFile: true))
            {
                await SyncAsync(python, address, restarts: 0); // hands the hub that position (the row left out)
            }

            File.Copy(backup, path, overwrite: true);
            await using (var python = PythonPeer.Start("py", model, path, keepFile: true))
            {
                await SyncAsync(python, address, restarts: 1); // the hub has applied more of its feed than it handed out
                var newNode = await python.NodeAsync();
                await AssertHubNodeAsync(hub, hubNode);
                var answer = await python.RunAsync(new { cmd = "sync", address = address.ToString(), secret = OneShotScenario.Secret });
                await AssertHubNodeAsync(hub, hubNode);
                Assert.Equal(0, answer.GetProperty("restarts").GetInt32());
                Assert.Equal(newNode, await python.NodeAsync());
                await OneShotScenario.AssertSameAsync(hub, python, "after the restored replica synced twice");
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

}
