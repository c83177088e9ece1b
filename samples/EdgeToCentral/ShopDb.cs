using Liblim.EfCore;
using Microsoft.EntityFrameworkCore;

namespace EdgeToCentral;

/// <summary>The same context and entities on the edge (SQLite) and in the centre (PostgreSQL).</summary>
public class ShopDb(DbContextOptions<ShopDb> options) : DbContext(options)
{
    public DbSet<Product> Products => Set<Product>();

    public DbSet<Sale> Sales => Set<Sale>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Product>().IsReplicated().HasKey(p => p.Sku);
        modelBuilder.Entity<Sale>().IsReplicated(ReplicationKind.InsertOnly);
    }
}

/// <summary>A product of the catalogue: edited in the centre and in the shops; each column merges on its own.</summary>
public class Product
{
    public string Sku { get; set; } = "";

    public string Name { get; set; } = "";

    public decimal Price { get; set; }

    public bool Listed { get; set; } = true;
}

/// <summary>A sale recorded by a shop: insert-only, so sales from every shop add up and none is ever lost.</summary>
public class Sale
{
    public Guid Id { get; set; }

    public string Shop { get; set; } = "";

    public string Sku { get; set; } = "";

    public int Quantity { get; set; }

    public DateTime AtUtc { get; set; }
}
