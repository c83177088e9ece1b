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

    public static TheoryData<string, string> Misconfigurations() => new()
    {
        { "liblim peer, no secret", "set Secret to connect to liblim://hub:4242/" },
        { "wss peer, no token", "set AccessTokenProvider (or Secret) to connect to wss://hub/liblim" },
        { "listener, no secret", "A Liblim server needs a Secret (or SecretForPeer)" },
        { "reconnect delays", "ReconnectDelay must be positive and at most MaxReconnectDelay" },
        { "limits", "Liblim protocol limits must be positive" },
    };

    [Theory]
    [MemberData(nameof(Misconfigurations))]
    public void Each_setting_that_cannot_work_is_named_in_the_validation_message(string setting, string message)
    {
        var options = new LiblimSyncOptions { Secret = "s" };
        switch (setting)
        {
            case "liblim peer, no secret": options.Secret = null; options.Peers.Add(new Uri("liblim://hub:4242")); break;
            case "wss peer, no token": options.Secret = null; options.Peers.Add(new Uri("wss://hub/liblim")); break;
            case "listener, no secret": options.Secret = null; options.Listen = new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0); break;
            case "reconnect delays": options.ReconnectDelay = TimeSpan.FromMinutes(5); break;
            default: options.Limits = new LiblimProtocolLimits { BatchSize = 0 }; break;
        }

        var result = new Liblim.EfCore.Sync.Hosting.LiblimSyncOptionsValidation().Validate(LiblimSyncOptions.NameFor<TodoDb>(), options);

        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage);
        Assert.StartsWith($"The Liblim sync options of {LiblimSyncOptions.NameFor<TodoDb>()}: ", result.FailureMessage);
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
