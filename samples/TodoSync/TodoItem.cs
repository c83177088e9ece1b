namespace TodoSync;

/// <summary>A to-do item. Every column is replicated as its own last-writer-wins register.</summary>
public class TodoItem
{
    /// <summary>Assigned by the app (never by the database), so that devices can create rows offline.</summary>
    public Guid Id { get; set; }

    public string Title { get; set; } = "";

    public bool Done { get; set; }

    public string? Notes { get; set; }

    public int Priority { get; set; }
}
