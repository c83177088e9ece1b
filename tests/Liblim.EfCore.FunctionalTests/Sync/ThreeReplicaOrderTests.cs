using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using static Liblim.EfCore.FunctionalTests.Infrastructure.Replicas;

namespace Liblim.EfCore.FunctionalTests.Sync;

/// <summary>Three replicas with conflicting edits converge to the same tables, whatever order they sync in.</summary>
public abstract class ThreeReplicaOrderTests : ReplicaSuite
{
    public sealed class OnSqlite : ThreeReplicaOrderTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;
    }

    public sealed class Mixed : ThreeReplicaOrderTests
    {
        protected override DatabaseKind[] Databases => SqliteAndPostgres;
    }

    public sealed class OnPostgres : ThreeReplicaOrderTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    private static readonly (int, int)[] Pairs = [(0, 1), (1, 2), (0, 2)];

    public static TheoryData<int[]> Orders()
    {
        var data = new TheoryData<int[]>();
        foreach (var order in Permutations([0, 1, 2]))
        {
            data.Add(order);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Orders))]
    public async Task Every_order_of_pairwise_syncs_converges_to_the_same_state(int[] order)
    {
        var expected = await RunAsync([0, 1, 2, 0, 1, 2]);
        var actual = await RunAsync([.. order, .. order]);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public async Task A_change_passes_through_an_intermediate_replica()
    {
        using var a = NewReplica("a");
        using var b = NewReplica("b");
        using var c = NewReplica("c");
        var id = Guid.NewGuid();
        await InsertAsync(a, new TodoItem { Id = id, Title = "from a" });

        await SyncAsync(a, b);
        await SyncAsync(b, c);

        Assert.Equal("from a", Find(c, id)!.Title);
    }

    /// <summary>Plays one scripted scene of conflicting edits, syncs pairs in the given order, and returns the converged table.</summary>
    private async Task<string> RunAsync(int[] order)
    {
        var nodes = new[] { Guid.Parse("00000000-0000-0000-0000-00000000000a"), Guid.Parse("00000000-0000-0000-0000-00000000000b"), Guid.Parse("00000000-0000-0000-0000-00000000000c") };
        var time = new FixedTime(DateTimeOffset.Parse("2026-01-01T00:00:00Z"));
        var r = nodes.Select((n, i) => NewReplica($"r{i}", o => o.NodeId(n).TimeProvider(time))).ToArray();
        try
        {
            var shared = Guid.Parse("10000000-0000-0000-0000-000000000001");
            var doomed = Guid.Parse("10000000-0000-0000-0000-000000000002");
            var twice = Guid.Parse("10000000-0000-0000-0000-000000000003");
            await InsertAsync(r[0], new TodoItem { Id = shared, Title = "shared" });
            await InsertAsync(r[0], new TodoItem { Id = doomed, Title = "doomed" });
            await SyncAsync(r[0], r[1]);
            await SyncAsync(r[1], r[2]);

            time.Now = time.Now.AddSeconds(1);
            await EditAsync(r[0], shared, i => i.Title = "r0 title");
            await EditAsync(r[1], shared, i => { i.Title = "r1 title"; i.Priority = 2; });
            await EditAsync(r[2], shared, i => i.Done = true);
            await DeleteAsync(r[1], doomed);
            await EditAsync(r[2], doomed, i => i.Notes = "edited concurrently with delete");
            await InsertAsync(r[0], new TodoItem { Id = twice, Title = "r0 insert" });
            await InsertAsync(r[2], new TodoItem { Id = twice, Title = "r2 insert", Cost = 3.25m });

            foreach (var p in order)
            {
                var (x, y) = Pairs[p];
                await SyncAsync(r[x], r[y]);
            }

            var snapshots = r.Select(Snapshot.Of).ToArray();
            Assert.Equal(snapshots[0], snapshots[1]);
            Assert.Equal(snapshots[0], snapshots[2]);
            return snapshots[0];
        }
        finally
        {
            foreach (var x in r)
            {
                x.Dispose();
            }
        }
    }

    private static IEnumerable<int[]> Permutations(int[] items)
        => items.Length <= 1 ? [items] : items.SelectMany((x, i) => Permutations([.. items[..i], .. items[(i + 1)..]]).Select(rest => (int[])[x, .. rest]));
}
