using System.Text.Json;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.Values;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Interop;

/// <summary>
/// One row state as either implementation holds it, in the wire's text forms: its oid parts, whether it is alive, its add
/// tags and tombstones, each column's timestamp, and (for a live row) each column's canonical JSON text. Two replicas
/// that converged describe every row identically (<see cref="Describe"/>).
/// </summary>
public sealed record RowView(string Table, string Key, bool Alive, IReadOnlyList<string> Add, IReadOnlyList<string> Del,
    IReadOnlyDictionary<string, string> Clocks, IReadOnlyDictionary<string, string> Values)
{
    /// <summary>The row as one line: equal lines, equal states.</summary>
    public string Describe()
        => $"{Table} {Key} {(Alive ? "alive" : "deleted")} add=[{string.Join(",", Add)}] del=[{string.Join(",", Del)}] " +
           $"clocks={{{string.Join(",", Clocks.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}:{c.Value}"))}}}" +
           (Alive ? $" values={{{string.Join(",", Values.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}:{c.Value}"))}}}" : "");

    public override string ToString() => Describe();

    /// <summary>A row of the Python driver's <c>rows</c> answer.</summary>
    public static RowView FromPython(JsonElement row)
    {
        static Dictionary<string, string> Map(JsonElement e) => e.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
        return new RowView(row.GetProperty("table").GetString()!, row.GetProperty("key").GetString()!, row.GetProperty("alive").GetBoolean(),
            [.. row.GetProperty("add").EnumerateArray().Select(t => t.GetString()!).Order(StringComparer.Ordinal)],
            [.. row.GetProperty("del").EnumerateArray().Select(t => t.GetString()!).Order(StringComparer.Ordinal)],
            Map(row.GetProperty("clocks")), Map(row.GetProperty("values")));
    }

    /// <summary>Every row state a C# replica holds: its metadata as <see cref="ShadowRows"/> reads it, its values as EF reads the row.</summary>
    public static List<RowView> FromCSharp(InteropReplica replica)
    {
        var metas = ShadowRows.Rows(replica.Open);
        using var db = replica.Open();
        var rows = new List<RowView>();
        foreach (var meta in metas)
        {
            var entity = db.Model.GetEntityTypes().Single(e => e.GetTableName() == meta.Table);
            var columns = PythonModel.ValueColumns(db, meta.Table);
            // Each register's clock, then "/" and its prior when it has one: both sides keep and pass on priors (protocol section 5).
            var listing = meta.ColumnClocks is null ? null : Liblim.EfCore.Storage.Internal.RegisterClocks.Parse(meta.ColumnClocks);
            var baseClock = HybridTimestamp.Parse(meta.Clock);
            string Register(string column)
            {
                var (clock, prior) = listing is null ? (baseClock, null) : listing.Of(column, baseClock);
                return prior is null ? clock.ToString() : $"{clock}/{prior}";
            }

            var clocks = columns.ToDictionary(c => c.Column, c => Register(c.Column), StringComparer.Ordinal);
            var alive = !string.IsNullOrEmpty(meta.AddTags);
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            if (alive)
            {
                var keyProperties = entity.FindPrimaryKey()!.Properties;
                var parts = CanonicalJson.DecodeKeyElements(meta.Key, keyProperties.Count);
                var key = keyProperties.Select((p, i) => CanonicalJson.Decode(parts[i], p.ClrType)).ToArray();
                var found = db.Find(entity.ClrType, key) ?? throw new Xunit.Sdk.XunitException($"{meta.Table} {meta.Key} is alive in the metadata but not in its table.");
                foreach (var (column, property, type) in columns)
                {
                    values[column] = CanonicalJson.Encode(entity.FindProperty(property)!.PropertyInfo!.GetValue(found), type);
                }
            }

            rows.Add(new RowView(meta.Table, meta.Key, alive, Split(meta.AddTags), Split(meta.Tombstones), clocks, values));
        }

        return rows;
    }

    private static List<string> Split(string? tags) => tags is null or "" ? [] : [.. tags.Split(',').Order(StringComparer.Ordinal)];

    /// <summary>Fails unless both lists describe the same row states; the message names each difference.</summary>
    public static void AssertSame(IEnumerable<RowView> expected, IEnumerable<RowView> actual, string what)
    {
        var first = expected.ToDictionary(r => (r.Table, r.Key));
        var second = actual.ToDictionary(r => (r.Table, r.Key));
        var differences = new List<string>();
        foreach (var key in first.Keys.Union(second.Keys).Order())
        {
            var (a, b) = (first.GetValueOrDefault(key), second.GetValueOrDefault(key));
            if (a is null || b is null)
            {
                differences.Add($"{key.Table} {key.Key}: only on the {(a is null ? "second" : "first")} side ({Shorten((a ?? b)!.Describe())})");
            }
            else if (a.Describe() != b.Describe())
            {
                differences.Add($"{key.Table} {key.Key}: {string.Join("; ", Differences(a, b))}");
            }
        }

        Assert.True(differences.Count == 0, $"{what}:\n  {string.Join("\n  ", differences)}");
    }

    private static IEnumerable<string> Differences(RowView a, RowView b)
    {
        if (a.Alive != b.Alive) yield return $"alive {a.Alive} / {b.Alive}";
        if (!a.Add.SequenceEqual(b.Add)) yield return $"add [{string.Join(",", a.Add)}] / [{string.Join(",", b.Add)}]";
        if (!a.Del.SequenceEqual(b.Del)) yield return $"del [{string.Join(",", a.Del)}] / [{string.Join(",", b.Del)}]";
        foreach (var column in a.Clocks.Keys.Union(b.Clocks.Keys).Order(StringComparer.Ordinal))
        {
            if (a.Clocks.GetValueOrDefault(column) != b.Clocks.GetValueOrDefault(column))
                yield return $"{column} written at {a.Clocks.GetValueOrDefault(column) ?? "-"} / {b.Clocks.GetValueOrDefault(column) ?? "-"}";
        }

        if (a.Alive && b.Alive)
        {
            foreach (var column in a.Values.Keys.Union(b.Values.Keys).Order(StringComparer.Ordinal))
            {
                if (a.Values.GetValueOrDefault(column) != b.Values.GetValueOrDefault(column))
                    yield return $"{column} = {Shorten(a.Values.GetValueOrDefault(column) ?? "-")} / {Shorten(b.Values.GetValueOrDefault(column) ?? "-")}";
            }
        }
    }

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + "…" : text;
}

/// <summary>Canonical JSON texts of an entity's columns (docs/protocol.md section 5), as the C# side writes them.</summary>
public static class CanonicalTexts
{
    /// <summary>Every column of <paramref name="entity"/> (key included), by column name.</summary>
    public static Dictionary<string, string> Of(DbContext db, object entity)
    {
        var type = db.Model.FindEntityType(entity.GetType())!;
        return type.GetProperties().Where(p => !p.IsShadowProperty()).ToDictionary(p => p.GetColumnName(), p => CanonicalJson.Encode(p.PropertyInfo!.GetValue(entity), p.ClrType), StringComparer.Ordinal);
    }

    /// <summary>The key of <paramref name="entity"/> as the canonical texts of its parts, in key order.</summary>
    public static string[] KeyOf(DbContext db, object entity)
        => [.. db.Model.FindEntityType(entity.GetType())!.FindPrimaryKey()!.Properties.Select(p => CanonicalJson.Encode(p.PropertyInfo!.GetValue(entity), p.ClrType))];

    /// <summary>The canonical key text (<c>["a:b",3]</c>) of <paramref name="entity"/>.</summary>
    public static string KeyText(DbContext db, object entity) => "[" + string.Join(",", KeyOf(db, entity)) + "]";
}
