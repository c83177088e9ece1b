using Liblim.EfCore;
using Microsoft.EntityFrameworkCore;

public class TodoItem
{
    public Guid Id { get; set; }          // keys are chosen by the app, so devices can create rows offline
    public string Title { get; set; } = "";
    public bool Done { get; set; }
}

public class TodoDb(DbContextOptions<TodoDb> options) : DbContext(options)
{
    public DbSet<TodoItem> Items => Set<TodoItem>();

    protected override void OnModelCreating(ModelBuilder b) => b.Entity<TodoItem>().IsReplicated();
}
