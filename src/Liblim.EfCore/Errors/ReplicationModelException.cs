namespace Liblim.EfCore;

/// <summary>The EF model asks for something Liblim cannot replicate; the message names the entity and the fix.</summary>
public sealed class ReplicationModelException : LiblimException
{
    /// <summary>Creates the exception.</summary>
    public ReplicationModelException(string message)
        : base(message)
    {
    }
}
