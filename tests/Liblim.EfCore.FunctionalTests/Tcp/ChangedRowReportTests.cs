using System.Collections.Concurrent;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>
/// A server, a hosted service and a one-shot sync keep the rows a peer's batches changed only for whoever reads them:
/// a <c>RowsChanged</c> handler gets every row, whenever it was added, and a sync's result counts every row and lists
/// the first <see cref="SyncResult.MaxListedRows"/>.
/// </summary>
public class ChangedRowReportTests
{
    private const int Rows = 2_500;

    [Fact]
    public async Task A_hosted_service_and_its_server_both_report_every_row_a_peer_changed()
    {
        await using var host = await SyncHost.StartAsync("report-host", listen: true);
        var toService = new ConcurrentBag<ChangedRow>();
        var toServer = new ConcurrentBag<ChangedRow>();
        host.Service.RowsChanged += (_, e) => Collect(toService, e);
        host.Service.Server!.RowsChanged += (_, e) => Collect(toServer, e);
        using var client = new SqliteReplica("report-host-client");
        var keys = await InsertAsync(client);

        await using (var db = client.Open())
        {
            Assert.Equal(Rows, (await db.Liblim().SyncWithAsync(host.Address, TcpPeer.Secret)).RowsAppliedByPeer);
        }

        Assert.Equal(keys, Inserted(toService));
        Assert.Equal(keys, Inserted(toServer));
    }

    [Fact]
    public async Task A_handler_added_after_a_sync_nobody_watched_gets_every_row_of_the_next()
    {
        await using var server = await TcpPeer.StartAsync("report-late");
        using var client = new SqliteReplica("report-late-client");
        await InsertAsync(client);
        await using (var db = client.Open())
        {
            await db.Liblim().SyncWithAsync(server.Address, TcpPeer.Secret);
        }

        var reported = new ConcurrentBag<ChangedRow>();
        server.Server.RowsChanged += (_, e) => Collect(reported, e);
        var keys = await InsertAsync(client);
        await using (var db = client.Open())
        {
            Assert.Equal(Rows, (await db.Liblim().SyncWithAsync(server.Address, TcpPeer.Secret)).RowsAppliedByPeer);
        }

        Assert.Equal(keys, Inserted(reported));
    }

    [Fact]
    public async Task A_sync_lists_the_rows_it_changed_whether_or_not_its_server_reports_them()
    {
        await using var server = await TcpPeer.StartAsync("report-result");
        var reported = new ConcurrentBag<ChangedRow>();
        server.Server.RowsChanged += (_, e) => Collect(reported, e);
        var keys = await InsertAsync(server.Replica);
        using var client = new SqliteReplica("report-result-client");

        await using var db = client.Open();
        var result = await db.Liblim().SyncWithAsync(server.Address, TcpPeer.Secret);

        Assert.Equal(Rows, result.ChangedCount);
        Assert.Equal(keys, result.Changed.Select(c => c.GetKey<Guid>()).Order().ToList());
        Assert.Empty(reported); // the server's rows changed on the client, not on the server
    }

    private static async Task<List<Guid>> InsertAsync(SqliteReplica replica)
    {
        var items = Enumerable.Range(0, Rows).Select(i => new TodoItem { Id = Guid.NewGuid(), Title = $"row {i}" }).ToList();
        await using var db = replica.Open();
        db.Items.AddRange(items);
        await db.SaveChangesAsync();
        return [.. items.Select(i => i.Id).Order()];
    }

    private static void Collect(ConcurrentBag<ChangedRow> into, RowsChangedEventArgs e)
    {
        foreach (var row in e.Rows)
        {
            into.Add(row);
        }
    }

    private static List<Guid> Inserted(IEnumerable<ChangedRow> rows)
        => [.. rows.Where(r => r.Change == RowChange.Inserted).Select(r => r.GetKey<Guid>()).Order()];
}
