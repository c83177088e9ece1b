using Liblim.EfCore.FunctionalTests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;

namespace Liblim.EfCore.FunctionalTests.Versions;

/// <summary>
/// A database of one app at version 1 or 2 of its model (<see cref="NotesDb"/>), on SQLite or PostgreSQL, that a test
/// can migrate from version 1 to 2 the way an EF migration does: with the operations EF finds between the two models,
/// turned into the database's SQL by EF.
/// </summary>
public sealed class VersionedReplica : IDisposable
{
    private readonly string _connectionString;
    private readonly TimeProvider? _time;

    public VersionedReplica(DatabaseKind database, string name, int version, TimeProvider? time = null)
    {
        _time = time;
        Database = database;
        Name = name;
        Version = version;
        _connectionString = database == DatabaseKind.Postgres
            ? PostgresServer.Instance.CreateDatabase()
            : $"Data Source={TestFiles.NewPath($"notes-{name}")}";
        using var db = Open();
        db.Database.EnsureCreated();
    }

    public DatabaseKind Database { get; }

    public string Name { get; }

    public int Version { get; private set; }

    /// <summary>A context of the replica's current version.</summary>
    public NotesDb Open() => Version == 1 ? new NotesV1Db(Options<NotesV1Db>()) : new NotesV2Db(Options<NotesV2Db>());

    /// <summary>A context of version 2 (the replica must be at it).</summary>
    public NotesV2Db OpenV2() => Version == 2 ? new NotesV2Db(Options<NotesV2Db>()) : throw new InvalidOperationException($"{Name} is at version 1.");

    /// <summary>Applies what a migration from version 1 to 2 applies: two columns of notes and the table of tags.</summary>
    public void MigrateToVersion2() => Migrate(new NotesV1Db(Options<NotesV1Db>()), new NotesV2Db(Options<NotesV2Db>()));

    /// <summary>Applies what a migration from version 2 back to 1 applies: it drops the columns and the table.</summary>
    public void MigrateToVersion1() => Migrate(new NotesV2Db(Options<NotesV2Db>()), new NotesV1Db(Options<NotesV1Db>()));

    private void Migrate(NotesDb from, NotesDb to)
    {
        using (from)
        using (to)
        {
            var target = to.GetService<IDesignTimeModel>().Model;
            var operations = to.GetService<IMigrationsModelDiffer>().GetDifferences(
                from.GetService<IDesignTimeModel>().Model.GetRelationalModel(), target.GetRelationalModel());
            var connection = to.Database.GetDbConnection();
            connection.Open();
            foreach (var step in to.GetService<IMigrationsSqlGenerator>().Generate(operations, target))
            {
                using var command = connection.CreateCommand();
                command.CommandText = step.CommandText;
                command.ExecuteNonQuery();
            }

            connection.Close();
            Version = to.Version;
        }
    }

    public void Dispose()
    {
        if (Database == DatabaseKind.Sqlite)
        {
            SqliteConnection.ClearAllPools();
            try { File.Delete(new SqliteConnectionStringBuilder(_connectionString).DataSource); } catch (IOException) { }
        }
    }

    public override string ToString() => $"{Name} (version {Version}, {Database})";

    private DbContextOptions<T> Options<T>()
        where T : DbContext
        => (Database == DatabaseKind.Postgres
            ? new DbContextOptionsBuilder<T>().UseNpgsql(_connectionString)
            : new DbContextOptionsBuilder<T>().UseSqlite(_connectionString)).UseLiblim(o => o.TimeProvider(_time ?? TimeProvider.System)).Options;
}
