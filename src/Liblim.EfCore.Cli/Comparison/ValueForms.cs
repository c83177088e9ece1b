using System.Globalization;
using Liblim.EfCore.Cli.Inspection;
using Liblim.EfCore.Values;

namespace Liblim.EfCore.Cli.Comparison;

/// <summary>
/// How the values of two replicas are compared. Each replica gives a value as the canonical JSON of what its database
/// holds (docs/semantics.md, "Values on SQLite and PostgreSQL"); where two databases hold one written value in different
/// forms, both are brought to one form before they are compared, and only there:
/// <list type="bullet">
/// <item>SQLite and SQLite: exactly as stored; a boolean kept aside (<c>true</c>) is the integer its column holds (<c>1</c>).</item>
/// <item>PostgreSQL on either side: a time is its UTC instant (PostgreSQL keeps no offset, so nothing is lost).</item>
/// <item>SQLite and PostgreSQL: also a decimal is its number, without trailing zeros (SQLite does not keep them).</item>
/// </list>
/// </summary>
internal sealed class ValueForms
{
    private readonly Dictionary<(string Table, string Column), Func<string, string>> _forms = [];

    private ValueForms()
    {
    }

    /// <summary>The rules for two replicas, read by the given schemas (a PostgreSQL schema's types decide).</summary>
    public static ValueForms For(DatabaseKind a, InspectedSchema schemaA, DatabaseKind b, InspectedSchema schemaB)
    {
        var forms = new ValueForms();
        if (a == DatabaseKind.Sqlite && b == DatabaseKind.Sqlite)
        {
            foreach (var table in schemaA.Tables.Concat(schemaB.Tables))
            {
                foreach (var column in table.Columns.Where(c => c.ClrType == typeof(long)))
                {
                    forms._forms[(table.Name, column.Name)] = BooleanAsInteger;
                }
            }

            return forms;
        }

        var exact = a == DatabaseKind.Postgres ? schemaA : schemaB;
        var mixed = a != b;
        foreach (var table in exact.Tables)
        {
            foreach (var column in table.Columns)
            {
                if (column.TypeName is "timestamptz" or "timestamp")
                {
                    forms._forms[(table.Name, column.Name)] = Instant;
                }
                else if (mixed && column.TypeName == "numeric")
                {
                    forms._forms[(table.Name, column.Name)] = Number;
                }
            }
        }

        return forms;
    }

    /// <summary>The form a column's value (canonical JSON) is compared in; null (a value not loaded) stays null.</summary>
    public string? Of(string table, string column, string? json)
        => json is not null && _forms.TryGetValue((table, column), out var form) ? form(json) : json;

    private static string BooleanAsInteger(string json) => json switch
    {
        "true" => "1",
        "false" => "0",
        _ => json,
    };

    private static string Instant(string json)
    {
        if (json.Length > 2 && json[0] == '"'
            && DateTimeOffset.TryParseExact(json[1..^1], ["yyyy-MM-dd'T'HH:mm:ss.fffffffzzz", "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'"], CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal, out var time))
        {
            return CanonicalJson.Encode(time.UtcDateTime, typeof(DateTime));
        }

        return json;
    }

    private static string Number(string json)
        => json.Length > 2 && json[0] == '"' && decimal.TryParse(json[1..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
            ? CanonicalJson.Quote((number / 1.0000000000000000000000000000m).ToString(CultureInfo.InvariantCulture)) // the scale dropped
            : json;
}
