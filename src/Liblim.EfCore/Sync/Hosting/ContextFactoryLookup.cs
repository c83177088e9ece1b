using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.Sync.Hosting;

/// <summary>The app's context factory, which Liblim's services take short-lived contexts from; a clear error when the app registered none.</summary>
internal static class ContextFactoryLookup
{
    /// <exception cref="InvalidOperationException">No <see cref="IDbContextFactory{TContext}"/> is registered.</exception>
    public static IDbContextFactory<TContext> Require<TContext>(IServiceProvider services, string registeredBy)
        where TContext : DbContext
        => services.GetService(typeof(IDbContextFactory<TContext>)) as IDbContextFactory<TContext>
           ?? throw new InvalidOperationException(
               $"{registeredBy}<{typeof(TContext).Name}> takes its contexts from an IDbContextFactory<{typeof(TContext).Name}>, and none is registered: " +
               $"register the context with services.AddDbContextFactory<{typeof(TContext).Name}>(o => o.UseSqlite(...).UseLiblim()) (or UseNpgsql), " +
               "alone or beside AddDbContext.");
}
