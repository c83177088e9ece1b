using Liblim.EfCore.FunctionalTests.Model;
using Liblim.EfCore.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Infrastructure;

/// <summary>
/// A replica of the test model on a real database (a SQLite file or a PostgreSQL database), empty when created,
/// opened as often as a test likes, and removed at dispose.
/// </summary>
public interface IReplica : IDisposable
{
    /// <summary>The name the test gave it.</summary>
    string Name { get; }

    /// <summary>The database it runs on.</summary>
    DatabaseKind Database { get; }

    /// <summary>The options of a context on it, with the Liblim configuration it was created with.</summary>
    DbContextOptions<TodoDb> Options { get; }

    /// <summary>A new context on it.</summary>
    TodoDb Open();

    /// <summary>A new context on the same database with other Liblim options (a restart with another configuration).</summary>
    TodoDb OpenWith(Action<LiblimOptionsBuilder> configure);
}
