using Liblim.EfCore.FunctionalTests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Versions;

/// <summary>
/// Renaming a property while keeping its column (<c>HasColumnName</c>) changes nothing for replication: the column's name
/// names the register on every replica, so old and new versions merge the same column and keep its history.
/// </summary>
public class RenamedPropertyTests
{
    public class OldCard
    {
        public Guid Id { get; set; }

        public string Title { get; set; } = "";
    }

    public class NewCard
    {
        public Guid Id { get; set; }

        public string Heading { get; set; } = "";
    }

    public sealed class OldDb(DbContextOptions<OldDb> options) : DbContext(options)
    {
        public DbSet<OldCard> Cards => Set<OldCard>();

        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.Entity<OldCard>().IsReplicated().ToTable("Cards");
    }

    public sealed class NewDb(DbContextOptions<NewDb> options) : DbContext(options)
    {
        public DbSet<NewCard> Cards => Set<NewCard>();

        protected override void OnModelCreating(ModelBuilder modelBuilder)
            => modelBuilder.Entity<NewCard>().IsReplicated().ToTable("Cards").Property(c => c.Heading).HasColumnName("Title");
    }

    private sealed class OldReplica() : ContextReplica<OldDb>(DatabaseKind.Sqlite, "old", null);

    private sealed class NewReplica() : ContextReplica<NewDb>(DatabaseKind.Sqlite, "new", null);

    [Fact]
    public async Task A_property_renamed_with_its_column_kept_merges_with_the_old_versions_column_both_ways()
    {
        using var old = new OldReplica();
        using var renamed = new NewReplica();
        var id = Guid.NewGuid();
        await using (var db = old.Open())
        {
            db.Cards.Add(new OldCard { Id = id, Title = "written by the old version" });
            await db.SaveChangesAsync();
        }

        await SyncAsync(old, renamed);
        await using (var db = renamed.Open())
        {
            var card = await db.Cards.SingleAsync();
            Assert.Equal("written by the old version", card.Heading);
            card.Heading = "edited by the new version";
            await db.SaveChangesAsync();
        }

        await SyncAsync(old, renamed);

        await using var check = old.Open();
        Assert.Equal("edited by the new version", (await check.Cards.SingleAsync()).Title);
        Assert.DoesNotContain(ShadowRows.Rows(old.Open), r => r.KeptValues is not null); // one register, no column kept aside
    }

    private static async Task SyncAsync(OldReplica old, NewReplica renamed)
    {
        await using var a = old.Open();
        await using var b = renamed.Open();
        await a.Liblim().SyncWithAsync(b);
    }
}
