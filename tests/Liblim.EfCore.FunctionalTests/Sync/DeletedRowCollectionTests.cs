using System.Net;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Liblim.EfCore.FunctionalTests.Tcp;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Sync;

/// <summary>
/// Deleted rows are collected once every peer heard from within <c>ForgetPeersAfter</c> has applied the delete, and never
/// come back: not from a peer that was away longer and is forgotten, not from a device restored from a backup, while a
/// newcomer's rows and a forgotten peer's own offline writes arrive as any others (docs/semantics.md, "Collecting deleted
/// rows"). Devices are SQLite files sharing one clock; the hub runs on SQLite or PostgreSQL, in process or over TCP.
/// </summary>
public abstract class DeletedRowCollectionTests : IAsyncDisposable
{
    private readonly TickingTime _time = new();
    private readonly List<IReplica> _replicas = [];
    private readonly List<Backup> _backups = [];
    private IReplica? _hub;
    private LiblimServer? _server;

    public sealed class InProcessOnSqlite : DeletedRowCollectionTests
    {
        protected override DatabaseKind HubDatabase => DatabaseKind.Sqlite;
    }

    public sealed class InProcessOnPostgres : DeletedRowCollectionTests
    {
        protected override DatabaseKind HubDatabase => DatabaseKind.Postgres;
    }

    public sealed class TcpOnSqlite : DeletedRowCollectionTests
    {
        protected override DatabaseKind HubDatabase => DatabaseKind.Sqlite;

        protected override bool UsesTcp => true;
    }

    public sealed class TcpOnPostgres : DeletedRowCollectionTests
    {
        protected override DatabaseKind HubDatabase => DatabaseKind.Postgres;

        protected override bool UsesTcp => true;
    }

    protected abstract DatabaseKind HubDatabase { get; }

    protected virtual bool UsesTcp => false;

    private IReplica Hub => _hub!;

    [Fact]
    public async Task A_deleted_row_is_collected_everywhere_once_every_peer_has_applied_the_delete_and_not_before()
    {
        await StartHubAsync();
        var (phone, laptop) = (Device("phone"), Device("laptop"));
        var (x, y) = (Guid.NewGuid(), Guid.NewGuid());
        await Replicas.InsertAsync(phone, new TodoItem { Id = x, Title = "to be deleted" });
        await Replicas.InsertAsync(phone, new TodoItem { Id = y, Title = "kept" });
        await SyncWithHubAsync(phone);
        await SyncWithHubAsync(laptop);

        await Replicas.DeleteAsync(phone, x);
        await SyncWithHubAsync(phone);
        await SyncWithHubAsync(laptop);
        Assert.True(await Collected.KeepsAsync(Hub, x), "the hub keeps the tombstone while the laptop has not said it applied the delete");
        Assert.True(await Collected.KeepsAsync(laptop, x), "the laptop keeps it while the hub has not said it applied its feed that far");

        for (var round = 0; round < 2; round++)
        {
            await SyncWithHubAsync(phone);
            await SyncWithHubAsync(laptop);
        }

        foreach (var replica in new[] { phone, laptop, Hub })
        {
            await Collected.WaitUntilAsync(replica, x, $"{replica} still keeps the deleted row's metadata");
            Assert.Equal(["kept"], Replicas.All(replica).Select(i => i.Title));
        }

        var quiet = await SyncWithHubAsync(phone);
        Assert.Equal((0, 0), (quiet.RowsSent, quiet.RowsReceived));
    }

    [Fact]
    public async Task A_key_inserted_again_after_its_delete_was_collected_is_a_row_again_everywhere()
    {
        await StartHubAsync();
        var (phone, laptop) = (Device("phone"), Device("laptop"));
        var x = Guid.NewGuid();
        await Replicas.InsertAsync(phone, new TodoItem { Id = x, Title = "first life", Priority = 3 });
        await SyncAllAsync(phone, laptop);
        await Replicas.DeleteAsync(laptop, x);
        await SyncAllAsync(phone, laptop);
        await SyncAllAsync(phone, laptop);
        await Collected.WaitUntilAsync(Hub, x);

        await Replicas.InsertAsync(phone, new TodoItem { Id = x, Title = "second life" });
        await SyncAllAsync(phone, laptop);

        foreach (var replica in new[] { phone, laptop, Hub })
        {
            var item = Assert.Single(Replicas.All(replica));
            Assert.Equal((x, "second life", 0), (item.Id, item.Title, item.Priority));
        }
    }

    [Fact]
    public async Task A_peer_forgotten_while_away_rejoins_without_bringing_back_collected_rows_and_its_offline_writes_arrive()
    {
        await StartHubAsync();
        var (phone, laptop) = (Device("phone"), Device("laptop"));
        var (x, y, w) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        foreach (var (id, title) in new[] { (x, "deleted while the phone was away"), (y, "edited on the phone while away"), (w, "untouched") })
        {
            await Replicas.InsertAsync(laptop, new TodoItem { Id = id, Title = title });
        }

        await SyncAllAsync(laptop, phone);

        // The phone stays away for longer than ForgetPeersAfter (30 days by default), while the laptop deletes x.
        _time.Advance(TimeSpan.FromDays(31));
        await Replicas.DeleteAsync(laptop, x);
        for (var round = 0; round < 3; round++)
        {
            await SyncWithHubAsync(laptop);
        }

        await Collected.WaitUntilAsync(Hub, x, "the hub collects the delete without waiting for the forgotten phone");
        await Collected.WaitUntilAsync(laptop, x);

        // Offline, the phone edits the row the laptop deleted (an edit that never saw the delete), edits another, adds one.
        var z = Guid.NewGuid();
        await Replicas.EditAsync(phone, x, i => i.Notes = "edited on the phone");
        await Replicas.EditAsync(phone, y, i => i.Done = true);
        await Replicas.InsertAsync(phone, new TodoItem { Id = z, Title = "added on the phone while away" });

        var back = await SyncWithHubAsync(phone);
        Assert.Equal(4, back.RowsSent); // its whole feed, once
        Assert.Equal(1, back.RowsReceived); // and back only what it lacks: x deleted, not w again
        await SyncWithHubAsync(laptop);

        foreach (var replica in new[] { phone, laptop, Hub })
        {
            var rows = Replicas.All(replica).OrderBy(i => i.Title, StringComparer.Ordinal).Select(i => $"{i.Title} done={i.Done}").ToList();
            Assert.Equal(["added on the phone while away done=False", "edited on the phone while away done=True", "untouched done=False"], rows);
        }

        // The phone counts again: a further delete waits for it, and is collected once it has it.
        await Replicas.DeleteAsync(laptop, w);
        await SyncWithHubAsync(laptop);
        await SyncWithHubAsync(laptop);
        Assert.True(await Collected.KeepsAsync(Hub, w), "the hub waits for the phone, heard from again");
        await SyncWithHubAsync(phone);
        await SyncWithHubAsync(phone);
        await Collected.WaitUntilAsync(Hub, w);
    }

    [Fact]
    public async Task A_device_restored_from_a_backup_taken_before_a_collected_delete_does_not_bring_the_row_back()
    {
        await StartHubAsync();
        var (phone, laptop) = (Device("phone"), Device("laptop"));
        var (x, kept) = (Guid.NewGuid(), Guid.NewGuid());
        await Replicas.InsertAsync(phone, new TodoItem { Id = x, Title = "deleted after the backup" });
        await Replicas.InsertAsync(phone, new TodoItem { Id = kept, Title = "kept" });
        await SyncAllAsync(phone, laptop);
        var backup = Backup.Of(phone);
        _backups.Add(backup);

        await Replicas.DeleteAsync(laptop, x);
        for (var round = 0; round < 3; round++)
        {
            await SyncAllAsync(laptop, phone);
        }

        await Collected.WaitUntilAsync(Hub, x);
        await Collected.WaitUntilAsync(phone, x);

        backup.Restore();
        Assert.NotNull(Replicas.Find(phone, x));
        var after = Guid.NewGuid();
        await Replicas.InsertAsync(phone, new TodoItem { Id = after, Title = "written after the restore" });
        await SyncAllAsync(phone, laptop);

        foreach (var replica in new[] { phone, laptop, Hub })
        {
            Assert.Equal(["kept", "written after the restore"], Replicas.All(replica).Select(i => i.Title).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task A_newcomer_brings_the_rows_of_a_device_the_hub_never_met_after_the_hub_collected()
    {
        await StartHubAsync();
        var phone = Device("phone");
        var gone = Guid.NewGuid();
        await Replicas.InsertAsync(phone, new TodoItem { Id = gone, Title = "deleted" });
        await SyncWithHubAsync(phone);
        await Replicas.DeleteAsync(phone, gone);
        await SyncWithHubAsync(phone);
        await SyncWithHubAsync(phone);
        await Collected.WaitUntilAsync(Hub, gone);

        // Two devices that only ever synced with each other; then one of them meets the hub.
        var (tablet, watch) = (Device("tablet"), Device("watch"));
        var (fromWatch, fromTablet) = (Guid.NewGuid(), Guid.NewGuid());
        await Replicas.InsertAsync(watch, new TodoItem { Id = fromWatch, Title = "from the watch" });
        await Replicas.InsertAsync(tablet, new TodoItem { Id = fromTablet, Title = "from the tablet" });
        await Replicas.SyncAsync(tablet, watch);
        await SyncWithHubAsync(tablet);
        await SyncWithHubAsync(phone);

        foreach (var replica in new[] { phone, tablet, Hub })
        {
            Assert.Equal(["from the tablet", "from the watch"], Replicas.All(replica).Select(i => i.Title).Order(StringComparer.Ordinal));
        }
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

    private async Task StartHubAsync()
    {
        _hub = Replica.Create(HubDatabase, "hub", o => o.TimeProvider(_time));
        _replicas.Add(_hub);
        if (UsesTcp)
        {
            _server = await LiblimServer.StartAsync(new ReplicaFactory(Hub), new LiblimServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), Secret = TcpPeer.Secret });
        }
    }

    private IReplica Device(string name)
    {
        var replica = new SqliteReplica(name, o => o.TimeProvider(_time));
        _replicas.Add(replica);
        return replica;
    }

    /// <summary>Each device syncs with the hub, and the first again, so that all three hold the same.</summary>
    private async Task SyncAllAsync(IReplica first, IReplica second)
    {
        await SyncWithHubAsync(first);
        await SyncWithHubAsync(second);
        await SyncWithHubAsync(first);
    }

    private async Task<SyncResult> SyncWithHubAsync(IReplica device)
    {
        if (!UsesTcp)
        {
            return await Replicas.SyncAsync(device, Hub);
        }

        await using var db = device.Open();
        return await db.Liblim().SyncWithAsync(new Uri($"liblim://127.0.0.1:{_server!.Endpoint.Port}"), TcpPeer.Secret);
    }
}
