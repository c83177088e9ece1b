using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Interop;

/// <summary>
/// The tables of an EF model as the Python implementation declares them (interop/python/README.md, "Declare your
/// tables"): table name, key columns in key order, each column with its type and nullability. Made from the model
/// itself, so that the two sides cannot drift apart.
/// </summary>
public static class PythonModel
{
    private static readonly Dictionary<Type, string> Types = new()
    {
        [typeof(string)] = "text", [typeof(char)] = "char", [typeof(bool)] = "bool",
        [typeof(sbyte)] = "int8", [typeof(byte)] = "uint8", [typeof(short)] = "int16", [typeof(ushort)] = "uint16",
        [typeof(int)] = "int32", [typeof(uint)] = "uint32", [typeof(long)] = "int64", [typeof(ulong)] = "uint64",
        [typeof(double)] = "double", [typeof(float)] = "single", [typeof(decimal)] = "decimal", [typeof(Guid)] = "guid",
        [typeof(byte[])] = "bytes", [typeof(DateTime)] = "datetime", [typeof(DateTimeOffset)] = "datetimeoffset",
        [typeof(DateOnly)] = "date", [typeof(TimeOnly)] = "time", [typeof(TimeSpan)] = "timespan",
    };

    /// <summary>The JSON the driver's <c>--model</c> takes, for the model of <paramref name="db"/>.</summary>
    /// <remarks>Liblim's own shadow columns (feed position, clocks) are no columns of the app's: left out.</remarks>
    public static string Of(DbContext db)
    {
        var tables = db.Model.GetEntityTypes().OrderBy(e => e.GetTableName()).Select(entity => new
        {
            name = entity.GetTableName(),
            key = entity.FindPrimaryKey()!.Properties.Select(p => p.GetColumnName()).ToArray(),
            columns = entity.GetProperties()
                .Where(p => !p.IsShadowProperty() && Types.ContainsKey(Nullable.GetUnderlyingType(p.ClrType) ?? p.ClrType))
                .Select(p => new { name = p.GetColumnName(), type = Types[Nullable.GetUnderlyingType(p.ClrType) ?? p.ClrType], nullable = p.IsNullable })
                .ToArray(),
        });
        return JsonSerializer.Serialize(new { tables });
    }

    /// <summary>The replicated columns of a table that are not part of its key, as the model names them.</summary>
    public static IReadOnlyList<(string Column, string Property, Type Type)> ValueColumns(DbContext db, string table)
    {
        var entity = db.Model.GetEntityTypes().Single(e => e.GetTableName() == table);
        var key = entity.FindPrimaryKey()!.Properties;
        return [.. entity.GetProperties()
            .Where(p => !key.Contains(p) && !p.IsShadowProperty() && Types.ContainsKey(Nullable.GetUnderlyingType(p.ClrType) ?? p.ClrType))
            .Select(p => (p.GetColumnName(), p.Name, p.ClrType))];
    }
}
