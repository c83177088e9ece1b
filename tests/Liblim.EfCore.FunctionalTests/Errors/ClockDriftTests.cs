using Microsoft.EntityFrameworkCore;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using static Liblim.EfCore.FunctionalTests.Infrastructure.Replicas;

namespace Liblim.EfCore.FunctionalTests.Errors;

public abstract class ClockDriftTests : ReplicaSuite
{
    public sealed class OnSqlite : ClockDriftTests
    {
        protected override DatabaseKind[] Databases => SqliteOnly;
    }

    public sealed class Mixed : ClockDriftTests
    {
        protected override DatabaseKind[] Databases => SqliteAndPostgres;
    }

    public sealed class OnPostgres : ClockDriftTests
    {
        protected override DatabaseKind[] Databases => PostgresOnly;
    }

    [Fact]
    public async Task A_peer_far_in_the_future_is_refused_naming_the_peer_and_the_drift_and_nothing_is_lost()
    {
        var future = new FixedTime(DateTimeOffset.UtcNow.AddHours(1));
        using var ahead = NewReplica("ahead", o => o.TimeProvider(future));
        using var local = NewReplica("local", o => o.MaxClockDrift(TimeSpan.FromMinutes(5)));
        var id = Guid.NewGuid();
        await InsertAsync(ahead, new TodoItem { Id = id, Title = "stamped an hour ahead" });
        await InsertAsync(local, new TodoItem { Id = Guid.NewGuid(), Title = "local" });
        var before = Snapshot.Of(local);

        await using var dl = local.Open();
        await using var da = ahead.Open();
        var e = await Assert.ThrowsAsync<ClockDriftException>(() => dl.Liblim().SyncWithAsync(da));

        Assert.Equal(await da.Liblim().GetNodeIdAsync(), e.Origin);
        Assert.Contains((await da.Liblim().GetNodeIdAsync()).ToString(), e.Peer);
        Assert.InRange(e.Drift, TimeSpan.FromMinutes(59), TimeSpan.FromMinutes(61));
        Assert.Equal(before, Snapshot.Of(local));
        Assert.NotNull(Find(ahead, id));

        // Once the limit allows it (or the clock is fixed), the same change syncs: nothing was lost.
        await using var dt = local.OpenWith(o => o.MaxClockDrift(TimeSpan.FromHours(2)));
        await dt.Liblim().SyncWithAsync(da);
        Assert.Equal("stamped an hour ahead", Find(local, id)!.Title);
    }
}
