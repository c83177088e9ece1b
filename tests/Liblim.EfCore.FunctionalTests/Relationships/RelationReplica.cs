using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Relationships;

/// <summary>A replica of <see cref="RelationDb"/>: a SQLite file or a PostgreSQL database of its own, empty when created.</summary>
public sealed class RelationReplica : IDisposable
{
    private static readonly PostgresDatabasePool<RelationDb> Pool = new(c => new RelationDb(Npgsql(c)));

    private readonly string _connectionString;
    private readonly Action<LiblimOptionsBuilder>? _configure;

    /// <summary>A new, empty replica; <paramref name="configure"/> sets the Liblim options of every context opened on it.</summary>
    public RelationReplica(DatabaseKind database, string name, Action<LiblimOptionsBuilder>? configure = null)
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
            var folder = Path.Combine(Path.GetTempPath(), "liblim-tests");
            Directory.CreateDirectory(folder);
            _connectionString = $"Data Source={Path.Combine(folder, $"rel-{name}-{Guid.NewGuid():N}.db")}";
            using var db = Open();
            db.Database.EnsureCreated();
        }
    }

    public DatabaseKind Database { get; }

    public string Name { get; }

    public DbContextOptions<RelationDb> Options => Database == DatabaseKind.Postgres
        ? Npgsql(_connectionString, _configure)
        : new DbContextOptionsBuilder<RelationDb>().UseSqlite(_connectionString).UseLiblim(_configure).Options;

    public RelationDb Open() => new(Options);

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

    private static DbContextOptions<RelationDb> Npgsql(string connectionString, Action<LiblimOptionsBuilder>? configure = null)
        => new DbContextOptionsBuilder<RelationDb>().UseNpgsql(connectionString).UseLiblim(configure).Options;
}
