using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.Infrastructure;

namespace Liblim.EfCore.FunctionalTests.Relationships;

/// <summary>A replica of <see cref="RelationDb"/>: a SQLite file or a PostgreSQL database of its own, empty when created.</summary>
public sealed class RelationReplica(DatabaseKind database, string name, Action<LiblimOptionsBuilder>? configure = null)
    : ContextReplica<RelationDb>(database, name, configure);
