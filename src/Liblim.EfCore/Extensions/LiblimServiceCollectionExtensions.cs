using Liblim.EfCore;
using Liblim.EfCore.Capture.Internal;
using Liblim.EfCore.Metadata.Conventions;
using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;
using Liblim.EfCore.Storage.Postgres;
using Liblim.EfCore.Storage.Sqlite;
using Liblim.EfCore.Sync.Hosting;
using Liblim.EfCore.Writes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Update;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Liblim's services: in EF Core's internal service provider, and the sync service in an app host.</summary>
public static class LiblimServiceCollectionExtensions
{
    /// <summary>
    /// Registers the services Liblim adds to EF Core, in EF's internal service provider: its conventions, its interceptors
    /// and its storage services, with the dialect of the context's database. <c>UseLiblim()</c> calls this; an app calls it
    /// only when it builds EF's internal service provider itself (<c>UseInternalServiceProvider</c>).
    /// </summary>
    public static IServiceCollection AddEntityFrameworkLiblim(this IServiceCollection serviceCollection)
    {
        ArgumentNullException.ThrowIfNull(serviceCollection);
        new EntityFrameworkServicesBuilder(serviceCollection)
            .TryAdd<IConventionSetPlugin, LiblimConventionSetPlugin>()
            .TryAdd<IInterceptor, ChangeCaptureInterceptor>()
            .TryAdd<IInterceptor, BulkWriteGuardInterceptor>()
            .TryAdd<IInterceptor, BulkWriteQueryGuard>()
            .TryAdd<IInterceptor, ConnectionSetupInterceptor>();
        // In place of EF's executor, whoever registered it first: the capture goes before EF makes its commands.
        serviceCollection.Replace(ServiceDescriptor.Scoped<IBatchExecutor, CaptureBatchExecutor>());
        serviceCollection.TryAddSingleton(sp => DialectOf(sp.GetServices<IDatabaseProvider>().FirstOrDefault()?.Name));
        serviceCollection.TryAddSingleton<IValueStorage>(sp => sp.GetRequiredService<SqlDialect>());
        serviceCollection.TryAddScoped<StoreSession>();
        serviceCollection.TryAddSingleton<ReplicaFeed>();
        serviceCollection.TryAddSingleton<CatchUp>();
        serviceCollection.TryAddSingleton<CollectionPace>();
        return serviceCollection;
    }

    /// <summary>The one place a database is told apart by its EF provider: the dialect of Liblim's SQL for it.</summary>
    private static SqlDialect DialectOf(string? provider) => provider switch
    {
        "Microsoft.EntityFrameworkCore.Sqlite" => SqliteDialect.Instance,
        "Npgsql.EntityFrameworkCore.PostgreSQL" => PostgresDialect.Instance,
        _ => throw new LiblimException($"Liblim supports SQLite (UseSqlite) and PostgreSQL (UseNpgsql); this context uses '{provider}'."),
    };

    /// <summary>
    /// Serves the context's database to peers and keeps it in sync with known peers, for as long as the host
    /// runs. Needs <c>AddDbContextFactory&lt;TContext&gt;</c> with <c>UseLiblim()</c>. The options are the context's
    /// named options (<see cref="LiblimSyncOptions.NameFor{TContext}"/>), validated when the host starts: configure them
    /// here, or with the builder returned, for example from configuration (<c>.BindConfiguration("Liblim")</c>, a section
    /// such as <c>{ "Peers": [ "liblim://hub:4242" ], "Secret": "…" }</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The context has a sync service already: one per context, with every peer in it.</exception>
    public static OptionsBuilder<LiblimSyncOptions> AddLiblimSync<TContext>(this IServiceCollection services, Action<LiblimSyncOptions>? configure = null)
        where TContext : DbContext
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(d => d.ServiceType == typeof(LiblimSyncService<TContext>)))
        {
            throw new InvalidOperationException(
                $"AddLiblimSync<{typeof(TContext).Name}> was called twice: one sync service per context, with every peer in one call (LiblimSyncOptions.Peers).");
        }

        var name = LiblimSyncOptions.NameFor<TContext>();
        var options = services.AddOptions<LiblimSyncOptions>(name).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LiblimSyncOptions>, LiblimSyncOptionsValidation>());
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.AddSingleton(sp => new LiblimSyncService<TContext>(
            ContextFactoryLookup.Require<TContext>(sp, nameof(AddLiblimSync)),
            sp.GetRequiredService<IOptionsMonitor<LiblimSyncOptions>>().Get(name),
            sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance));
        services.AddHostedService(sp => sp.GetRequiredService<LiblimSyncService<TContext>>());
        return options;
    }
}
