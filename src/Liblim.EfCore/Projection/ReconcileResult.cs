using Liblim.EfCore.Storage.Internal;

namespace Liblim.EfCore.Projection;

/// <summary>
/// What a <see cref="Reconciler"/> did, once the data tables are written: the metadata rows to store (changed
/// states, and rows whose hold changed), the rows that changed for an app, and the rows newly held back.
/// </summary>
internal sealed record ReconcileResult(IReadOnlyList<ShadowRow> Metadata, IReadOnlyList<ChangedRow> Changed, IReadOnlyList<HeldBackRow> HeldBack)
{
    /// <summary>Nothing to reconcile.</summary>
    public static readonly ReconcileResult None = new([], [], []);

    /// <summary>The rows (table and key) whose data row was written with its metadata columns: not to be written again.</summary>
    public IReadOnlySet<(string Table, string Key)> WrittenWithData { get; init; } = new HashSet<(string, string)>();
}
