using Liblim.EfCore.FunctionalTests.Model;
using Liblim.EfCore.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Infrastructure;

/// <summary>A replica: a database of its own on the test PostgreSQL server, emptied and given back at dispose.</summary>
public sealed class PostgresReplica : IReplica
{
    private static readonly PostgresDatabasePool<TodoDb> Pool = new(connectionString => new TodoDb(OptionsFor(connectionString, null)));

    private int _disposed;

    public PostgresReplica(string name, Action<LiblimOptionsBuilder>? configure = null)
    {
        Name = name;
        Configure = configure;
        ConnectionString = Pool.Rent();
    }

    public string Name { get; }

    public DatabaseKind Database => DatabaseKind.Postgres;

    public string ConnectionString { get; }

    public Action<LiblimOptionsBuilder>? Configure { get; }

    public DbContextOptions<TodoDb> Options => OptionsFor(ConnectionString, Configure);

    public TodoDb Open() => new(Options);

    public TodoDb OpenWith(Action<LiblimOptionsBuilder> configure) => new(OptionsFor(ConnectionString, configure));

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Pool.Return(ConnectionString);
        }
    }

    public override string ToString() => $"{Name} (PostgreSQL)";

    private static DbContextOptions<TodoDb> OptionsFor(string connectionString, Action<LiblimOptionsBuilder>? configure)
        => new DbContextOptionsBuilder<TodoDb>().UseNpgsql(connectionString).UseLiblim(configure).Options;
}
