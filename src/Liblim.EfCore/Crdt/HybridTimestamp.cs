using System.Globalization;
using Liblim.EfCore.Values;

namespace Liblim.EfCore;

/// <summary>
/// A hybrid logical clock reading: wall-clock milliseconds and a logical counter packed into <see cref="Ticks"/>,
/// made globally unique by the id of the node that issued it. Timestamps order by ticks, then by node id.
/// </summary>
/// <remarks>
/// The text form is 16 lowercase hex digits of <see cref="Ticks"/>, a dot, and the node id as 32 lowercase
/// hex digits; ordinal order of the text is the order of the timestamps.
/// </remarks>
public readonly struct HybridTimestamp : IComparable<HybridTimestamp>, IEquatable<HybridTimestamp>
{
    /// <summary>Bits of <see cref="Ticks"/> that hold the logical counter.</summary>
    public const int CounterBits = 16;

    /// <summary>The length of the text form.</summary>
    public const int TextLength = 16 + 1 + 32;

    // The node id as two halves rather than one UInt128, which is aligned to 16 bytes: 24 bytes a timestamp, not 32
    // (a row's registers hold two each).
    private readonly ulong _nodeHigh;
    private readonly ulong _nodeLow;

    /// <summary>Creates a timestamp from packed ticks and the issuing node.</summary>
    public HybridTimestamp(long ticks, Guid node)
        : this(ticks, NodeOrder(node))
    {
    }

    private HybridTimestamp(long ticks, UInt128 node)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ticks);
        Ticks = ticks;
        _nodeHigh = (ulong)(node >> 64);
        _nodeLow = (ulong)node;
    }

    /// <summary>Wall-clock milliseconds since the Unix epoch, shifted left by <see cref="CounterBits"/>, plus the logical counter.</summary>
    public long Ticks { get; }

    /// <summary>The node that issued this timestamp.</summary>
    public Guid Node => Guid.ParseExact(NodeNumber.ToString("x32", CultureInfo.InvariantCulture), "N");

    /// <summary>The wall-clock part, in milliseconds since the Unix epoch.</summary>
    public long PhysicalMilliseconds => Ticks >> CounterBits;

    /// <summary>The logical counter part.</summary>
    public int Counter => (int)(Ticks & ((1L << CounterBits) - 1));

    /// <summary>The wall-clock part as a UTC instant.</summary>
    public DateTimeOffset PhysicalTime => DateTimeOffset.FromUnixTimeMilliseconds(PhysicalMilliseconds);

    /// <summary>Whether this timestamp and <paramref name="other"/> were issued by the same node.</summary>
    internal bool HasNodeOf(HybridTimestamp other) => _nodeHigh == other._nodeHigh && _nodeLow == other._nodeLow;

    /// <summary>Writes the node id's 32 lowercase hex digits (its part of the text form) into <paramref name="destination"/>.</summary>
    internal void FormatNode(Span<char> destination)
    {
        _nodeHigh.TryFormat(destination[..16], out _, "x16", CultureInfo.InvariantCulture);
        _nodeLow.TryFormat(destination[16..], out _, "x16", CultureInfo.InvariantCulture);
    }

    /// <summary>A timestamp of the same node as this one, with other ticks.</summary>
    internal HybridTimestamp WithTicks(long ticks) => new(ticks, NodeNumber);

    private UInt128 NodeNumber => new(_nodeHigh, _nodeLow);

    /// <summary>Packs milliseconds and a counter into ticks.</summary>
    public static long Pack(long physicalMilliseconds, int counter) => (physicalMilliseconds << CounterBits) | (uint)counter;

    /// <summary>Parses the text form written by <see cref="ToString"/>.</summary>
    /// <exception cref="FormatException">The text is not a timestamp.</exception>
    public static HybridTimestamp Parse(ReadOnlySpan<char> text)
        => TryParse(text, out var ts) ? ts : throw new FormatException($"'{text}' is not a liblim timestamp (expected 16 hex digits, '.', 32 hex digits).");

    /// <summary>Tries to parse the text form written by <see cref="ToString"/>.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out HybridTimestamp timestamp)
    {
        timestamp = default;
        if (text.Length != TextLength || text[16] != '.'
            || !AsciiText.IsLowerHex(text[..16]) || !AsciiText.IsLowerHex(text[17..])
            || !long.TryParse(text[..16], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var ticks)
            || ticks < 0
            || !UInt128.TryParse(text[17..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var node))
        {
            return false;
        }

        timestamp = new HybridTimestamp(ticks, node);
        return true;
    }

    /// <inheritdoc />
    public int CompareTo(HybridTimestamp other)
    {
        var byTicks = Ticks.CompareTo(other.Ticks);
        if (byTicks != 0)
        {
            return byTicks;
        }

        var byHigh = _nodeHigh.CompareTo(other._nodeHigh);
        return byHigh != 0 ? byHigh : _nodeLow.CompareTo(other._nodeLow);
    }

    /// <inheritdoc />
    public bool Equals(HybridTimestamp other) => Ticks == other.Ticks && HasNodeOf(other);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is HybridTimestamp other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Ticks, _nodeHigh, _nodeLow);

    /// <summary>The text form: 16 hex digits of ticks, '.', 32 hex digits of the node id.</summary>
    public override string ToString() => string.Create(TextLength, this, static (span, ts) => ts.Format(span));

    /// <summary>Writes the text form (<see cref="TextLength"/> characters) into <paramref name="destination"/>.</summary>
    internal void Format(Span<char> destination)
    {
        Ticks.TryFormat(destination[..16], out _, "x16", CultureInfo.InvariantCulture);
        destination[16] = '.';
        FormatNode(destination[17..TextLength]);
    }

    /// <summary>Orders timestamps.</summary>
    public static bool operator <(HybridTimestamp left, HybridTimestamp right) => left.CompareTo(right) < 0;

    /// <summary>Orders timestamps.</summary>
    public static bool operator >(HybridTimestamp left, HybridTimestamp right) => left.CompareTo(right) > 0;

    /// <summary>Orders timestamps.</summary>
    public static bool operator <=(HybridTimestamp left, HybridTimestamp right) => left.CompareTo(right) <= 0;

    /// <summary>Orders timestamps.</summary>
    public static bool operator >=(HybridTimestamp left, HybridTimestamp right) => left.CompareTo(right) >= 0;

    /// <summary>Compares timestamps for equality.</summary>
    public static bool operator ==(HybridTimestamp left, HybridTimestamp right) => left.Equals(right);

    /// <summary>Compares timestamps for inequality.</summary>
    public static bool operator !=(HybridTimestamp left, HybridTimestamp right) => !left.Equals(right);

    /// <summary>The node id as an unsigned number whose order is the order of its 32-hex-digit text.</summary>
    private static UInt128 NodeOrder(Guid node)
        => UInt128.Parse(node.ToString("N"), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
}
