using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;

namespace Liblim.EfCore.FunctionalTests.Hub;

/// <summary>
/// Two ASP.NET Core hubs, each with services and a Kestrel port of its own, serve one PostgreSQL database, as two hub
/// processes behind a load balancer would: devices syncing through either converge.
/// </summary>
public class TwoHubProcessesTests
{
    [Fact]
    public async Task Devices_syncing_through_either_of_two_hubs_on_one_postgresql_database_converge()
    {
        using var central = new PostgresReplica("central");
        await using var first = await HubHost.StartAsync(central);
        await using var second = await HubHost.StartAsync(central);
        Assert.NotEqual(first.Address.Port, second.Address.Port);
        var devices = Enumerable.Range(0, 4).Select(i => new SqliteReplica($"device{i}")).ToList();
        try
        {
            for (var round = 0; round < 3; round++)
            {
                await Task.WhenAll(devices.Select(async (device, i) =>
                {
                    await Replicas.InsertAsync(device, new TodoItem { Id = Guid.NewGuid(), Title = $"device {i} round {round}" });
                    await (i % 2 == round % 2 ? first : second).SyncAsync(device, TestTokens.For($"device-{i}", TimeSpan.FromMinutes(5)));
                }));
            }

            foreach (var (device, i) in devices.Select((d, i) => (d, i)))
            {
                await (i % 2 == 0 ? first : second).SyncAsync(device, TestTokens.For($"device-{i}", TimeSpan.FromMinutes(5)));
            }

            Assert.Equal(12, Replicas.All(central).Count);
            foreach (var device in devices)
            {
                Assert.Equal(Snapshot.Of(central), Snapshot.Of(device));
            }
        }
        finally
        {
            foreach (var device in devices)
            {
                device.Dispose();
            }
        }
    }
}
