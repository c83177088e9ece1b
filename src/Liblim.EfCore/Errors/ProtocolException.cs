namespace Liblim.EfCore;

/// <summary>
/// A sync session failed: the peer broke the protocol or a limit, could not be authenticated, timed out, or
/// reported an error of its own (<see cref="FromPeer"/>). Batches applied before the failure stay applied;
/// the batch in flight is not applied, and the next sync resumes after the last applied batch.
/// </summary>
public sealed class ProtocolException : LiblimException
{
    /// <summary>Creates the exception.</summary>
    public ProtocolException(ProtocolErrorCode code, string message, bool fromPeer = false, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
        FromPeer = fromPeer;
    }

    /// <summary>What went wrong.</summary>
    public ProtocolErrorCode Code { get; }

    /// <summary>Whether the peer reported the error (in an <c>OHNOES</c> line), rather than this side detecting it.</summary>
    public bool FromPeer { get; }

    /// <summary>What the <c>OHNOES</c> line tells the peer, where it must be put otherwise than for this side's log; null: the message.</summary>
    internal string? ToPeer { get; init; }
}
