using System.Text;

namespace Liblim.EfCore.FunctionalTests.Interop;

/// <summary>
/// Rows for the interop tests: ordinary values, the extremes of each type, and texts and keys that need escaping. Every
/// value is one a SQLite replica holds as given (decimals without trailing zeros, no negative zero), so that the text
/// each side sends is the text of the value written.
/// </summary>
public static class InteropSamples
{
    /// <summary>Keys whose text needs escaping in an oid: <c>:</c>, <c>/</c>, <c>%</c>, space, and more.</summary>
    public static readonly string[] EscapedBins = ["a:b", "c/d", "50%", "two words", "%3A:/ %", "日本/語:x", "tab\tand\u007f"];

    public static Sample Typical() => new()
    {
        Id = Guid.NewGuid(),
        Text = "héllo wörld ✓ 日本語 😀👍🏽 \"quoted\" \\ 'single' \t tab\nnew line \u0001\u001f\u007f\u2028",
        Letter = 'Ω',
        Flag = true,
        Int8 = -5, UInt8 = 200, Int16 = -12345, UInt16 = 54321, Int32 = -123456789, UInt32 = 3_000_000_000,
        Int64 = -1234567890123456789, UInt64 = 12345678901234567890,
        Real = Math.PI, Single = 1.1f, Money = 1234.5678m,
        Other = Guid.NewGuid(),
        Bytes = Encoding.UTF8.GetBytes("liblim"),
        When = new DateTime(2026, 3, 14, 15, 9, 26, 535, 897, DateTimeKind.Utc).AddTicks(3),
        Moment = new DateTimeOffset(2026, 3, 14, 15, 9, 26, 535, 897, TimeSpan.FromHours(-5.5)),
        Day = new DateOnly(2026, 2, 28),
        Time = new TimeOnly(13, 37, 42, 123, 456).Add(TimeSpan.FromTicks(7)),
        Duration = new TimeSpan(3, 4, 5, 6, 789, 12),
        Notes = "  padded  ",
        Count = 42,
    };

    public static Sample Extremes() => new()
    {
        Id = Guid.NewGuid(),
        Text = new string('x', 2_000) + "\U0010FFFF\uffff",
        Letter = '\u007f',
        Flag = false,
        Int8 = sbyte.MinValue, UInt8 = byte.MaxValue, Int16 = short.MinValue, UInt16 = ushort.MaxValue,
        Int32 = int.MinValue, UInt32 = uint.MaxValue, Int64 = long.MinValue, UInt64 = ulong.MaxValue,
        Real = double.MaxValue, Single = float.Epsilon, Money = decimal.MaxValue,
        Other = Guid.Empty,
        Bytes = [.. Enumerable.Range(0, 256).Select(b => (byte)b)],
        When = DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc),
        Moment = DateTimeOffset.MinValue,
        Day = DateOnly.MaxValue,
        Time = new TimeOnly(23, 59, 59, 999, 999),
        Duration = TimeSpan.FromTicks(TimeSpan.MinValue.Ticks / 10 * 10),
        Notes = null,
        Count = null,
    };

    public static Sample Numbers(int seed) => new()
    {
        Id = Guid.NewGuid(),
        Text = "",
        Letter = ' ',
        Real = seed switch { 0 => 1e21, 1 => 1e-7, 2 => 12345678901234567890.0, _ => 0.1 + 0.2 },
        Single = seed switch { 0 => 1e9f, 1 => 10000000f, 2 => -2.5e-7f, _ => 16777216f },
        Money = seed switch { 0 => -0.01m, 1 => 7922816251426433759354395034m, 2 => 7922816251426433759354395033.0m, _ => -79228162514264337593543950335m },
        Bytes = [],
        When = new DateTime(1969, 7, 20, 20, 17, 40, DateTimeKind.Utc),
        Moment = new DateTimeOffset(1999, 12, 31, 23, 59, 59, 999, 999, TimeSpan.FromHours(14)),
        Day = DateOnly.MinValue,
        Time = TimeOnly.MinValue,
        Duration = -new TimeSpan(0, 1, 2, 3, 4, 5),
        Notes = "",
        Count = 0,
    };

    public static Sample Infinities() => new()
    {
        Id = Guid.NewGuid(),
        Text = "infinities",
        Real = double.NegativeInfinity,
        Single = float.PositiveInfinity,
        Money = 0.0m, // as SQLite holds it: "0.0"
        When = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc),
    };

    public static List<Part> Parts(string side) =>
        [.. EscapedBins.Select((bin, i) => new Part { Bin = $"{side}{bin}", Slot = i - 2, Label = $"{side} part {i}: {bin}", Qty = i * 7, Note = i % 2 == 0 ? null : "note" })];
}
