using Liblim.EfCore.Metadata.Internal;

namespace Liblim.EfCore.Capture.Internal;

/// <summary>What a SaveChanges does to one replicated row.</summary>
internal enum RowOperation
{
    Update,
    Insert,
    Delete,
}

/// <summary>A replicated row a SaveChanges writes (or the database changes for it, by an ON DELETE action).</summary>
internal sealed class CapturedRow(ReplicatedTable table, string key)
{
    public ReplicatedTable Table { get; } = table;

    public string Key { get; } = key;

    public RowOperation Operation { get; set; } = RowOperation.Update;

    /// <summary>Columns whose value changed.</summary>
    public List<string> Changed { get; } = [];

    /// <summary>Columns marked modified with their current value, to compare with the stored row.</summary>
    public List<(ReplicatedColumn Column, object? Current)> Unsure { get; } = [];
}
