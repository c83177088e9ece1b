using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>
/// A hub and two devices on live sessions, each remembering only a few rows as known to its peer, so that rows go as
/// deltas, go whole again once forgotten, and cross each other's deltas (docs/protocol.md section 5). Random inserts,
/// edits and deletes on all three, some back to back while the sessions push, some once every replica has caught up;
/// then every replica holds the same rows. A register a delta left out would leave them apart: the sessions have
/// nothing more to send by then.
/// </summary>
public class RandomLiveConvergenceTests
{
    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    public async Task Random_edits_on_live_sessions_that_send_deltas_converge(int seed)
    {
        var random = new Random(seed);
        static void FewKnownRows(LiblimSyncOptions o)
        {
            o.Limits = new LiblimProtocolLimits { LiveDeltaRows = 16 };
            o.PollInterval = TimeSpan.FromMilliseconds(20); // the test writes through contexts of its own, which the hosts hear of only by looking
        }
        await using var hub = await SyncHost.StartAsync($"live-random-hub-{seed}", listen: true, FewKnownRows);
        await using var toHub = new CuttingProxy(hub.Service.Server!.Endpoint); // it cuts nothing: it keeps the lines
        await using var first = await SyncHost.StartAsync($"live-random-a-{seed}", listen: false, FewKnownRows, toHub.Address);
        await using var second = await SyncHost.StartAsync($"live-random-b-{seed}", listen: false, FewKnownRows, toHub.Address);
        await SyncHost.EventuallyAsync(() => first.Service.IsConnected(toHub.Address) && second.Service.IsConnected(toHub.Address), "both devices are connected");
        SqliteReplica[] replicas = [hub.Replica, first.Replica, second.Replica];

        for (var step = 0; step < 150; step++)
        {
            var replica = replicas[random.Next(replicas.Length)];
            var ids = Replicas.All(replica).Select(i => i.Id).Order().ToList();
            var choice = random.Next(10);
            if (ids.Count < 3 || choice < 3)
            {
                await Replicas.InsertAsync(replica, new TodoItem { Id = random.NextGuid(), Title = $"t{random.Next(100)}", Priority = random.Next(5) });
            }
            else if (choice < 9)
            {
                var (title, priority, notes) = ($"t{random.Next(100)}", random.Next(5), random.Next(3) == 0 ? $"n{random.Next(10)}" : null);
                var which = random.Next(3);
                await Replicas.EditAsync(replica, ids[random.Next(ids.Count)], i =>
                {
                    switch (which)
                    {
                        case 0: i.Title = title; break;
                        case 1: i.Priority = priority; break;
                        default: i.Notes = notes; break;
                    }
                });
            }
            else
            {
                await Replicas.DeleteAsync(replica, ids[random.Next(ids.Count)]);
            }

            if (random.Next(2) == 0)
            {
                await SyncHost.EventuallyAsync(() => Same(replicas), "the three replicas have caught up");
            }
        }

        await SyncHost.EventuallyAsync(() => Same(replicas), "the three replicas hold the same rows");
        Assert.NotEmpty(Replicas.All(hub.Replica));
        Assert.Contains(toHub.LinesToServer.Concat(toHub.LinesToClient), IsDelta); // the run sent deltas, both ways or either
    }

    /// <summary>A row line whose state carries values but no tag: a delta (a whole state has its add tags, or its tombstones when deleted).</summary>
    private static bool IsDelta(string line)
        => line.StartsWith("Items/", StringComparison.Ordinal) && line.Contains("\"v\":", StringComparison.Ordinal) && !line.Contains("\"a\":", StringComparison.Ordinal) && !line.Contains("\"d\":", StringComparison.Ordinal);

    private static bool Same(SqliteReplica[] replicas)
    {
        var rows = replicas.Select(r => string.Join("\n", Replicas.All(r).OrderBy(i => i.Id).Select(i => $"{i.Id} {i.Title} {i.Priority} {i.Notes}"))).ToList();
        return rows.All(r => r == rows[0]);
    }
}
