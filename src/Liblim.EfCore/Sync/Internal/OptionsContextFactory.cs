using System.Reflection;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.Sync.Internal;

/// <summary>Contexts made with one set of options, by the context type's constructor that takes them.</summary>
internal sealed class OptionsContextFactory<TContext> : IDbContextFactory<TContext>
    where TContext : DbContext
{
    private readonly DbContextOptions<TContext> _options;
    private readonly ConstructorInfo _constructor;

    /// <exception cref="ArgumentException">The context type has no public constructor that takes its options.</exception>
    public OptionsContextFactory(DbContextOptions<TContext> options)
    {
        _options = options;
        _constructor = typeof(TContext).GetConstructor([typeof(DbContextOptions<TContext>)])
            ?? typeof(TContext).GetConstructor([typeof(DbContextOptions)])
            ?? throw new ArgumentException(
                $"{typeof(TContext).Name} has no public constructor that takes DbContextOptions<{typeof(TContext).Name}>: add one, " +
                "or pass an IDbContextFactory (AddDbContextFactory makes one).", nameof(options));
    }

    public TContext CreateDbContext() => (TContext)_constructor.Invoke([_options]);
}
