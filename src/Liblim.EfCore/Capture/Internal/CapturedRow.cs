using Liblim.EfCore.Metadata.Internal;
using Microsoft.EntityFrameworkCore.ChangeTracking;

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

    /// <summary>
    /// An updated row's entity, as EF tracks it, with its mapping; and the feed position and clocks its row had when the
    /// entity was loaded (null when unknown: attached rather than queried): see <see cref="ConcurrentOverwrites"/>.
    /// </summary>
    public (EntityEntry Entry, EntityTableMapping Mapping, long Seq, string Clocks)? Loaded { get; set; }

    /// <summary>
    /// The entity that owns the row (not an owned type stored in it), when EF inserts it in this SaveChanges: its INSERT
    /// writes the row's metadata columns too (<see cref="ChangeCapture.PrepareAsync"/>). Null otherwise.
    /// </summary>
    public EntityEntry? Inserting { get; set; }
}
