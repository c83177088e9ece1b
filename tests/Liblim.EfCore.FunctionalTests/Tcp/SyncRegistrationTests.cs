using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

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
    public async Task Without_a_context_factory_the_hub_says_to_register_one()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Services.AddLiblimHub<TodoDb>();
        await using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.Services.GetRequiredService<Liblim.EfCore.AspNetCore.LiblimHub<TodoDb>>());

        Assert.Contains("AddDbContextFactory<TodoDb>", error.Message);
    }
}
