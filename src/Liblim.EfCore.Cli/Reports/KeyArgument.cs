using System.Globalization;
using Liblim.EfCore.Metadata.Internal;

namespace Liblim.EfCore.Cli.Reports;

/// <summary>
/// A row's key as given on the command line: its values in key order, separated by commas (<c>7</c>, <c>7,abc</c>), or the
/// canonical key text itself, a JSON array (<c>[7]</c>, <c>["3f2a…"]</c>, which a key value holding a comma needs).
/// </summary>
internal static class KeyArgument
{
    /// <summary>The canonical key text of the argument, for the table's key columns.</summary>
    /// <exception cref="CliException">The text is not a key of the table.</exception>
    public static string Parse(ReplicatedTable table, string text)
    {
        var columns = table.KeyColumns;
        try
        {
            if (text.StartsWith('['))
            {
                return table.EncodeKey(table.DecodeKey(text));
            }

            var parts = columns.Count == 1 ? [text] : text.Split(',');
            if (parts.Length != columns.Count)
            {
                throw new FormatException($"it has {parts.Length} value(s), the key {columns.Count}");
            }

            return table.EncodeKey(parts.Select((part, i) => Value(columns[i], part)).ToArray());
        }
        catch (Exception e) when (e is FormatException or OverflowException)
        {
            throw new CliException($"'{text}' is not a key of {table.Name} ({Describe(table)}): {e.Message}", e);
        }
    }

    /// <summary>The key columns and the types they are read as, for messages: "Code (string), Region (long)".</summary>
    public static string Describe(ReplicatedTable table)
        => string.Join(", ", table.KeyColumns.Select(c => $"{c.Name} ({TypeName(c.Property.ClrType)})"));

    private static object Value(ReplicatedColumn column, string text)
    {
        var type = Nullable.GetUnderlyingType(column.Property.ClrType) ?? column.Property.ClrType;
        var culture = CultureInfo.InvariantCulture;
        var trimmed = text.Trim();
        return type == typeof(string) ? text
            : type == typeof(Guid) ? Guid.Parse(trimmed)
            : type == typeof(long) ? long.Parse(trimmed, culture)
            : type == typeof(int) ? int.Parse(trimmed, culture)
            : type == typeof(short) ? short.Parse(trimmed, culture)
            : type == typeof(bool) ? trimmed is "1" || (trimmed is not "0" && bool.Parse(trimmed))
            : type == typeof(decimal) ? decimal.Parse(trimmed, NumberStyles.Float, culture)
            : type == typeof(double) ? double.Parse(trimmed, NumberStyles.Float, culture)
            : type == typeof(float) ? float.Parse(trimmed, NumberStyles.Float, culture)
            : type == typeof(DateTime) ? DateTime.Parse(trimmed, culture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal)
            : type == typeof(DateOnly) ? DateOnly.Parse(trimmed, culture)
            : type == typeof(TimeOnly) ? TimeOnly.Parse(trimmed, culture)
            : type == typeof(TimeSpan) ? TimeSpan.Parse(trimmed, culture)
            : type == typeof(byte[]) ? Convert.FromBase64String(trimmed)
            : throw new FormatException($"values of type {type.Name} are given as the JSON key text");
    }

    private static string TypeName(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(string) => "text",
        var t when t == typeof(long) || t == typeof(int) || t == typeof(short) => "integer",
        var t when t == typeof(Guid) => "GUID",
        var t => t.Name,
    };
}
