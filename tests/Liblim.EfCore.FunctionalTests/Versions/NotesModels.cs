using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Versions;

/// <summary>A note; <see cref="Color"/> and <see cref="Category"/> are in the second version of the model only.</summary>
public class Note
{
    public Guid Id { get; set; }

    public string Text { get; set; } = "";

    public string? Color { get; set; }

    /// <summary>Required, with a default value in the model: what rows of the first version show.</summary>
    public string Category { get; set; } = "general";
}

/// <summary>A tag: a table of the second version of the model only.</summary>
public class Tag
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";
}

/// <summary>An app's context, in two versions: the first without <see cref="Note.Color"/> and without tags.</summary>
public abstract class NotesDb(DbContextOptions options) : DbContext(options)
{
    public DbSet<Note> Notes => Set<Note>();

    public abstract int Version { get; }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var note = modelBuilder.Entity<Note>().IsReplicated().ToTable("Notes");
        if (Version == 1)
        {
            note.Ignore(n => n.Color).Ignore(n => n.Category);
        }
        else
        {
            note.Property(n => n.Category).HasDefaultValue("general");
            modelBuilder.Entity<Tag>().IsReplicated().ToTable("Tags");
        }
    }
}

/// <summary>The first version: notes without a color.</summary>
public sealed class NotesV1Db(DbContextOptions<NotesV1Db> options) : NotesDb(options)
{
    public override int Version => 1;
}

/// <summary>The second version: notes with a color, and tags.</summary>
public sealed class NotesV2Db(DbContextOptions<NotesV2Db> options) : NotesDb(options)
{
    public DbSet<Tag> Tags => Set<Tag>();

    public override int Version => 2;
}
