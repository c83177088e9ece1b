using Liblim.EfCore.Infrastructure;

namespace Liblim.EfCore.FunctionalTests.Infrastructure;

/// <summary>The databases the functional tests run on.</summary>
public enum DatabaseKind
{
    Sqlite,
    Postgres,
}

/// <summary>Creates replicas on either database.</summary>
public static class Replica
{
    public static IReplica Create(DatabaseKind database, string name, Action<LiblimOptionsBuilder>? configure = null) => database switch
    {
        DatabaseKind.Sqlite => new SqliteReplica(name, configure),
        DatabaseKind.Postgres => new PostgresReplica(name, configure),
        _ => throw new ArgumentOutOfRangeException(nameof(database)),
    };
}
