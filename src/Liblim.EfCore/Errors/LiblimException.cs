namespace Liblim.EfCore;

/// <summary>The base of every error Liblim raises. Catch it to handle any replication error.</summary>
public class LiblimException : Exception
{
    /// <summary>Creates the exception.</summary>
    public LiblimException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
