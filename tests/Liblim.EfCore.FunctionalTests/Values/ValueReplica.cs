using Liblim.EfCore.FunctionalTests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Values;

/// <summary>A replica of <see cref="ValueDb"/>: a SQLite file or a PostgreSQL database of its own.</summary>
public sealed class ValueReplica : IDisposable
{
    private static readonly PostgresDatabasePool<ValueDb> Pool = new(c => new ValueDb(Npgsql(c)));

    private readonly string _connectionString;

    public ValueReplica(DatabaseKind database)
    {
        Database = database;
        if (database == DatabaseKind.Postgres)
        {
            _connectionString = Pool.Rent();
        }
        else
        {
            var folder = Path.Combine(Path.GetTempPath(), "liblim-tests");
            Directory.CreateDirectory(folder);
            _connectionString = $"Data Source={Path.Combine(folder, $"values-{Guid.NewGuid():N}.db")}";
            using var db = Open();
            db.Database.EnsureCreated();
        }
    }

    public DatabaseKind Database { get; }

    public ValueDb Open() => new(Database == DatabaseKind.Postgres
        ? Npgsql(_connectionString)
        : new DbContextOptionsBuilder<ValueDb>().UseSqlite(_connectionString).UseLiblim().Options);

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

    public override string ToString() => Database.ToString();

    private static DbContextOptions<ValueDb> Npgsql(string connectionString)
        => new DbContextOptionsBuilder<ValueDb>().UseNpgsql(connectionString).UseLiblim().Options;
}
