namespace Liblim.EfCore;

/// <summary>
/// A row state received from a peer cannot be applied to this database: unknown table or column, or a value
/// of the wrong type. Nothing from that batch was applied.
/// </summary>
public sealed class RowStateException : LiblimException
{
    /// <summary>Creates the exception.</summary>
    public RowStateException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
