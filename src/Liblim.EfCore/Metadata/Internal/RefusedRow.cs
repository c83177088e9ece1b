namespace Liblim.EfCore.Metadata.Internal;

/// <summary>
/// One row of <c>__liblim_refused</c>: a write of this replica's that a server with scope rules did not apply, the latest
/// per row, kept until the app clears it (<c>db.Liblim().GetRefusedWritesAsync()</c>, <c>ClearRefusedWritesAsync()</c>).
/// </summary>
internal sealed class RefusedRow
{
    /// <summary>The replicated table's name.</summary>
    public string TableName { get; set; } = null!;

    /// <summary>The row's canonical key.</summary>
    public string RowKey { get; set; } = null!;

    /// <summary>Why, as the server put it.</summary>
    public string Reason { get; set; } = null!;

    /// <summary>The server's node id (32 hex digits).</summary>
    public string PeerId { get; set; } = null!;

    /// <summary>When this replica heard of it, as UTC text ("o").</summary>
    public string RefusedAt { get; set; } = null!;
}
