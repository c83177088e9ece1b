using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.DocSnippets.Readme;

public class TodoItem
{
    public Guid Id { get; set; }

    public string Title { get; set; } = "";
}

public class TodoDb(DbContextOptions<TodoDb> options) : DbContext(options)
{
    public DbSet<TodoItem> Items => Set<TodoItem>();
    protected override void OnModelCreating(ModelBuilder b) => b.Entity<TodoItem>().IsReplicated();
}

public class Product
{
    public string Sku { get; set; } = "";
}

public class Order
{
    public Guid Id { get; set; }

    public string ShopId { get; set; } = "";
}

public class OrderLine
{
    public Guid Id { get; set; }

    public Guid OrderId { get; set; }

    public Order Order { get; set; } = null!;
}

public class ShopDb(DbContextOptions<ShopDb> options) : DbContext(options)
{
    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<Product>().IsReplicated().HasKey(p => p.Sku);
        b.Entity<Order>().IsReplicated();
        b.Entity<OrderLine>().IsReplicated();
    }
}

/// <summary>Where the README's hosted client takes its access tokens from.</summary>
public interface ITokenSource
{
    ValueTask<string?> GetAsync(CancellationToken ct);
}
