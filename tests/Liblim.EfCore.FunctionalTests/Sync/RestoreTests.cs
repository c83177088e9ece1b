using System.Net;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Liblim.EfCore.FunctionalTests.Tcp;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Sync;

/// <summary>
/// A database put back to an older copy of itself (a phone restored from a backup, a hub restored from last night's
/// dump), or copied to a second device, loses no write that ever left it, and every write it makes afterwards reaches
/// the others: its peers know more of its feed than it holds, and it takes a new node id (docs/semantics.md, "Restored
/// and copied databases"). Devices are SQLite files; the hub runs on SQLite or PostgreSQL, synced in process or over TCP.
/// </summary>
public abstract class RestoreTests : IAsyncDisposable
{
    private readonly List<IReplica> _replicas = [];
    private readonly List<Backup> _backups = [];
    private IReplica? _hub;
    private LiblimServer? _server;

    public sealed class InProcessOnSqlite : RestoreTests
    {
        protected override DatabaseKind HubDatabase => DatabaseKind.Sqlite;
    }

    public sealed class InProcessOnPostgres : RestoreTests
    {
        protected override DatabaseKind HubDatabase => DatabaseKind.Postgres;
    }

    public sealed class TcpOnSqlite : OverTcp
    {
        protected override DatabaseKind HubDatabase => DatabaseKind.Sqlite;
    }

    public sealed class TcpOnPostgres : OverTcp
    {
        protected override DatabaseKind HubDatabase => DatabaseKind.Postgres;
    }

    /// <summary>The hub served by a <see cref="LiblimServer"/>: what a device may also do over a live session.</summary>
    public abstract class OverTcp : RestoreTests
    {
        protected override bool UsesTcp => true;

        [Fact]
        public async Task Rows_a_device_sent_over_a_live_session_come_back_to_it_after_a_restore()
        {
            await StartHubAsync();
            var phone = (SqliteReplica)Device("phone");
            var first = Guid.NewGuid();
            await Replicas.InsertAsync(phone, new TodoItem { Id = first, Title = "before the backup" });
            await SyncWithHubAsync(phone);
            var backup = BackupOf(phone);

            var live = Guid.NewGuid();
            await using (var host = await SyncHost.StartOnAsync(phone, HubAddress))
            {
                await SyncHost.EventuallyAsync(() => host.Service.IsConnected(HubAddress), "the phone is connected live");
                await Replicas.InsertAsync(phone, new TodoItem { Id = live, Title = "pushed over a live session" });
                await SyncHost.EventuallyAsync(() => Replicas.Find(Hub, live) is not null, "the hub has the row pushed live");
            }

            backup.Restore();
            Assert.Null(Replicas.Find(phone, live));
            var after = Guid.NewGuid();
            await Replicas.InsertAsync(phone, new TodoItem { Id = after, Title = "after the restore" });
            await SyncWithHubAsync(phone);

            AssertAllHold([Row(first, "before the backup"), Row(live, "pushed over a live session"), Row(after, "after the restore")], phone, Hub);
        }
    }

    protected abstract DatabaseKind HubDatabase { get; }

    protected virtual bool UsesTcp => false;

    private IReplica Hub => _hub!;

    [Fact]
    public async Task A_restored_device_gets_back_every_write_it_had_synced_and_its_new_writes_reach_the_hub()
    {
        await StartHubAsync();
        var phone = Device("phone");
        var laptop = Device("laptop");
        var (a1, a2, a3) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        foreach (var id in new[] { a1, a2, a3 })
        {
            await Replicas.InsertAsync(phone, new TodoItem { Id = id, Title = $"before the backup {id}" });
        }

        await SyncWithHubAsync(phone);
        var backup = BackupOf(phone);

        // After the backup, synced: an insert, an update, a delete, a re-insert of the deleted key, and a row that came
        // whole from another device through the hub.
        var (b1, b2) = (Guid.NewGuid(), Guid.NewGuid());
        await Replicas.InsertAsync(phone, new TodoItem { Id = b1, Title = "inserted after the backup" });
        await Replicas.EditAsync(phone, a1, i => i.Title = "edited after the backup");
        await Replicas.DeleteAsync(phone, a2);
        await SyncWithHubAsync(phone);
        await Replicas.InsertAsync(phone, new TodoItem { Id = a2, Title = "re-inserted after the backup" });
        await Replicas.InsertAsync(phone, new TodoItem { Id = b2, Title = "also after the backup" });
        await SyncWithHubAsync(phone);
        await SyncWithHubAsync(laptop);
        await Replicas.EditAsync(laptop, a3, i => i.Done = true);
        await SyncWithHubAsync(laptop);
        await SyncWithHubAsync(phone);
        var before = await NodeIdAsync(phone);
        var hubBefore = await NodeIdAsync(Hub);
        var headBefore = ShadowRows.StateSeq(phone);

        backup.Restore();
        Assert.True(ShadowRows.StateSeq(phone) < headBefore, "the restored file is behind what the hub has of it");

        // After the restore: more writes than the positions the hub has recorded for the phone, none of which it has.
        var after = Enumerable.Range(1, 8).Select(_ => Guid.NewGuid()).ToList();
        foreach (var id in after)
        {
            await Replicas.InsertAsync(phone, new TodoItem { Id = id, Title = "written after the restore" });
        }

        await Replicas.EditAsync(phone, a1, i => i.Notes = "noted after the restore");
        Assert.True(ShadowRows.StateSeq(phone) >= headBefore, "the restored file has caught up with the positions the hub recorded");
        await SyncWithHubAsync(phone);
        await SyncWithHubAsync(laptop);
        await SyncWithHubAsync(phone);

        Assert.NotEqual(before, await NodeIdAsync(phone));
        Assert.Equal(hubBefore, await NodeIdAsync(Hub)); // the phone's new id names how far it had applied the hub's feed: no restore of the hub's
        var expected = new List<string>
        {
            Row(a1, "edited after the backup", notes: "noted after the restore"),
            Row(a2, "re-inserted after the backup"),
            Row(a3, $"before the backup {a3}", done: true),
            Row(b1, "inserted after the backup"),
            Row(b2, "also after the backup"),
        };
        expected.AddRange(after.Select(id => Row(id, "written after the restore")));
        AssertAllHold(expected, phone, laptop, Hub);
    }

    [Fact]
    public async Task A_copy_of_a_devices_file_set_up_on_a_second_device_is_told_apart_and_neither_loses_a_write()
    {
        await StartHubAsync();
        var phone = Device("phone");
        var shared = Guid.NewGuid();
        await Replicas.InsertAsync(phone, new TodoItem { Id = shared, Title = "in the template" });
        await SyncWithHubAsync(phone);
        var tablet = Device("tablet");
        using (var template = Backup.Of(phone))
        {
            template.CopyTo(tablet);
        }

        Assert.Equal(await NodeIdAsync(phone), await NodeIdAsync(tablet));

        // The first device keeps writing and syncing; the copy writes too, at the same positions of the same node id.
        var fromPhone = new List<Guid>();
        var fromTablet = new List<Guid>();
        for (var round = 0; round < 3; round++)
        {
            fromPhone.Add(Guid.NewGuid());
            await Replicas.InsertAsync(phone, new TodoItem { Id = fromPhone[^1], Title = "from the phone" });
            await SyncWithHubAsync(phone);
            fromTablet.Add(Guid.NewGuid());
            fromTablet.Add(Guid.NewGuid());
            await Replicas.InsertAsync(tablet, new TodoItem { Id = fromTablet[^2], Title = "from the tablet" });
            await Replicas.InsertAsync(tablet, new TodoItem { Id = fromTablet[^1], Title = "from the tablet" });
            await SyncWithHubAsync(tablet);
        }

        await Replicas.EditAsync(tablet, shared, i => i.Priority = 7);
        await SyncWithHubAsync(tablet);
        await SyncWithHubAsync(phone);

        Assert.NotEqual(await NodeIdAsync(phone), await NodeIdAsync(tablet));
        var expected = fromPhone.Select(id => Row(id, "from the phone"))
            .Concat(fromTablet.Select(id => Row(id, "from the tablet")))
            .Append(Row(shared, "in the template", priority: 7))
            .ToList();
        AssertAllHold(expected, phone, tablet, Hub);
    }

    [Fact]
    public async Task A_hub_restored_from_a_backup_gets_back_what_its_devices_had_sent_it_and_sends_them_what_they_lack()
    {
        await StartHubAsync();
        var phone = Device("phone");
        var laptop = Device("laptop");
        var x1 = Guid.NewGuid();
        await Replicas.InsertAsync(phone, new TodoItem { Id = x1, Title = "before the hub's backup" });
        await SyncWithHubAsync(phone);
        await SyncWithHubAsync(laptop);
        var backup = await BackupOfHubAsync();

        var (x2, y1) = (Guid.NewGuid(), Guid.NewGuid());
        await Replicas.InsertAsync(phone, new TodoItem { Id = x2, Title = "sent to the hub after its backup" });
        await Replicas.EditAsync(phone, x1, i => i.Title = "edited after the hub's backup");
        await SyncWithHubAsync(phone);
        await Replicas.InsertAsync(laptop, new TodoItem { Id = y1, Title = "from the laptop after the hub's backup" });
        await SyncWithHubAsync(laptop);
        await SyncWithHubAsync(phone);
        var hubBefore = await NodeIdAsync(Hub);

        await RestoreHubAsync(backup);
        var x3 = Guid.NewGuid();
        await Replicas.InsertAsync(phone, new TodoItem { Id = x3, Title = "after the hub's restore" });
        await SyncWithHubAsync(phone);
        await SyncWithHubAsync(laptop);
        await SyncWithHubAsync(phone);

        Assert.NotEqual(hubBefore, await NodeIdAsync(Hub));
        AssertAllHold(
            [Row(x1, "edited after the hub's backup"), Row(x2, "sent to the hub after its backup"), Row(y1, "from the laptop after the hub's backup"), Row(x3, "after the hub's restore")],
            phone, laptop, Hub);
    }

    [Fact]
    public async Task Syncing_as_usual_in_every_direction_never_gives_a_replica_a_new_node_id()
    {
        await StartHubAsync();
        var phone = Device("phone");
        var laptop = Device("laptop");
        var nodes = new[] { await NodeIdAsync(phone), await NodeIdAsync(laptop), await NodeIdAsync(Hub) };
        var ids = new List<Guid>();
        for (var round = 0; round < 4; round++)
        {
            foreach (var (device, other) in new[] { (phone, laptop), (laptop, phone) })
            {
                ids.Add(Guid.NewGuid());
                await Replicas.InsertAsync(device, new TodoItem { Id = ids[^1], Title = $"round {round}" });
                await Replicas.InsertAsync(Hub, new TodoItem { Id = Guid.NewGuid(), Title = "on the hub" });
                await SyncWithHubAsync(device);
                await Replicas.SyncAsync(device, other); // and device to device, beside the hub
            }
        }

        await SyncWithHubAsync(phone);
        Assert.Equal(nodes, new[] { await NodeIdAsync(phone), await NodeIdAsync(laptop), await NodeIdAsync(Hub) });
        Assert.Equal(Snapshot.Of(Hub), Snapshot.Of(phone));
    }

    [Fact]
    public async Task Peers_recorded_by_a_version_without_fences_are_checked_against_the_head()
    {
        await StartHubAsync();
        var phone = Device("phone");
        var kept = Guid.NewGuid();
        await Replicas.InsertAsync(phone, new TodoItem { Id = kept, Title = "before the backup" });
        await SyncWithHubAsync(phone);
        var node = await NodeIdAsync(phone);
        ForgetFences(phone);
        await Replicas.EditAsync(phone, kept, i => i.Priority = 1);
        await SyncWithHubAsync(phone);
        Assert.Equal(node, await NodeIdAsync(phone));
        var backup = BackupOf(phone);

        var lost = Guid.NewGuid();
        await Replicas.InsertAsync(phone, new TodoItem { Id = lost, Title = "lost by the restore" });
        await SyncWithHubAsync(phone);
        backup.Restore();
        ForgetFences(phone);
        await SyncWithHubAsync(phone);

        Assert.NotEqual(node, await NodeIdAsync(phone));
        AssertAllHold([Row(kept, "before the backup", priority: 1), Row(lost, "lost by the restore")], phone, Hub);
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        foreach (var backup in _backups)
        {
            backup.Dispose();
        }

        foreach (var replica in _replicas)
        {
            replica.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    /// <summary>What the peers table holds after an upgrade from a version that recorded no fences.</summary>
    private static void ForgetFences(IReplica replica) => ((SqliteReplica)replica).Execute("UPDATE __liblim_peers SET sent_seq = NULL");

    private Uri HubAddress => new($"liblim://127.0.0.1:{_server!.Endpoint.Port}");

    private async Task StartHubAsync()
    {
        _hub = Replica.Create(HubDatabase, "hub");
        _replicas.Add(_hub);
        await StartServerAsync();
    }

    private async Task StartServerAsync()
    {
        if (UsesTcp)
        {
            _server = await LiblimServer.StartAsync(new ReplicaFactory(Hub), new LiblimServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), Secret = TcpPeer.Secret });
        }
    }

    private IReplica Device(string name)
    {
        var replica = new SqliteReplica(name);
        _replicas.Add(replica);
        return replica;
    }

    private Backup BackupOf(IReplica replica)
    {
        var backup = Backup.Of(replica);
        _backups.Add(backup);
        return backup;
    }

    /// <summary>The hub's server stops while its database is copied (a database being copied as a template takes no connections).</summary>
    private async Task<Backup> BackupOfHubAsync()
    {
        await StopServerAsync();
        var backup = BackupOf(Hub);
        await StartServerAsync();
        return backup;
    }

    private async Task RestoreHubAsync(Backup backup)
    {
        await StopServerAsync();
        backup.Restore();
        await StartServerAsync();
    }

    private async Task StopServerAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
            _server = null;
        }
    }

    private async Task SyncWithHubAsync(IReplica device)
    {
        if (UsesTcp)
        {
            await using var db = device.Open();
            await db.Liblim().SyncWithAsync(HubAddress, TcpPeer.Secret);
        }
        else
        {
            await Replicas.SyncAsync(device, Hub);
        }
    }

    private static async Task<Guid> NodeIdAsync(IReplica replica)
    {
        await using var db = replica.Open();
        return await db.Liblim().GetNodeIdAsync();
    }

    private static string Row(Guid id, string title, bool done = false, int priority = 0, string? notes = null)
        => $"{id} {title} done={done} prio={priority} notes={notes}";

    private static void AssertAllHold(List<string> expected, params IReplica[] replicas)
    {
        expected.Sort(StringComparer.Ordinal);
        foreach (var replica in replicas)
        {
            using var db = replica.Open();
            var rows = db.Items.AsNoTracking().ToList().Select(i => Row(i.Id, i.Title, i.Done, i.Priority, i.Notes)).Order(StringComparer.Ordinal).ToList();
            Assert.True(expected.SequenceEqual(rows), $"{replica} holds:\n{string.Join("\n", rows)}\nexpected:\n{string.Join("\n", expected)}");
        }
    }
}
