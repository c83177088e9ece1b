using Liblim.EfCore.FunctionalTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Versions;

/// <summary>
/// An app's versions roll out over weeks: devices at version 2 of its model (a new column, a new table) sync over TCP
/// through a hub still at version 1, which keeps what it cannot show, passes it on, and shows it once it is migrated.
/// </summary>
public abstract class MixedVersionTests
{
    public sealed class HubOnSqlite : MixedVersionTests
    {
        protected override DatabaseKind Hub => DatabaseKind.Sqlite;
    }

    public sealed class HubOnPostgres : MixedVersionTests
    {
        protected override DatabaseKind Hub => DatabaseKind.Postgres;
    }

    protected abstract DatabaseKind Hub { get; }

    [Fact]
    public async Task A_column_an_older_hub_lacks_goes_between_newer_devices_both_ways_and_the_hub_shows_it_once_migrated()
    {
        using var deviceA = new VersionedReplica(DatabaseKind.Sqlite, "a", 2);
        await using var hub = await VersionedHub.StartAsync(Hub, 1);
        using var deviceB = new VersionedReplica(DatabaseKind.Sqlite, "b", 2);
        var id = Guid.NewGuid();
        await using (var db = deviceA.OpenV2())
        {
            db.Notes.Add(new Note { Id = id, Text = "hello", Color = "red" });
            await db.SaveChangesAsync();
        }

        await hub.SyncAsync(deviceA);
        await hub.SyncAsync(deviceB);
        Assert.Equal(("hello", "red"), Read(deviceB, id));

        await EditAsync(deviceB, id, n => n.Color = "blue");
        await EditAsync(hub.Replica, id, n => n.Text = "edited on the hub"); // version 1 writes what it has
        await hub.SyncAsync(deviceB);
        await hub.SyncAsync(deviceA);
        await hub.SyncAsync(deviceB);
        Assert.Equal(("edited on the hub", "blue"), Read(deviceA, id));
        Assert.Equal(("edited on the hub", "blue"), Read(deviceB, id));

        await hub.MigrateAsync();
        await hub.SyncAsync(deviceA); // the migrated hub's first session shows what it kept

        Assert.Equal(("edited on the hub", "blue"), Read(hub.Replica, id));
        Assert.DoesNotContain(ShadowRows.Rows(hub.Replica.Open), r => r.KeptValues is not null); // nothing kept aside any more
    }

    [Fact]
    public async Task Rows_of_a_table_an_older_hub_lacks_go_between_newer_devices_and_the_hub_shows_them_once_migrated()
    {
        using var deviceA = new VersionedReplica(DatabaseKind.Sqlite, "a", 2);
        await using var hub = await VersionedHub.StartAsync(Hub, 1);
        using var deviceB = new VersionedReplica(DatabaseKind.Sqlite, "b", 2);
        var (urgent, later) = (Guid.NewGuid(), Guid.NewGuid());
        await using (var db = deviceA.OpenV2())
        {
            db.Tags.AddRange(new Tag { Id = urgent, Name = "urgent" }, new Tag { Id = later, Name = "later" });
            await db.SaveChangesAsync();
        }

        await hub.SyncAsync(deviceA);
        await hub.SyncAsync(deviceB);
        Assert.Equal(["later", "urgent"], Tags(deviceB));

        await using (var db = deviceB.OpenV2())
        {
            (await db.Tags.SingleAsync(t => t.Id == urgent)).Name = "very urgent";
            db.Tags.Remove(await db.Tags.SingleAsync(t => t.Id == later));
            await db.SaveChangesAsync();
        }

        await hub.SyncAsync(deviceB);
        await hub.SyncAsync(deviceA);
        Assert.Equal(["very urgent"], Tags(deviceA));
        Assert.Equal(2, ShadowRows.Rows(hub.Replica.Open).Count(r => r.Table == "Tags")); // kept whole, one of them deleted

        await hub.MigrateAsync();
        await hub.SyncAsync(deviceA);

        Assert.Equal(["very urgent"], Tags(hub.Replica));
    }

    [Fact]
    public async Task A_newer_client_of_an_older_hub_gets_the_hubs_rows_and_the_hub_keeps_the_clients_new_column()
    {
        using var newer = new VersionedReplica(DatabaseKind.Sqlite, "newer", 2);
        await using var hub = await VersionedHub.StartAsync(Hub, 1);
        var (fromHub, fromDevice) = (Guid.NewGuid(), Guid.NewGuid());
        await EditAsync(hub.Replica, fromHub, n => n.Text = "from the old hub", create: true);
        await EditAsync(newer, fromDevice, n => (n.Text, n.Color) = ("from the new device", "green"), create: true);

        var sync = await hub.SyncAsync(newer);

        Assert.Equal((1, 1), (sync.RowsApplied, sync.RowsAppliedByPeer)); // before, the hub refused the batch and sent nothing
        Assert.Equal(("from the old hub", null), Read(newer, fromHub));
        await using var db = hub.Replica.Open();
        Assert.Equal("from the new device", (await db.Notes.SingleAsync(n => n.Id == fromDevice)).Text);
        Assert.Contains("\"green\"", ShadowRows.Rows(hub.Replica.Open).Single(r => r.Key == $"[\"{fromDevice}\"]").KeptValues);
    }

    [Fact]
    public async Task A_required_column_an_older_version_lacks_shows_the_models_default_in_its_rows()
    {
        using var newer = new VersionedReplica(DatabaseKind.Sqlite, "newer", 2);
        await using var hub = await VersionedHub.StartAsync(Hub, 1);
        var id = Guid.NewGuid();
        await EditAsync(hub.Replica, id, n => n.Text = "from the old hub", create: true);

        await hub.SyncAsync(newer);

        await using var db = newer.OpenV2();
        Assert.Equal("general", (await db.Notes.SingleAsync(n => n.Id == id)).Category);
    }

    [Fact]
    public async Task A_column_one_replica_drops_loses_nothing_on_the_replicas_that_keep_it()
    {
        await using var hub = await VersionedHub.StartAsync(Hub, 2);
        using var device = new VersionedReplica(DatabaseKind.Sqlite, "device", 2);
        var id = Guid.NewGuid();
        await EditAsync(device, id, n => (n.Text, n.Color) = ("hello", "red"), create: true);
        await hub.SyncAsync(device);

        device.MigrateToVersion1(); // drops Color, Category and Tags there
        await EditAsync(device, id, n => n.Text = "edited after the drop");
        await hub.SyncAsync(device);

        using var other = new VersionedReplica(DatabaseKind.Sqlite, "other", 2);
        await hub.SyncAsync(other);

        Assert.Equal(("edited after the drop", "red"), Read(hub.Replica, id)); // the dropping replica's edit, the hub's color
        Assert.Equal(("edited after the drop", "red"), Read(other, id));
    }

    private static async Task EditAsync(VersionedReplica replica, Guid id, Action<Note> edit, bool create = false)
    {
        await using var db = replica.Open();
        var note = create ? db.Notes.Add(new Note { Id = id, Text = "" }).Entity : await db.Notes.SingleAsync(n => n.Id == id);
        edit(note);
        await db.SaveChangesAsync();
    }

    private static (string Text, string? Color) Read(VersionedReplica replica, Guid id)
    {
        using var db = replica.OpenV2();
        var note = db.Notes.AsNoTracking().Single(n => n.Id == id);
        return (note.Text, note.Color);
    }

    private static List<string> Tags(VersionedReplica replica)
    {
        using var db = replica.OpenV2();
        return [.. db.Tags.AsNoTracking().Select(t => t.Name).OrderBy(n => n)];
    }
}
