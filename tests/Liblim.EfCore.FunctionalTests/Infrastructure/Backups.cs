using Microsoft.Data.Sqlite;
using Npgsql;

namespace Liblim.EfCore.FunctionalTests.Infrastructure;

/// <summary>
/// A replica's database copied as a backup copies it, and put back as a restore puts it back: a SQLite file through
/// SQLite's online backup (the file as it was at that moment, write-ahead log included), a PostgreSQL database as a
/// template copy. Nothing Liblim does takes part: the database simply goes back to an older state.
/// </summary>
public sealed class Backup : IDisposable
{
    private readonly IReplica _of;
    private readonly string _copy;

    private Backup(IReplica of, string copy)
    {
        _of = of;
        _copy = copy;
    }

    /// <summary>Copies the replica's database as it is now.</summary>
    public static Backup Of(IReplica replica)
    {
        switch (replica)
        {
            case SqliteReplica sqlite:
                var path = TestFiles.NewPath($"{sqlite.Name}-backup");
                using (var source = new SqliteConnection($"Data Source={sqlite.Path}"))
                using (var target = new SqliteConnection($"Data Source={path};Pooling=False"))
                {
                    source.Open();
                    target.Open();
                    source.BackupDatabase(target);
                }

                return new Backup(replica, path);
            case PostgresReplica postgres:
                NpgsqlConnection.ClearAllPools();
                return new Backup(replica, PostgresServer.Instance.CopyDatabase(postgres.ConnectionString));
            default:
                throw new NotSupportedException(replica.GetType().Name);
        }
    }

    /// <summary>Puts the copy back in place of the replica's database (every context on it must be closed).</summary>
    public void Restore() => CopyTo(_of);

    /// <summary>Puts the copy in place of another replica's database: a copied file on a second device.</summary>
    public void CopyTo(IReplica replica)
    {
        switch (replica)
        {
            case SqliteReplica sqlite:
                SqliteConnection.ClearAllPools();
                foreach (var file in new[] { sqlite.Path + "-wal", sqlite.Path + "-shm" })
                {
                    File.Delete(file);
                }

                File.Copy(_copy, sqlite.Path, overwrite: true);
                break;
            case PostgresReplica postgres:
                PostgresServer.Instance.ReplaceDatabase(postgres.ConnectionString, _copy);
                break;
            default:
                throw new NotSupportedException(replica.GetType().Name);
        }
    }

    public void Dispose()
    {
        if (_of is SqliteReplica)
        {
            File.Delete(_copy);
        }
    }
}
