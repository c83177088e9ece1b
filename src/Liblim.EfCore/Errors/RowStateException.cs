namespace Liblim.EfCore;

/// <summary>
/// A row state received from a peer cannot be applied to this database: a malformed key, a value of the wrong type, a
/// row that would lack a required value. Nothing from that batch was applied. (A table or column this database's model
/// lacks is kept, not refused: docs/semantics.md, "Mixed model versions".)
/// </summary>
public sealed class RowStateException : LiblimException
{
    /// <summary>Creates the exception.</summary>
    public RowStateException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
