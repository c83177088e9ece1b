using System.Globalization;
using System.Reflection;

namespace Liblim.EfCore.FunctionalTests.Values;

/// <summary>
/// Every property of a <see cref="ValueRow"/> as "Name=value" text, so that two rows compare property by property
/// and a difference names the property. A value prints as the value it is: a DateTime without its kind (SQLite
/// keeps none), a DateTimeOffset with its offset, a number in round-trip form, bytes in hex.
/// </summary>
public static class ValueText
{
    private static readonly PropertyInfo[] Properties = typeof(ValueRow).GetProperties().OrderBy(p => p.Name, StringComparer.Ordinal).ToArray();

    public static List<string> Of(ValueRow row) => [.. Properties.Select(p => $"{p.Name}={Format(p.GetValue(row))}")];

    public static string Format(object? value) => value switch
    {
        null => "null",
        string s => "\"" + s + "\"",
        byte[] b => "0x" + Convert.ToHexString(b),
        DateTime d => d.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", CultureInfo.InvariantCulture),
        TimeOnly t => t.ToString("HH:mm:ss.fffffff", CultureInfo.InvariantCulture),
        TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        // Equal numbers print alike: SQLite keeps a decimal without trailing zeros (1.10 reads back as 1.1).
        decimal m => m.ToString("G29", CultureInfo.InvariantCulture),
        Celsius c => "Celsius " + Format(c.Degrees),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
