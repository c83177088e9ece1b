using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>Registering Liblim's services wrong fails with an error that says the fix, not with the container's.</summary>
public class SyncRegistrationTests
{
    [Fact]
    public void Without_a_context_factory_the_sync_service_says_to_register_one()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddLiblimSync<TodoDb>(o => o.Secret = "s");
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetServices<IHostedService>().ToList());

        Assert.Contains("AddDbContextFactory<TodoDb>", error.Message);
    }

    [Fact]
    public void A_second_AddLiblimSync_for_the_same_context_is_refused_with_the_fix()
    {
        var services = new ServiceCollection();
        services.AddLiblimSync<TodoDb>(o => o.Secret = "s");

        var error = Assert.Throws<InvalidOperationException>(() => services.AddLiblimSync<TodoDb>(o => o.Secret = "s"));

        Assert.Contains("called twice", error.Message);
        Assert.Contains("LiblimSyncOptions.Peers", error.Message);
    }

    [Fact]
    public async Task Options_that_cannot_work_stop_the_host_at_start_naming_the_setting()
    {
        using var replica = new SqliteReplica("misconfigured");
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddDbContextFactory<TodoDb>(o => o.UseSqlite($"Data Source={replica.Path}").UseLiblim());
        builder.Services.AddLiblimSync<TodoDb>(o => o.Peers.Add(new Uri("liblim://127.0.0.1:4242")));
        using var host = builder.Build();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("set Secret to connect to liblim://127.0.0.1:4242", error.Message);
        Assert.Contains(LiblimSyncOptions.NameFor<TodoDb>(), error.Message);
    }

    [Fact]
    public async Task The_sync_service_takes_its_peers_and_secret_from_configuration()
    {
        await using var hub = await TcpPeer.StartAsync("configured-hub");
        using var edge = new SqliteReplica("configured-edge");
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Liblim:Peers:0"] = hub.Address.ToString(),
            ["Liblim:Secret"] = TcpPeer.Secret,
            ["Liblim:ReconnectDelay"] = "00:00:00.100",
        });
        builder.Services.AddDbContextFactory<TodoDb>(o => o.UseSqlite($"Data Source={edge.Path}").UseLiblim());
        builder.Services.AddLiblimSync<TodoDb>().BindConfiguration("Liblim");
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var id = Guid.NewGuid();
            await Replicas.InsertAsync(edge, new TodoItem { Id = id, Title = "pushed by a configured service" });

            await SyncHost.EventuallyAsync(() => Replicas.Find(hub.Replica, id) is not null, "the hub has the row the configured edge saved");
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Without_a_context_factory_the_hub_says_to_register_one()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddLiblimHub<TodoDb>();
        await using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.Services.GetRequiredService<Liblim.EfCore.AspNetCore.LiblimHub<TodoDb>>());

        Assert.Contains("AddDbContextFactory<TodoDb>", error.Message);
    }
}
