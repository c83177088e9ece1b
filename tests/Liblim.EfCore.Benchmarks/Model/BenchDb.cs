using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.Benchmarks.Model;

/// <summary>The same table for both sides of every comparison; only <see cref="ReplicatedDb"/> replicates it.</summary>
public abstract class BenchDb(DbContextOptions options) : DbContext(options)
{
    public const string TableName = "Tickets";

    public DbSet<Ticket> Tickets => Set<Ticket>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
        => modelBuilder.Entity<Ticket>(t =>
        {
            t.ToTable(TableName);
            t.Property(x => x.Id).ValueGeneratedNever();
        });
}

/// <summary>Plain EF Core: the baseline of every write figure.</summary>
public sealed class PlainDb(DbContextOptions<PlainDb> options) : BenchDb(options);

/// <summary>The same model with the table replicated (and Liblim's shadow tables added by <c>UseLiblim</c>).</summary>
public sealed class ReplicatedDb(DbContextOptions<ReplicatedDb> options) : BenchDb(options)
{
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<Ticket>().IsReplicated();
    }
}

/// <summary>
/// The plain model with the two columns a replicated table has for a shown row's metadata (its feed position and clocks),
/// as shadow properties EF writes with its own statements: the floors of figure 1, opened on the replicated databases.
/// </summary>
public sealed class FloorDb(DbContextOptions<FloorDb> options) : BenchDb(options)
{
    public const string SeqColumn = "__liblim_seq";
    public const string ClocksColumn = "__liblim_clocks";

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<Ticket>(t =>
        {
            t.Property<long?>(SeqColumn);
            t.Property<string?>(ClocksColumn);
        });
    }
}
