using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Relationships;

/// <summary>
/// A list of todos: deleting it deletes them (required foreign key, ON DELETE CASCADE). It may have an owner, whose
/// deletion deletes it (optional foreign key, ON DELETE CASCADE: a list is held back while its owner is), and it may
/// pin one todo (ON DELETE SET NULL), which makes a cycle of references across the two tables.
/// </summary>
public class TodoList
{
    public Guid Id { get; set; }
    public string Title { get; set; } = "";
    public Guid? OwnerId { get; set; }
    public Guid? PinnedTodoId { get; set; }
}

public class Todo
{
    public Guid Id { get; set; }
    public Guid ListId { get; set; }
    public string Text { get; set; } = "";
}

/// <summary>A tree (or, after edits, a cycle) of categories: deleting one deletes its children.</summary>
public class Category
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public Guid? ParentId { get; set; }
}

/// <summary>A unique name; the row inserted first keeps it (the default policy).</summary>
public class User
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string? Email { get; set; }
}

/// <summary>A unique label; the label written last keeps it.</summary>
[Replicated(OnUniqueConflict = UniqueConflictPolicy.KeepLatest)]
public class Tag
{
    public Guid Id { get; set; }
    public string Label { get; set; } = "";
}

/// <summary>An order cannot be deleted while it has lines (ON DELETE RESTRICT).</summary>
public class Order
{
    public Guid Id { get; set; }
    public string Number { get; set; } = "";
}

public class OrderLine
{
    public Guid Id { get; set; }
    public Guid OrderId { get; set; }
    public string Product { get; set; } = "";
}

/// <summary>A note may belong to a list; deleting the list clears the reference (ON DELETE SET NULL).</summary>
public class Note
{
    public Guid Id { get; set; }
    public string Text { get; set; } = "";
    public Guid? ListId { get; set; }
}

public class RelationDb(DbContextOptions<RelationDb> options) : DbContext(options)
{
    public DbSet<TodoList> Lists => Set<TodoList>();
    public DbSet<Todo> Todos => Set<Todo>();
    public DbSet<Category> Categories => Set<Category>();
    public DbSet<User> Users => Set<User>();
    public DbSet<Tag> Tags => Set<Tag>();
    public DbSet<Order> Orders => Set<Order>();
    public DbSet<OrderLine> Lines => Set<OrderLine>();
    public DbSet<Note> Notes => Set<Note>();

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<TodoList>().IsReplicated().HasOne<User>().WithMany().HasForeignKey(l => l.OwnerId).OnDelete(DeleteBehavior.Cascade);
        b.Entity<TodoList>().HasOne<Todo>().WithMany().HasForeignKey(l => l.PinnedTodoId).OnDelete(DeleteBehavior.SetNull);
        b.Entity<Todo>().IsReplicated().HasOne<TodoList>().WithMany().HasForeignKey(t => t.ListId).OnDelete(DeleteBehavior.Cascade);
        b.Entity<Category>().IsReplicated().HasOne<Category>().WithMany().HasForeignKey(c => c.ParentId).OnDelete(DeleteBehavior.Cascade);
        b.Entity<User>().IsReplicated().HasIndex(u => u.Name).IsUnique();
        b.Entity<Tag>().HasIndex(t => t.Label).IsUnique();
        b.Entity<Order>().IsReplicated();
        b.Entity<OrderLine>().IsReplicated().HasOne<Order>().WithMany().HasForeignKey(l => l.OrderId).OnDelete(DeleteBehavior.Restrict);
        b.Entity<Note>().IsReplicated().HasOne<TodoList>().WithMany().HasForeignKey(n => n.ListId).OnDelete(DeleteBehavior.SetNull);
    }
}
