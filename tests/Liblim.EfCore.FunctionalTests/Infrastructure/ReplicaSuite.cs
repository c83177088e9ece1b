using Liblim.EfCore.Infrastructure;

namespace Liblim.EfCore.FunctionalTests.Infrastructure;

/// <summary>
/// One specification, several databases: a suite is written once against <see cref="NewReplica"/>, and each small
/// derived class says which database its replicas run on (all SQLite, all PostgreSQL, or mixed).
/// </summary>
public abstract class ReplicaSuite
{
    private readonly TickingTime _time = new();
    private int _created;

    /// <summary>The databases replicas run on, in turn: the n-th replica a test creates runs on <c>Databases[n % Length]</c>.</summary>
    protected abstract DatabaseKind[] Databases { get; }

    /// <summary>
    /// A new, empty replica on the next database of <see cref="Databases"/>. The replicas of a test share one clock that
    /// never reads the same millisecond twice (<see cref="TickingTime"/>), so their writes are ordered as the test makes
    /// them: two writes on two replicas in one real millisecond would otherwise be ordered by node id, at random. A test
    /// about the clock gives its own (<c>configure</c> runs after).
    /// </summary>
    protected IReplica NewReplica(string name, Action<LiblimOptionsBuilder>? configure = null)
        => Replica.Create(NextDatabase(), name, OnSharedClock(configure));

    /// <summary>The clock the test's replicas share (see <see cref="NewReplica"/>).</summary>
    protected TimeProvider SharedClock => _time;

    /// <summary>Liblim options on the clock the test's replicas share (see <see cref="NewReplica"/>), then <paramref name="configure"/>'s.</summary>
    protected Action<LiblimOptionsBuilder> OnSharedClock(Action<LiblimOptionsBuilder>? configure) => o =>
    {
        o.TimeProvider(_time);
        configure?.Invoke(o);
    };

    /// <summary>The database of the next replica a test creates (for suites with a model of their own).</summary>
    protected DatabaseKind NextDatabase()
    {
        var n = Interlocked.Increment(ref _created) - 1;
        return Databases[n % Databases.Length];
    }

    /// <summary>Every replica on SQLite.</summary>
    protected static DatabaseKind[] SqliteOnly => [DatabaseKind.Sqlite];

    /// <summary>Every replica on PostgreSQL.</summary>
    protected static DatabaseKind[] PostgresOnly => [DatabaseKind.Postgres];

    /// <summary>Replicas alternate: SQLite, PostgreSQL, SQLite, ...</summary>
    protected static DatabaseKind[] SqliteAndPostgres => [DatabaseKind.Sqlite, DatabaseKind.Postgres];
}
