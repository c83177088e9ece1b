using Liblim.EfCore.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Infrastructure;

/// <summary>
/// A replica of a test model of its own (<typeparamref name="TContext"/>): a SQLite file or a PostgreSQL database of its
/// own, empty when created, removed (or emptied for the next test) at dispose.
/// </summary>
public abstract class ContextReplica<TContext> : IDisposable
    where TContext : DbContext
{
    private static readonly PostgresDatabasePool<TContext> Pool = new(c => Create(Npgsql(c, null)));

    private readonly string _connectionString;
    private readonly Action<LiblimOptionsBuilder>? _configure;

    /// <summary>A new, empty replica; <paramref name="configure"/> sets the Liblim options of every context opened on it.</summary>
    protected ContextReplica(DatabaseKind database, string name, Action<LiblimOptionsBuilder>? configure)
    {
        Database = database;
        Name = name;
        _configure = configure;
        if (database == DatabaseKind.Postgres)
        {
            _connectionString = Pool.Rent();
        }
        else
        {
            _connectionString = $"Data Source={TestFiles.NewPath($"{typeof(TContext).Name}-{name}")}";
            using var db = Open();
            db.Database.EnsureCreated();
        }
    }

    public DatabaseKind Database { get; }

    /// <summary>The connection string of its database.</summary>
    public string ConnectionString => _connectionString;

    public string Name { get; }

    public DbContextOptions<TContext> Options => Database == DatabaseKind.Postgres
        ? Npgsql(_connectionString, _configure)
        : new DbContextOptionsBuilder<TContext>().UseSqlite(_connectionString).UseLiblim(_configure).Options;

    public TContext Open() => Create(Options);

    public void Dispose()
    {
        if (Database == DatabaseKind.Postgres)
        {
            Pool.Return(_connectionString);
            return;
        }

        SqliteConnection.ClearAllPools();
        var file = new SqliteConnectionStringBuilder(_connectionString).DataSource;
        try { File.Delete(file); } catch (IOException) { }
    }

    public override string ToString() => $"{Name} ({Database})";

    private static TContext Create(DbContextOptions<TContext> options) => (TContext)Activator.CreateInstance(typeof(TContext), options)!;

    private static DbContextOptions<TContext> Npgsql(string connectionString, Action<LiblimOptionsBuilder>? configure)
        => new DbContextOptionsBuilder<TContext>().UseNpgsql(connectionString).UseLiblim(configure).Options;
}
