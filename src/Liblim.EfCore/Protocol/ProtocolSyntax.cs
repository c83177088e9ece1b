namespace Liblim.EfCore.Protocol;

/// <summary>The words of the protocol: its version, its verbs and the wire names of its error codes.</summary>
internal static class ProtocolSyntax
{
    /// <summary>The newest protocol version this implementation speaks, which a client offers first: 2, whose row states carry each register's prior (<c>"p"</c>).</summary>
    public const int Version = 2;

    /// <summary>The oldest version it still speaks, with a peer that speaks no newer one: 1, whose row states carry no priors.</summary>
    public const int OldestVersion = 1;

    public const string Hello = "ØHAI";
    public const string Have = "IHAZ";

    /// <summary>The member of an IHAZ that asks for the receiver's whole feed, rows it took from the sender included.</summary>
    public const string WholeMember = "whole";
    public const string Batch = "UCANHAZ";
    public const string Bye = "KTHXBAI";
    public const string Evict = "NOMOAR";
    public const string Refuse = "NOPE";
    public const string Error = "OHNOES";

    /// <summary>The flag a client adds to its greeting to keep the session open and stream changes both ways.</summary>
    public const string LiveFlag = "live";

    /// <summary>The flag a server adds to its greeting when the transport has authenticated the client: no proofs follow.</summary>
    public const string AuthenticatedFlag = "authenticated";

    public static string CodeName(ProtocolErrorCode code) => code switch
    {
        ProtocolErrorCode.BadLine => "bad-line",
        ProtocolErrorCode.UnknownVerb => "unknown-verb",
        ProtocolErrorCode.OutOfOrder => "out-of-order",
        ProtocolErrorCode.UnsupportedVersion => "unsupported-version",
        ProtocolErrorCode.AuthenticationFailed => "auth-failed",
        ProtocolErrorCode.LineTooLong => "line-too-long",
        ProtocolErrorCode.BatchTooLarge => "batch-too-large",
        ProtocolErrorCode.Timeout => "timeout",
        ProtocolErrorCode.BadRow => "bad-row",
        ProtocolErrorCode.Rejected => "rejected",
        ProtocolErrorCode.Busy => "busy",
        ProtocolErrorCode.Closed => "closed",
        ProtocolErrorCode.Restarted => "restarted",
        ProtocolErrorCode.AuthenticationExpired => "auth-expired",
        _ => "internal",
    };

    /// <summary>
    /// The code of a wire name; an unknown name (from a newer peer), or <c>closed</c>, which is never sent,
    /// reads as <see cref="ProtocolErrorCode.Internal"/>.
    /// </summary>
    public static ProtocolErrorCode CodeOf(string name)
        => Enum.GetValues<ProtocolErrorCode>().FirstOrDefault(c => c != ProtocolErrorCode.Closed && CodeName(c) == name, ProtocolErrorCode.Internal);
}
