using Liblim.EfCore.FunctionalTests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Sync;

/// <summary>
/// A table the app does not replicate may reference a replicated one with NO ACTION. On SQLite such a reference is
/// checked when a merge commits, so a batch that removes a row it references fails only then: that batch is refused,
/// and the whole batches before it in the same transfer are still kept.
/// </summary>
public sealed class UnreplicatedReferenceTests : IDisposable
{
    private readonly List<string> _files = [];

    [Fact]
    public async Task A_batch_that_breaks_a_local_reference_at_commit_is_refused_and_the_batches_before_it_are_kept()
    {
        var hub = NewDatabase("hub");
        var device = NewDatabase("device");
        var pinned = Guid.NewGuid();
        await using (var db = Open(hub))
        {
            db.Folders.Add(new Folder { Id = pinned, Name = "pinned" });
            await db.SaveChangesAsync();
        }

        await SyncAsync(device, hub);
        await using (var db = Open(device))
        {
            db.Bookmarks.Add(new Bookmark { FolderId = pinned }); // local only, not replicated
            await db.SaveChangesAsync();
        }

        // A batch and a half of new folders, then the pinned one deleted: its deletion is the last change, in the second batch.
        var batch = new LiblimProtocolLimits().BatchSize;
        await using (var db = Open(hub))
        {
            db.Folders.AddRange(Enumerable.Range(0, batch + (batch / 2)).Select(i => new Folder { Id = Guid.NewGuid(), Name = $"folder {i}" }));
            await db.SaveChangesAsync();
            db.Folders.Remove(await db.Folders.SingleAsync(f => f.Id == pinned));
            await db.SaveChangesAsync();
        }

        await Assert.ThrowsAsync<SqliteException>(() => SyncAsync(device, hub));

        await using (var db = Open(device))
        {
            Assert.Equal(batch + 1, await db.Folders.CountAsync()); // the first batch, and the pinned folder
            Assert.True(await db.Folders.AnyAsync(f => f.Id == pinned));
            Assert.Equal(1, await db.Bookmarks.CountAsync());
        }

        // Once the app lets go of the folder, the rest arrives.
        await using (var db = Open(device))
        {
            db.Bookmarks.RemoveRange(db.Bookmarks);
            await db.SaveChangesAsync();
        }

        await SyncAsync(device, hub);
        await using (var db = Open(device))
        {
            Assert.Equal(batch + (batch / 2), await db.Folders.CountAsync());
            Assert.False(await db.Folders.AnyAsync(f => f.Id == pinned));
        }
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in _files.SelectMany(f => new[] { f, f + "-wal", f + "-shm" }))
        {
            File.Delete(file);
        }
    }

    private static async Task SyncAsync(string local, string remote)
    {
        await using var a = Open(local);
        await using var b = Open(remote);
        await a.Liblim().SyncWithAsync(b);
    }

    private string NewDatabase(string name)
    {
        var path = TestFiles.NewPath($"unreplicated-{name}");
        _files.Add(path);
        using var db = Open(path);
        db.Database.EnsureCreated();
        return path;
    }

    private static BookmarkDb Open(string path)
        => new(new DbContextOptionsBuilder<BookmarkDb>().UseSqlite($"Data Source={path}").UseLiblim().Options);

    public sealed class Folder
    {
        public Guid Id { get; set; }

        public string Name { get; set; } = "";
    }

    public sealed class Bookmark
    {
        public int Id { get; set; }

        public Guid FolderId { get; set; }
    }

    public sealed class BookmarkDb(DbContextOptions<BookmarkDb> options) : DbContext(options)
    {
        public DbSet<Folder> Folders => Set<Folder>();

        public DbSet<Bookmark> Bookmarks => Set<Bookmark>();

        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<Folder>().IsReplicated();
            modelBuilder.Entity<Bookmark>().HasOne<Folder>().WithMany().HasForeignKey(b => b.FolderId).OnDelete(DeleteBehavior.NoAction);
        }
    }
}
