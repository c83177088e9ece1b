using Liblim.EfCore.FunctionalTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Versions;

/// <summary>
/// An app's versions roll out over weeks: devices at version 2 of its model (a new column, a new table) sync through a
/// hub still at version 1, which keeps what it cannot show, passes it on, and shows it once it is migrated.
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
        using var hub = new VersionedReplica(Hub, "hub", 1);
        using var deviceB = new VersionedReplica(DatabaseKind.Sqlite, "b", 2);
        var id = Guid.NewGuid();
        await using (var db = deviceA.OpenV2())
        {
            db.Notes.Add(new Note { Id = id, Text = "hello", Color = "red" });
            await db.SaveChangesAsync();
        }

        await SyncAsync(deviceA, hub);
        await SyncAsync(hub, deviceB);
        Assert.Equal(("hello", "red"), Read(deviceB, id));

        await EditAsync(deviceB, id, n => n.Color = "blue");
        await EditAsync(hub, id, n => n.Text = "edited on the hub"); // version 1 writes what it has
        await SyncAsync(deviceB, hub);
        await SyncAsync(hub, deviceA);
        await SyncAsync(hub, deviceB);
        Assert.Equal(("edited on the hub", "blue"), Read(deviceA, id));
        Assert.Equal(("edited on the hub", "blue"), Read(deviceB, id));

        hub.MigrateToVersion2();
        await SyncAsync(hub, deviceA); // the migrated hub's first sync shows what it kept

        Assert.Equal(("edited on the hub", "blue"), Read(hub, id));
        Assert.DoesNotContain(ShadowRows.Rows(hub.Open), r => r.KeptValues is not null); // nothing kept aside any more
    }

    private static async Task SyncAsync(VersionedReplica a, VersionedReplica b)
    {
        await using var x = a.Open();
        await using var y = b.Open();
        await x.Liblim().SyncWithAsync(y);
    }

    private static async Task EditAsync(VersionedReplica replica, Guid id, Action<Note> edit)
    {
        await using var db = replica.Open();
        edit(await db.Notes.SingleAsync(n => n.Id == id));
        await db.SaveChangesAsync();
    }

    private static (string Text, string? Color) Read(VersionedReplica replica, Guid id)
    {
        using var db = replica.OpenV2();
        var note = db.Notes.AsNoTracking().Single(n => n.Id == id);
        return (note.Text, note.Color);
    }
}
