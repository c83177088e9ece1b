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

    /// <summary>
    /// The text Microsoft.Data.Sqlite stores for a value it stores as text; null for a date or time the parameter asks to
    /// store as a real, and for a value of any other type.
    /// </summary>
    private static string? TextForm(object value, DbParameter parameter) => value switch
    {
        string text => text,
        char letter => new string(letter, 1),
        Guid guid => UpperCase(guid),
        decimal number => number.ToString(SqliteDialect.DecimalFormat, CultureInfo.InvariantCulture),
        DateTime or DateTimeOffset or DateOnly or TimeOnly or TimeSpan when StoredAs(parameter) == SqliteType.Real => null,
        DateTime time => time.ToString(@"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFF", CultureInfo.InvariantCulture),
        DateTimeOffset time => time.ToString(@"yyyy\-MM\-dd HH\:mm\:ss.FFFFFFFzzz", CultureInfo.InvariantCulture),
        DateOnly day => day.ToString(@"yyyy\-MM\-dd", CultureInfo.InvariantCulture),
        TimeOnly time => time.ToString(time.Ticks % TimeSpan.TicksPerSecond == 0 ? "HH:mm:ss" : "HH:mm:ss.fffffff", CultureInfo.InvariantCulture),
        TimeSpan span => span.ToString("c", CultureInfo.InvariantCulture),
        _ => null,
    };

    private static SqliteType StoredAs(DbParameter parameter) => parameter is SqliteParameter sqlite ? sqlite.SqliteType : SqliteType.Text;

    private static string UpperCase(Guid guid) => string.Create(36, guid, static (text, value) =>
    {
        value.TryFormat(text, out _);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] is >= 'a' and <= 'f')
            {
                text[i] = (char)(text[i] - ('a' - 'A'));
            }
        }
    });
}
