using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Scopes;

/// <summary>A shop's order: each shop may see its own.</summary>
public class ShopOrder
{
    public Guid Id { get; set; }
    public string ShopId { get; set; } = "";
    public string Customer { get; set; } = "";
    public List<ShopOrderLine> Lines { get; set; } = [];
}

/// <summary>A line of an order: visible where its order is (a rule through a navigation).</summary>
public class ShopOrderLine
{
    public Guid Id { get; set; }
    public Guid OrderId { get; set; }
    public ShopOrder Order { get; set; } = null!;
    public Guid ProductId { get; set; }
    public int Quantity { get; set; }
}

/// <summary>The catalogue every shop reads.</summary>
public class Product
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
}

/// <summary>The head office's notes: no rule names them, so no peer receives them.</summary>
public class StaffNote
{
    public Guid Id { get; set; }
    public string Text { get; set; } = "";
}

/// <summary>Shops, their orders and a shared catalogue, every entity replicated.</summary>
public class ShopDb(DbContextOptions<ShopDb> options) : DbContext(options)
{
    public DbSet<ShopOrder> Orders => Set<ShopOrder>();
    public DbSet<ShopOrderLine> Lines => Set<ShopOrderLine>();
    public DbSet<Product> Products => Set<Product>();
    public DbSet<StaffNote> Notes => Set<StaffNote>();

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<ShopOrder>().IsReplicated().HasMany(o => o.Lines).WithOne(l => l.Order).HasForeignKey(l => l.OrderId).OnDelete(DeleteBehavior.Cascade);
        b.Entity<ShopOrderLine>().IsReplicated().HasOne<Product>().WithMany().HasForeignKey(l => l.ProductId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<Product>().IsReplicated();
        b.Entity<StaffNote>().IsReplicated();
    }
}

/// <summary>A replica of <see cref="ShopDb"/>.</summary>
public sealed class ShopReplica(DatabaseKind database, string name, Action<LiblimOptionsBuilder>? configure = null)
    : ContextReplica<ShopDb>(database, name, configure);

/// <summary>Contexts on a replica, as an app's AddDbContextFactory would make them.</summary>
public sealed class ShopFactory(ShopReplica replica) : IDbContextFactory<ShopDb>
{
    public ShopDb CreateDbContext() => replica.Open();
}
