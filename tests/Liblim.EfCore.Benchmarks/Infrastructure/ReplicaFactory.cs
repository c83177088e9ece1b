using Liblim.EfCore.Benchmarks.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.Benchmarks.Infrastructure;

/// <summary>Contexts on one database, as an app's AddDbContextFactory makes them; what a <see cref="LiblimServer"/> serves.</summary>
public sealed class ReplicaFactory(DbContextOptions<ReplicatedDb> options) : IDbContextFactory<ReplicatedDb>
{
    public DbContextOptions<ReplicatedDb> Options { get; } = options;

    public static ReplicaFactory ForSqlite(string path) => new(SqliteFiles.ReplicatedOptions(path));

    public ReplicatedDb CreateDbContext() => new(Options);
}
