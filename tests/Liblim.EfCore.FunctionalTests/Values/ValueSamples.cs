using System.Text;

namespace Liblim.EfCore.FunctionalTests.Values;

/// <summary>
/// Rows whose every value both SQLite and PostgreSQL hold exactly: ordinary values, the extremes of each type, and
/// empties and nulls. Times are whole microseconds (PostgreSQL's precision) and timestamps are UTC; what else
/// happens is in ValueLimitTests.
/// </summary>
public static class ValueSamples
{
    public static ValueRow Typical() => new()
    {
        Id = Guid.NewGuid(),
        Text = "héllo wörld ✓ 日本語 😀👍🏽 \"quoted\" \\ 'single' \t tab\nnew line  ",
        NullableText = "  padded  ",
        Flag = true,
        NullableFlag = false,
        Int8 = -5, NullableInt8 = 5,
        UInt8 = 200, NullableUInt8 = 0,
        Int16 = -12345, NullableInt16 = 12345,
        UInt16 = 54321, NullableUInt16 = 1,
        Int32 = -123456789, NullableInt32 = 123456789,
        UInt32 = 3_000_000_000, NullableUInt32 = 7,
        Int64 = -1234567890123456789, NullableInt64 = 1234567890123456789,
        UInt64 = 12345678901234567890, NullableUInt64 = 42,
        Money = 1234.5678m, NullableMoney = -0.01m,
        Real = Math.PI, NullableReal = -1.0 / 3,
        Single = 1.1f, NullableSingle = -2.5e-7f,
        Letter = 'Ω', NullableLetter = 'z',
        When = new DateTime(2026, 3, 14, 15, 9, 26, 535, 897, DateTimeKind.Utc),
        NullableWhen = new DateTime(1969, 7, 20, 20, 17, 40, DateTimeKind.Utc),
        Moment = new DateTimeOffset(2026, 3, 14, 15, 9, 26, 535, 897, TimeSpan.Zero),
        NullableMoment = new DateTimeOffset(1999, 12, 31, 23, 59, 59, 999, 999, TimeSpan.Zero),
        Day = new DateOnly(2026, 2, 28), NullableDay = new DateOnly(1900, 1, 1),
        Time = new TimeOnly(13, 37, 42, 123, 456), NullableTime = new TimeOnly(0, 0, 0, 0, 1),
        Duration = new TimeSpan(3, 4, 5, 6, 789, 12), NullableDuration = -new TimeSpan(0, 1, 2, 3, 4, 5),
        Bytes = Encoding.UTF8.GetBytes("liblim"), NullableBytes = [0],
        Mood = Mood.Happy, NullableMood = Mood.Sad, MoodAsText = Mood.Calm,
        Temperature = new Celsius(21.5m), NullableTemperature = new Celsius(-40m),
    };

    public static ValueRow Extremes() => new()
    {
        Id = Guid.NewGuid(),
        Text = new string('x', 10_000) + "\u2028\u2029\u0001\u001f\u007f",
        NullableText = "\U0010FFFF",
        Flag = false,
        NullableFlag = true,
        Int8 = sbyte.MinValue, NullableInt8 = sbyte.MaxValue,
        UInt8 = byte.MaxValue, NullableUInt8 = byte.MinValue,
        Int16 = short.MinValue, NullableInt16 = short.MaxValue,
        UInt16 = ushort.MaxValue, NullableUInt16 = ushort.MinValue,
        Int32 = int.MinValue, NullableInt32 = int.MaxValue,
        UInt32 = uint.MaxValue, NullableUInt32 = uint.MinValue,
        Int64 = long.MinValue, NullableInt64 = long.MaxValue,
        UInt64 = ulong.MaxValue, NullableUInt64 = ulong.MinValue,
        Money = decimal.MaxValue, NullableMoney = 0.0000000000000000000000000001m,
        Real = double.MaxValue, NullableReal = double.Epsilon,
        Single = float.MinValue, NullableSingle = float.Epsilon,
        Letter = '\u007f', NullableLetter = '\uffff',
        When = DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc),
        NullableWhen = DateTime.SpecifyKind(DateTime.MinValue, DateTimeKind.Utc),
        Moment = DateTimeOffset.MaxValue, NullableMoment = DateTimeOffset.MinValue,
        Day = DateOnly.MaxValue, NullableDay = DateOnly.MinValue,
        Time = new TimeOnly(23, 59, 59, 999, 999), NullableTime = TimeOnly.MinValue,
        Duration = TimeSpan.FromTicks(TimeSpan.MaxValue.Ticks / 10 * 10), NullableDuration = TimeSpan.FromTicks(TimeSpan.MinValue.Ticks / 10 * 10),
        Bytes = [.. Enumerable.Range(0, 256).Select(b => (byte)b)], NullableBytes = new byte[100_000],
        Mood = (Mood)short.MinValue, NullableMood = (Mood)short.MaxValue, MoodAsText = Mood.Sad,
        Temperature = new Celsius(decimal.MinValue), NullableTemperature = new Celsius(0.5000m),
    };

    public static ValueRow EmptiesAndNulls() => new()
    {
        Id = Guid.NewGuid(),
        Text = "",
        Bytes = [],
        Letter = ' ',
        Real = double.PositiveInfinity,
        Single = float.NegativeInfinity,
        NullableBytes = null,
    };

    public static ValueRow[] All() => [Typical(), Extremes(), EmptiesAndNulls()];
}
