using Liblim.EfCore.Infrastructure;
using Liblim.EfCore.Infrastructure.Internal;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Turns replication on for a context.</summary>
public static class LiblimDbContextOptionsBuilderExtensions
{
    /// <summary>
    /// Turns Liblim on: adds its shadow tables to the model and records every SaveChanges on a replicated
    /// entity with the metadata that sync needs. Call after the provider (UseSqlite, UseNpgsql).
    /// </summary>
    /// <param name="optionsBuilder">The context's options builder.</param>
    /// <param name="configure">Optional replication options: node id, clock drift limit.</param>
    public static DbContextOptionsBuilder UseLiblim(this DbContextOptionsBuilder optionsBuilder, Action<LiblimOptionsBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(optionsBuilder);
        var extension = optionsBuilder.Options.FindExtension<LiblimOptionsExtension>() ?? new LiblimOptionsExtension();
        if (configure is not null)
        {
            var builder = new LiblimOptionsBuilder(extension);
            configure(builder);
            extension = builder.Extension;
        }

        ((IDbContextOptionsBuilderInfrastructure)optionsBuilder).AddOrUpdateExtension(extension);
        return optionsBuilder;
    }

    /// <inheritdoc cref="UseLiblim(DbContextOptionsBuilder, Action{LiblimOptionsBuilder}?)" />
    public static DbContextOptionsBuilder<TContext> UseLiblim<TContext>(this DbContextOptionsBuilder<TContext> optionsBuilder, Action<LiblimOptionsBuilder>? configure = null)
        where TContext : DbContext
        => (DbContextOptionsBuilder<TContext>)UseLiblim((DbContextOptionsBuilder)optionsBuilder, configure);
}
