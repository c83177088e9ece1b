using System.Data.Common;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Liblim.EfCore.Storage.Sqlite;

/// <summary>What kind of value SQLite stores.</summary>
internal enum SqliteStorageClass
{
    Null,
    Integer,
    Real,
    Text,
    Blob,
}

/// <summary>
/// The value SQLite receives for a parameter when Microsoft.Data.Sqlite binds it: the one place Liblim holds that driver's
/// rules (a boolean as 0 or 1, a Guid as upper-case text, dates, times and decimals in its text forms), for where Liblim
/// binds values itself (<see cref="SqliteStatement"/>) or lists them in JSON. StoredFormTests compare, for every value
/// type, what a merge and EF Core store.
/// </summary>
internal readonly record struct SqliteStoredValue(SqliteStorageClass Class, long Integer = 0, double Real = 0, string? Text = null, byte[]? Blob = null)
{
    private static readonly SqliteStoredValue Null = new(SqliteStorageClass.Null);

    /// <summary>
    /// The stored value of a parameter's value; false for what this leaves to Microsoft.Data.Sqlite: a NaN (which it
    /// refuses), a date or time the parameter asks to store as a real, a value of any other type.
    /// </summary>
    public static bool TryGet(DbParameter parameter, out SqliteStoredValue stored)
    {
        var value = parameter.Value;
        SqliteStoredValue? known = value switch
        {
            null or DBNull => Null,
            long number => OfInteger(number),
            int number => OfInteger(number),
            short number => OfInteger(number),
            sbyte number => OfInteger(number),
            byte number => OfInteger(number),
            ushort number => OfInteger(number),
            uint number => OfInteger(number),
            ulong number => OfInteger(unchecked((long)number)),
            bool flag => OfInteger(flag ? 1 : 0),
            char letter when StoredAs(parameter) == SqliteType.Integer => OfInteger(letter),
            double real when !double.IsNaN(real) => new(SqliteStorageClass.Real, Real: real),
            float real when !float.IsNaN(real) => new(SqliteStorageClass.Real, Real: real),
            byte[] bytes => new(SqliteStorageClass.Blob, Blob: bytes),
            Guid guid when StoredAs(parameter) == SqliteType.Blob => new(SqliteStorageClass.Blob, Blob: guid.ToByteArray()),
            _ when TextForm(value, parameter) is { } text => new(SqliteStorageClass.Text, Text: text),
            _ => null,
        };
        stored = known.GetValueOrDefault();
        return known is not null;
    }

    private static SqliteStoredValue OfInteger(long value) => new(SqliteStorageClass.Integer, Integer: value);

    /// <summary>The most characters <see cref="TryGetText"/> writes into its buffer (a decimal's 31, a date and time with an offset's 33).</summary>
    public const int MaxFormattedText = 64;

    /// <summary>
    /// The text Microsoft.Data.Sqlite stores for a value it stores as text; null for a date or time the parameter asks to
    /// store as a real, and for a value of any other type.
    /// </summary>
    private static string? TextForm(object value, DbParameter parameter)
    {
        if (value is string text)
        {
            return text;
        }

        Span<char> buffer = stackalloc char[MaxFormattedText];
        return TryGetText(value, parameter, buffer, out var formatted) ? formatted.ToString() : null;
    }

    /// <summary>
    /// The text of a value Microsoft.Data.Sqlite stores as text (<see cref="TryGet"/>): a string's own characters, or the
    /// others' text forms written into <paramref name="buffer"/> (at least <see cref="MaxFormattedText"/> long), with no
    /// string made; false for a value it stores otherwise, or leaves to Microsoft.Data.Sqlite.
    /// </summary>
    public static bool TryGetText(object? value, DbParameter parameter, Span<char> buffer, out ReadOnlySpan<char> text)
    {
        var written = 0;
        var formatted = value switch
        {
            string => false,
            char letter when StoredAs(parameter) != SqliteType.Integer => Letter(letter, buffer, out written),
            Guid guid when StoredAs(parameter) != SqliteType.Blob => UpperCase(guid, buffer, out written),
            decimal number => number.TryFormat(buffer, out written, SqliteDialect.DecimalFormat, CultureInfo.InvariantCulture),
            DateTime or DateTimeOffset or DateOnly or TimeOnly or TimeSpan when StoredAs(parameter) == SqliteType.Real => false,
            DateTime time => time.TryFormat(buffer, out written, @"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", CultureInfo.InvariantCulture),
            DateTimeOffset time => time.TryFormat(buffer, out written, @"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFFzzz", CultureInfo.InvariantCulture),
            DateOnly day => day.TryFormat(buffer, out written, @"yyyy\-MM\-dd", CultureInfo.InvariantCulture),
            TimeOnly time => time.TryFormat(buffer, out written, time.Ticks % TimeSpan.TicksPerSecond == 0 ? "HH:mm:ss" : "HH:mm:ss.fffffff", CultureInfo.InvariantCulture),
            TimeSpan span => span.TryFormat(buffer, out written, "c", CultureInfo.InvariantCulture),
            _ => false,
        };
        text = value is string s ? s : formatted ? buffer[..written] : default;
        return value is string || formatted;
    }

    private static bool Letter(char letter, Span<char> buffer, out int written)
    {
        buffer[0] = letter;
        written = 1;
        return true;
    }

    private static SqliteType StoredAs(DbParameter parameter) => parameter is SqliteParameter sqlite ? sqlite.SqliteType : SqliteType.Text;

    private static bool UpperCase(Guid guid, Span<char> text, out int written)
    {
        guid.TryFormat(text, out written);
        for (var i = 0; i < written; i++)
        {
            if (text[i] is >= 'a' and <= 'f')
            {
                text[i] = (char)(text[i] - ('a' - 'A'));
            }
        }

        return true;
    }
}
