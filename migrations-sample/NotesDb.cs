using Liblim.EfCore;
using Microsoft.EntityFrameworkCore;

namespace MigrationsSample;

/// <summary>
/// A notes app's model, as it stands after three migrations: notes replicate from the start, the
/// Pinned column came with the second, and bookmarks became replicated with the third.
/// Preferences stay on the device. One derived context per database provider carries that provider's migrations.
/// </summary>
public abstract class NotesDb(DbContextOptions options) : DbContext(options)
{
    public DbSet<Note> Notes => Set<Note>();

    public DbSet<Bookmark> Bookmarks => Set<Bookmark>();

    public DbSet<LocalPreference> Preferences => Set<LocalPreference>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Note>().IsReplicated();
        modelBuilder.Entity<Bookmark>().IsReplicated();
        modelBuilder.Entity<LocalPreference>().HasKey(p => p.Name);
    }
}

/// <summary>The context whose migrations are in Migrations/Sqlite.</summary>
public class SqliteNotesDb(DbContextOptions<SqliteNotesDb> options) : NotesDb(options);

/// <summary>The context whose migrations are in Migrations/Postgres.</summary>
public class PostgresNotesDb(DbContextOptions<PostgresNotesDb> options) : NotesDb(options);

public class Note
{
    public Guid Id { get; set; }

    public string Title { get; set; } = "";

    public string Body { get; set; } = "";

    /// <summary>Added by the second migration (AddPinned).</summary>
    public bool Pinned { get; set; }
}

/// <summary>Local-only at first; replicated since the third migration (ReplicateBookmarks).</summary>
public class Bookmark
{
    public Guid Id { get; set; }

    public string Url { get; set; } = "";

    public string Title { get; set; } = "";
}

/// <summary>Never replicated: each device keeps its own.</summary>
public class LocalPreference
{
    public string Name { get; set; } = "";

    public string Value { get; set; } = "";
}
