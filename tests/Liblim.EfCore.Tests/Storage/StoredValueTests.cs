using Liblim.EfCore.Storage.Postgres;
using Liblim.EfCore.Storage.Sqlite;
using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore.Storage;

namespace Liblim.EfCore.Tests.Storage;

/// <summary>What each database holds of a value, as its dialect predicts it (the functional tests check it against the databases).</summary>
public class StoredValueTests
{
    private static readonly RelationalTypeMapping TimestampTz = new DateTimeTypeMapping("timestamp with time zone");
    private static readonly RelationalTypeMapping Timestamp = new DateTimeTypeMapping("timestamp without time zone");
    private static readonly RelationalTypeMapping Text = new StringTypeMapping("text", System.Data.DbType.String);

    private static object Postgres(object value, RelationalTypeMapping? mapping = null) => PostgresDialect.Instance.StoredValue(mapping ?? Text, value);

    private static object Sqlite(object value) => SqliteDialect.Instance.StoredValue(Text, value);

    [Fact]
    public void PostgreSQL_rounds_times_down_to_the_microsecond()
    {
        var at = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        Assert.Equal(at.AddTicks(10), Postgres(at.AddTicks(19), TimestampTz));
        Assert.Equal(new TimeOnly(23, 59, 59, 999, 999), Postgres(TimeOnly.MaxValue));
        Assert.Equal(new DateTimeOffset(at.AddTicks(10)), Postgres(new DateTimeOffset(at.AddTicks(15))));
    }

    [Fact]
    public void PostgreSQL_rounds_an_interval_toward_zero()
    {
        Assert.Equal(TimeSpan.FromTicks(10), Postgres(TimeSpan.FromTicks(19)));
        Assert.Equal(TimeSpan.FromTicks(-10), Postgres(TimeSpan.FromTicks(-19)));
    }

    [Fact]
    public void PostgreSQL_keeps_the_smallest_and_greatest_timestamps_as_they_are()
    {
        Assert.Equal(DateTime.MaxValue.Ticks, ((DateTime)Postgres(DateTime.MaxValue, TimestampTz)).Ticks);
        Assert.Equal(DateTime.MinValue.Ticks, ((DateTime)Postgres(DateTime.MinValue, TimestampTz)).Ticks);
        Assert.Equal(DateTimeOffset.MaxValue, Postgres(DateTimeOffset.MaxValue));
    }

    [Fact]
    public void PostgreSQL_keeps_the_instant_of_an_offset_time_in_UTC()
    {
        var stored = (DateTimeOffset)Postgres(new DateTimeOffset(2026, 5, 1, 12, 0, 0, TimeSpan.FromHours(2)));
        Assert.Equal((new DateTime(2026, 5, 1, 10, 0, 0), TimeSpan.Zero), (stored.DateTime, stored.Offset));
    }

    [Fact]
    public void PostgreSQL_timestamps_are_UTC_with_time_zone_and_unspecified_without()
    {
        var at = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        Assert.Equal(DateTimeKind.Utc, ((DateTime)Postgres(at, TimestampTz)).Kind);
        Assert.Equal(DateTimeKind.Unspecified, ((DateTime)Postgres(at, Timestamp)).Kind);
    }

    [Fact]
    public void PostgreSQL_refuses_the_NUL_character()
    {
        Assert.Contains("NUL", Assert.Throws<FormatException>(() => Postgres("a\0b")).Message);
        Assert.Throws<FormatException>(() => Postgres('\0'));
        Assert.Equal("a b", Postgres("a b"));
    }

    [Fact]
    public void SQLite_refuses_NaN_and_drops_the_sign_of_zero()
    {
        Assert.Contains("NaN", Assert.Throws<FormatException>(() => Sqlite(double.NaN)).Message);
        Assert.Throws<FormatException>(() => Sqlite(float.NaN));
        Assert.False(double.IsNegative((double)Sqlite(-0.0)));
        Assert.Equal(double.NegativeInfinity, Sqlite(double.NegativeInfinity));
    }

    [Theory]
    [InlineData("1.10", "1.1")]
    [InlineData("40", "40.0")]
    [InlineData("-0.0000000000000000000000000001", "-0.0000000000000000000000000001")]
    [InlineData("79228162514264337593543950335", "79228162514264337593543950335")]
    public void SQLite_keeps_a_decimal_as_Microsoft_Data_Sqlite_writes_it(string value, string stored)
    {
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        Assert.Equal(stored, ((decimal)Sqlite(decimal.Parse(value, inv))).ToString(inv));
    }

    [Fact]
    public void Both_refuse_half_a_surrogate_pair()
    {
        // Built at run time: a test framework may replace lone surrogates in attribute arguments.
        foreach (var text in new[] { "a" + '\ud800' + "b", '\udc00'.ToString(), "end" + '\ud83d' })
        {
            Assert.Contains("surrogate", Assert.Throws<FormatException>(() => Sqlite(text)).Message);
            Assert.Contains("surrogate", Assert.Throws<FormatException>(() => Postgres(text)).Message);
        }
    }

    [Fact]
    public void Both_keep_whole_surrogate_pairs()
    {
        Assert.Equal("😀", Sqlite("😀"));
        Assert.Equal("😀", Postgres("😀"));
    }
}
