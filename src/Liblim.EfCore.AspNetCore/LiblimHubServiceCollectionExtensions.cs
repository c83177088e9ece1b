using Liblim.EfCore.AspNetCore;
using Liblim.EfCore.Sync.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers a Liblim hub in an ASP.NET Core app.</summary>
public static class LiblimHubServiceCollectionExtensions
{
    /// <summary>
    /// Registers the hub that serves the context's database to liblim peers over WebSockets; <c>MapLiblim</c> puts it on an
    /// endpoint. Needs <c>AddDbContextFactory&lt;TContext&gt;</c> with <c>UseLiblim()</c>.
    /// </summary>
    public static IServiceCollection AddLiblimHub<TContext>(this IServiceCollection services, Action<LiblimHubOptions>? configure = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<LiblimHubOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.Validate(o =>
        {
            o.Validate();
            return true;
        });
        services.TryAddSingleton(sp => ActivatorUtilities.CreateInstance<LiblimHub<TContext>>(sp, ContextFactoryLookup.Require<TContext>(sp, nameof(AddLiblimHub))));
        return services;
    }
}
