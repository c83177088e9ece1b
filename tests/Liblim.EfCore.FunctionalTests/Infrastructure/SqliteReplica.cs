using Liblim.EfCore.FunctionalTests.Model;
using Liblim.EfCore.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Infrastructure;

/// <summary>A replica: a real SQLite file in a temp folder, created with EnsureCreated, deleted at dispose.</summary>
public sealed class SqliteReplica : IReplica
{
    public SqliteReplica(string name, Action<LiblimOptionsBuilder>? configure = null)
    {
        Name = name;
        Path = TestFiles.NewPath(name);
        Configure = configure;
        using var db = Open();
        db.Database.EnsureCreated();
    }

    public string Name { get; }

    public DatabaseKind Database => DatabaseKind.Sqlite;

    public string Path { get; }

    public Action<LiblimOptionsBuilder>? Configure { get; }

    public DbContextOptions<TodoDb> Options => OptionsFor(Configure);

    public TodoDb Open() => new(Options);

    public TodoDb OpenWith(Action<LiblimOptionsBuilder> configure) => new(OptionsFor(configure));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { Path, Path + "-wal", Path + "-shm" })
        {
            try { File.Delete(file); } catch (IOException) { }
        }
    }

    /// <summary>Runs SQL on the file through a connection of its own, which neither EF nor Liblim sees (an app's own DDL, say).</summary>
    public void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={Path}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public override string ToString() => Name;

    private DbContextOptions<TodoDb> OptionsFor(Action<LiblimOptionsBuilder>? configure)
        => new DbContextOptionsBuilder<TodoDb>().UseSqlite($"Data Source={Path}").UseLiblim(configure).Options;
}
