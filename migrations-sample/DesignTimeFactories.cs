using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace MigrationsSample;

/// <summary>What `dotnet ef` uses to build the SQLite model: with UseLiblim, so the shadow tables are in it.</summary>
public class SqliteNotesDbFactory : IDesignTimeDbContextFactory<SqliteNotesDb>
{
    public SqliteNotesDb CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<SqliteNotesDb>().UseSqlite("Data Source=notes.db").UseLiblim().Options);
}

/// <summary>What `dotnet ef` uses to build the PostgreSQL model (adding a migration does not connect).</summary>
public class PostgresNotesDbFactory : IDesignTimeDbContextFactory<PostgresNotesDb>
{
    public PostgresNotesDb CreateDbContext(string[] args)
        => new(new DbContextOptionsBuilder<PostgresNotesDb>().UseNpgsql("Host=localhost;Database=notes").UseLiblim().Options);
}
