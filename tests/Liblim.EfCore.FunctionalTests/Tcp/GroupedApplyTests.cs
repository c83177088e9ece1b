using System.Collections.Concurrent;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>
/// Batches that arrive back to back are applied in one transaction, and nothing a user sees depends on it: every whole
/// batch applied is kept whatever ends the transfer, a batch that fails halfway leaves nothing of itself, and the
/// changed rows are reported only once they are committed.
/// </summary>
public class GroupedApplyTests
{
    [Fact]
    public async Task A_batch_that_fails_halfway_is_undone_alone_and_the_batches_sent_before_it_are_kept_with_their_position()
    {
        await using var server = await TcpPeer.StartAsync("grouped-fail");
        // An app's own rule that Liblim cannot know of: the second row of the third batch breaks it while that batch is
        // being written, after its first row was.
        server.Replica.Execute("CREATE TRIGGER refuse_title BEFORE INSERT ON Items WHEN NEW.Title = 'refused' BEGIN SELECT RAISE(ABORT, 'refused by the app'); END");
        // Keys in ascending order, so that whatever order a batch is written in, the refused row is not the first.
        Guid[] keys = [.. Enumerable.Range(1, 4).Select(i => Guid.Parse($"00000000-0000-0000-0000-00000000000{i}"))];

        await using (var raw = await RawPeer.ConnectAsync(server))
        {
            await raw.GreetAndHaveAsync(3);
            // All three batches in one write: the server has them at hand together, as in a bulk transfer.
            await raw.SendAsync(
                $"UCANHAZ 1\n{Row(raw, keys[0], "first")}\n\n" +
                $"UCANHAZ 2\n{Row(raw, keys[1], "second")}\n\n" +
                $"UCANHAZ 3\n{Row(raw, keys[2], "third")}\n{Row(raw, keys[3], "refused")}\n\n");
            var error = await raw.ReadErrorAndCloseAsync();
            Assert.StartsWith("OHNOES internal ", error);

            await using var db = server.Replica.Open();
            var titles = await db.Items.OrderBy(i => i.Priority).Select(i => i.Title).ToListAsync();
            Assert.Equal(["first", "second"], titles);
            Assert.Equal(2, await LiblimFacade.ReadWatermarkAsync(db, raw.Node, default));
            Assert.Null(ShadowRows.Row(server.Replica, "Items", keys[2]));
        }

        // What the peer sends again from its kept position is applied once the app lets it.
        server.Replica.Execute("DROP TRIGGER refuse_title");
        await using (var raw = await RawPeer.ConnectAsync(server))
        {
            await raw.GreetAndHaveAsync(3);
            await raw.SendAsync($"UCANHAZ 3\n{Row(raw, keys[2], "third")}\n{Row(raw, keys[3], "fourth")}\n\nKTHXBAI\n");
            await raw.ReadErrorAndCloseAsync();
        }

        await using (var db = server.Replica.Open())
        {
            Assert.Equal(4, await db.Items.CountAsync());
        }
    }

    [Fact]
    public async Task RowsChanged_reports_rows_that_are_already_readable_on_another_connection()
    {
        await using var server = await TcpPeer.StartAsync("grouped-events");
        using var client = new SqliteReplica("grouped-events-client");
        await using (var db = client.Open())
        {
            db.Items.AddRange(Enumerable.Range(0, 2500).Select(i => new TodoItem { Id = Guid.NewGuid(), Title = $"row {i}" }));
            await db.SaveChangesAsync();
        }

        var reported = 0;
        var unreadable = new ConcurrentBag<Guid>();
        server.Server.RowsChanged += (_, e) =>
        {
            using var db = server.Replica.Open();
            var keys = e.Rows.Select(r => Guid.Parse(r.Key[2..^2])).ToList();
            var readable = db.Items.Where(i => keys.Contains(i.Id)).Select(i => i.Id).ToHashSet();
            foreach (var key in keys.Where(k => !readable.Contains(k)))
            {
                unreadable.Add(key);
            }

            Interlocked.Add(ref reported, keys.Count);
        };

        await using (var db = client.Open())
        {
            var result = await db.Liblim().SyncWithAsync(server.Address, TcpPeer.Secret);
            Assert.Equal(2500, result.RowsAppliedByPeer);
        }

        Assert.Equal(2500, reported);
        Assert.Empty(unreadable);
    }

    [Fact]
    public async Task With_a_sync_commit_interval_of_zero_each_batch_is_committed_and_reported_by_itself()
    {
        await using var server = await TcpPeer.StartAsync("grouped-zero", liblim: o => o.SyncCommitInterval(TimeSpan.Zero));
        var reports = new ConcurrentQueue<int>();
        server.Server.RowsChanged += (_, e) => reports.Enqueue(e.Rows.Count);
        Guid[] keys = [Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid()];

        await using (var raw = await RawPeer.ConnectAsync(server))
        {
            await raw.GreetAndHaveAsync(3);
            await raw.SendAsync(
                $"UCANHAZ 1\n{Row(raw, keys[0], "first")}\n\n" +
                $"UCANHAZ 2\n{Row(raw, keys[1], "second")}\n\n" +
                $"UCANHAZ 3\n{Row(raw, keys[2], "third")}\n\nKTHXBAI\n");
            Assert.Null(await raw.ReadErrorAndCloseAsync());
        }

        Assert.Equal([1, 1, 1], reports.ToArray());
        await using var db = server.Replica.Open();
        Assert.Equal(3, await db.Items.CountAsync());
    }

    [Fact]
    public void A_negative_sync_commit_interval_is_refused()
        => Assert.Throws<ArgumentOutOfRangeException>(() =>
            new DbContextOptionsBuilder<TodoDb>().UseSqlite("Data Source=:memory:").UseLiblim(o => o.SyncCommitInterval(TimeSpan.FromSeconds(-1))));

    private static string Row(RawPeer raw, Guid key, string title)
    {
        var ts = raw.Timestamp();
        var priority = title switch { "first" => 1, "second" => 2, "third" => 3, _ => 4 };
        return $"Items/[\"{key:D}\"]:{{\"t\":\"{ts}\",\"v\":{{\"Title\":\"{title}\",\"Priority\":{priority}}},\"a\":[\"{ts}\"]}}";
    }
}
