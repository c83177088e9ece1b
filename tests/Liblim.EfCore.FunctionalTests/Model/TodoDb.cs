using Liblim.EfCore;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Model;

public class TodoItem
{
    public Guid Id { get; set; }
    public string Title { get; set; } = "";
    public bool Done { get; set; }
    public int Priority { get; set; }
    public string? Notes { get; set; }
    public decimal? Cost { get; set; }
    public DateTime? DueUtc { get; set; }
    public Address? Place { get; set; }
}

public class Address
{
    public string? City { get; set; }
    public string? Street { get; set; }
}

[Replicated(ReplicationKind.InsertOnly)]
public class AuditEntry
{
    public Guid Id { get; set; }
    public string Message { get; set; } = "";
}

public abstract class Shape
{
    public string Code { get; set; } = "";
    public int Region { get; set; }
    public string Color { get; set; } = "";
}

public class Circle : Shape
{
    public double Radius { get; set; }
}

public class Square : Shape
{
    public double Side { get; set; }
}

/// <summary>Not replicated: writes here are never recorded.</summary>
public class LocalSetting
{
    public int Id { get; set; }
    public string Value { get; set; } = "";
}

public class TodoDb(DbContextOptions<TodoDb> options) : DbContext(options)
{
    public DbSet<TodoItem> Items => Set<TodoItem>();
    public DbSet<AuditEntry> Audit => Set<AuditEntry>();
    public DbSet<Shape> Shapes => Set<Shape>();
    public DbSet<LocalSetting> Settings => Set<LocalSetting>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<TodoItem>().IsReplicated().OwnsOne(t => t.Place);
        modelBuilder.Entity<Shape>().IsReplicated().HasKey(s => new { s.Code, s.Region });
        modelBuilder.Entity<Circle>();
        modelBuilder.Entity<Square>();
    }
}
