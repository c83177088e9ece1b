using Liblim.EfCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Liblim's sync service in an app host.</summary>
public static class LiblimServiceCollectionExtensions
{
    /// <summary>
    /// Serves the context's database to peers and keeps it in sync with known peers, for as long as the host
    /// runs. Needs <c>AddDbContextFactory&lt;TContext&gt;</c> with <c>UseLiblim()</c>.
    /// </summary>
    public static IServiceCollection AddLiblimSync<TContext>(this IServiceCollection services, Action<LiblimSyncOptions> configure)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new LiblimSyncOptions();
        configure(options);
        options.Validate();
        services.TryAddSingleton(sp => new LiblimSyncService<TContext>(
            sp.GetRequiredService<IDbContextFactory<TContext>>(),
            options,
            sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance));
        services.AddHostedService(sp => sp.GetRequiredService<LiblimSyncService<TContext>>());
        return services;
    }
}
