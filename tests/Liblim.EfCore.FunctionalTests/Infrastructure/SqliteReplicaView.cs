using Liblim.EfCore.FunctionalTests.Model;

namespace Liblim.EfCore.FunctionalTests.Infrastructure;

/// <summary>The same database file opened with other Liblim options (a restart with another configuration).</summary>
public sealed class SqliteReplicaView(SqliteReplica replica, Action<Liblim.EfCore.Infrastructure.LiblimOptionsBuilder> configure)
{
    public TodoDb Open() => replica.OpenWith(configure);
}
