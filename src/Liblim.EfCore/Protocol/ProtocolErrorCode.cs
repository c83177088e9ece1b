namespace Liblim.EfCore;

/// <summary>Why a sync session failed; sent on the wire in an <c>OHNOES</c> line as the kebab-case name.</summary>
public enum ProtocolErrorCode
{
    /// <summary><c>bad-line</c>: a line is not valid UTF-8 or not well formed.</summary>
    BadLine,

    /// <summary><c>unknown-verb</c>: a line starts with no verb of the protocol.</summary>
    UnknownVerb,

    /// <summary><c>out-of-order</c>: a valid line, at a point of the session where it is not allowed.</summary>
    OutOfOrder,

    /// <summary><c>unsupported-version</c>: the peer speaks a protocol version this side does not.</summary>
    UnsupportedVersion,

    /// <summary><c>auth-failed</c>: the peer's proof does not match the shared secret.</summary>
    AuthenticationFailed,

    /// <summary><c>line-too-long</c>: a line is longer than the receiver's limit.</summary>
    LineTooLong,

    /// <summary><c>batch-too-large</c>: a batch holds more rows or bytes than the receiver's limit.</summary>
    BatchTooLarge,

    /// <summary><c>timeout</c>: the peer sent nothing within the handshake or idle timeout.</summary>
    Timeout,

    /// <summary><c>bad-row</c>: a row line's id or JSON is malformed.</summary>
    BadRow,

    /// <summary><c>rejected</c>: a well-formed batch this database cannot apply (a value of the wrong type, a malformed key, clock drift, insert-only conflict).</summary>
    Rejected,

    /// <summary><c>busy</c>: the server has reached its connection limit; try again later.</summary>
    Busy,

    /// <summary><c>internal</c>: the peer failed for a reason of its own.</summary>
    Internal,

    /// <summary><c>closed</c>: the connection closed before the session ended (never sent on the wire).</summary>
    Closed,

    /// <summary>
    /// <c>restarted</c>: the sender has just taken a new node id, having found that the receiver knows more of its feed
    /// than it holds (it was restored from an older copy, or copied); a new session, under the new id, brings both sides
    /// up to date. A client connects again at once.
    /// </summary>
    Restarted,

    /// <summary>
    /// <c>auth-expired</c>: the credentials the transport authenticated the peer with (an access token) have expired during
    /// the session; the client connects again with fresh ones.
    /// </summary>
    AuthenticationExpired,
}
