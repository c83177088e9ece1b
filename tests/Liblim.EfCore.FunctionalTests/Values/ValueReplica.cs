using Liblim.EfCore.FunctionalTests.Infrastructure;

namespace Liblim.EfCore.FunctionalTests.Values;

/// <summary>A replica of <see cref="ValueDb"/>: a SQLite file or a PostgreSQL database of its own.</summary>
public sealed class ValueReplica(DatabaseKind database) : ContextReplica<ValueDb>(database, "values", null)
{
    public override string ToString() => Database.ToString();
}
