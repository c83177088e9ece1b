using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Infrastructure;

/// <summary>The same database file opened with other Liblim options (a restart with another configuration).</summary>
public sealed class SqliteReplicaView(SqliteReplica replica, Action<Liblim.EfCore.Infrastructure.LiblimOptionsBuilder> configure)
{
    public TodoDb Open() => new(new DbContextOptionsBuilder<TodoDb>()
        .UseSqlite($"Data Source={replica.Path}")
        .UseLiblim(configure)
        .Options);
}
