using System.Data.Common;
using System.Linq.Expressions;
using System.Runtime.CompilerServices;
using System.Text;
using Liblim.EfCore.Values;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Liblim.EfCore.Metadata.Internal;

/// <summary>
/// A column of a replicated table, and how its values travel: read from the database with EF's type mapping,
/// turned into canonical JSON (through the property's value converter, if any), and written back as parameters
/// created by the same mapping. Values are taken in the form the database stores them (see
/// <see cref="IValueStorage.StoredValue"/>), so that the JSON of a value is the JSON of what reading it back gives.
/// </summary>
internal sealed class ReplicatedColumn
{
    private readonly Func<DbDataReader, int, object?> _read;
    private readonly ValueConverter? _userConverter;
    private readonly Type _jsonType;
    private readonly IValueStorage? _valueStorage;
    private StrongBox<RelationalTypeMapping?>? _arrayMapping; // found once, then shared by every context on the model

    /// <param name="name">The column name.</param>
    /// <param name="property">The first property mapped to the column.</param>
    /// <param name="mapping">EF's type mapping of the column.</param>
    /// <param name="isNullable">Whether the column allows null.</param>
    /// <param name="isKey">Whether the column is part of the primary key.</param>
    /// <param name="valueStorage">The database's valueStorage; null when unknown (values are then taken as they are).</param>
    public ReplicatedColumn(string name, IProperty property, RelationalTypeMapping mapping, bool isNullable, bool isKey, IValueStorage? valueStorage)
    {
        Name = name;
        Property = property;
        Mapping = mapping;
        IsNullable = isNullable;
        IsKey = isKey;
        _valueStorage = valueStorage;
        _userConverter = ValueConversion.For(property);
        var jsonType = ValueConversion.JsonType(property);
        // A column shared by a hierarchy (TPH) or holding an optional owned type is nullable even where the property is not.
        _jsonType = isNullable && jsonType.IsValueType && Nullable.GetUnderlyingType(jsonType) is null
            ? typeof(Nullable<>).MakeGenericType(jsonType)
            : jsonType;
        _read = CreateReader(mapping, property.ClrType);
    }

    /// <summary>The column name, as the database and the wire know it.</summary>
    public string Name { get; }

    /// <summary>The first property mapped to the column.</summary>
    public IProperty Property { get; }

    /// <summary>The column's position in its table's <see cref="ReplicatedTable.AllColumns"/> (and in rows the table store reads).</summary>
    public int Ordinal { get; internal set; }

    /// <summary>Whether the column allows null.</summary>
    public bool IsNullable { get; }

    /// <summary>
    /// The value the table shows in this required column for a row no replica has written it for (a row of an older model
    /// version, which lacks the column): the model's default value (<c>HasDefaultValue</c>), else the type's default for
    /// a value type; null when there is none.
    /// </summary>
    public object? ShownWhenUnwritten => Property.GetDefaultValue() ?? (Property.ClrType.IsValueType ? Activator.CreateInstance(Property.ClrType) : null);

    /// <summary>Whether the column is part of the primary key: its values must be stored exactly.</summary>
    public bool IsKey { get; }

    /// <summary>EF's type mapping of the column.</summary>
    public RelationalTypeMapping Mapping { get; }

    /// <summary>
    /// Whether two model values are stored as the same canonical JSON, decided without encoding them where their equality
    /// says it: equal texts, integers, booleans and Guids, doubles of the same bits, times of the same ticks and kind, and
    /// two nulls are; unequal texts, integers, booleans, Guids and doubles (neither NaN), and a null and a value, are not,
    /// unless a value converter could map them together. Any other pair is compared by its JSON.
    /// </summary>
    public bool SameValue(object? a, object? b)
    {
        bool? equal = (a, b) switch
        {
            (string x, string y) => string.Equals(x, y, StringComparison.Ordinal),
            (int x, int y) => x == y,
            (long x, long y) => x == y,
            (bool x, bool y) => x == y,
            (Guid x, Guid y) => x == y,
            (double x, double y) when BitConverter.DoubleToInt64Bits(x) == BitConverter.DoubleToInt64Bits(y) => true,
            (double x, double y) when x != y && !double.IsNaN(x) && !double.IsNaN(y) => false, // 0 and -0 are equal, so by their JSON
            (null, null) => true,
            (null, _) or (_, null) => false,
            (DateTime x, DateTime y) when x.Ticks == y.Ticks && x.Kind == y.Kind => true,
            _ => null,
        };
        return equal switch
        {
            true => true,
            false when _userConverter is null => false,
            _ => ToJson(a) == ToJson(b),
        };
    }

    /// <summary>The canonical JSON of a model value, in the form the database stores it.</summary>
    /// <exception cref="FormatException">The database cannot store the value.</exception>
    public string ToJson(object? modelValue) => CanonicalJson.Encode(JsonValue(modelValue), _jsonType);

    /// <summary>Appends the canonical JSON of a model value (<see cref="ToJson"/>).</summary>
    /// <exception cref="FormatException">The database cannot store the value.</exception>
    public StringBuilder AppendJson(StringBuilder sb, object? modelValue) => CanonicalJson.Append(sb, JsonValue(modelValue), _jsonType);

    /// <summary>The canonical JSON of a one-column key of this column's model value: the value's text in brackets (<see cref="ToJson"/>).</summary>
    /// <exception cref="FormatException">The database cannot store the value.</exception>
    public string ToKeyJson(object? modelValue) => CanonicalJson.EncodeKey(JsonValue(modelValue), _jsonType);

    /// <summary>What the JSON of a model value encodes: the value the app's converter gives, as the database stores it.</summary>
    private object? JsonValue(object? modelValue)
    {
        var value = _userConverter is null || modelValue is null ? modelValue : _userConverter.ConvertToProvider(modelValue);
        return value is null ? null : Stored(value);
    }

    /// <summary>The model value of canonical JSON, in the form the database stores it.</summary>
    /// <exception cref="FormatException">
    /// The JSON is not a value of this column's type, or the database cannot store it (a key column: cannot store it exactly).
    /// </exception>
    public object? FromJson(string json) => Parse(json, out _);

    /// <summary>
    /// The canonical JSON of a value given as any JSON of the same meaning, in the form the database stores it: what
    /// <c>ToJson(FromJson(json))</c> gives, without encoding again when the text is already that form.
    /// </summary>
    /// <exception cref="FormatException">As <see cref="FromJson"/>.</exception>
    public string Canonicalize(string json) => Canonicalize(json, out _);

    /// <summary>As <see cref="Canonicalize(string)"/>, also giving the model value the text holds.</summary>
    public string Canonicalize(string json, out object? value)
    {
        value = Parse(json, out var canonical);
        return canonical ? json : ToJson(value);
    }

    private object? Parse(string json, out bool canonical)
    {
        var value = CanonicalJson.Decode(json, _jsonType, out canonical);
        if (value is null)
        {
            return IsNullable ? null : throw new FormatException($"null is not allowed in the required column '{Name}'.");
        }

        var stored = Stored(value);
        if (IsKey && !ReferenceEquals(stored, value) && CanonicalJson.Encode(stored, _jsonType) != CanonicalJson.Encode(value, _jsonType))
        {
            throw new FormatException($"{_valueStorage!.DatabaseName} cannot store {CanonicalJson.Encode(value, _jsonType)} exactly (it would store " +
                                      $"{CanonicalJson.Encode(stored, _jsonType)}), and key values must be stored exactly.");
        }

        // Already canonical only when neither the database nor an app's converter changes the value.
        canonical &= _userConverter is null && ReferenceEquals(stored, value);
        return _userConverter is null ? stored : _userConverter.ConvertFromProvider(stored);
    }

    /// <summary>The model value at an ordinal of a reader.</summary>
    public object? Read(DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : _read(reader, ordinal);

    /// <summary>A parameter holding a model value, converted as EF would.</summary>
    public DbParameter CreateParameter(DbCommand command, string name, object? modelValue)
        => Mapping.CreateParameter(command, name, modelValue, nullable: true);

    /// <summary>Gives a parameter made by <see cref="CreateParameter"/> another model value, converted as EF would.</summary>
    public void SetParameterValue(DbParameter parameter, object? modelValue) => parameter.Value = ProviderValue(modelValue) ?? DBNull.Value;

    /// <summary>A model value as the provider writes it, converted as EF would; null for null.</summary>
    private object? ProviderValue(object? modelValue) => modelValue switch
    {
        null => null,
        _ when Mapping.Converter is { } converter => converter.ConvertToProvider(modelValue),
        Enum e => Convert.ChangeType(e, Enum.GetUnderlyingType(e.GetType()), System.Globalization.CultureInfo.InvariantCulture),
        _ => modelValue,
    };

    /// <summary>
    /// A parameter holding this column's values of many rows as one array, of the provider's array type for the column's
    /// store type (PostgreSQL's <c>uuid[]</c> for a <c>uuid</c> column), for one statement over them all (an insert over
    /// <c>unnest</c>, a key list with <c>= ANY</c>); null where the provider has no such type for the column, or the
    /// column's values are arrays or enums themselves.
    /// </summary>
    /// <param name="command">The command the parameter is for.</param>
    /// <param name="name">The parameter's name.</param>
    /// <param name="mappings">The provider's type mappings, which give the array's.</param>
    /// <param name="values">The rows' values of this column, as model values.</param>
    public DbParameter? CreateArrayParameter(DbCommand command, string name, IRelationalTypeMappingSource mappings, IEnumerable<object?> values)
    {
        if (ArrayMapping(mappings) is not { } mapping)
        {
            return null;
        }

        var items = values.Select(ProviderValue).ToList();
        var array = Array.CreateInstance(mapping.ClrType.GetElementType()!, items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            array.SetValue(items[i], i);
        }

        return mapping.CreateParameter(command, name, array, nullable: false);
    }

    private RelationalTypeMapping? ArrayMapping(IRelationalTypeMappingSource mappings)
        => (_arrayMapping ??= new StrongBox<RelationalTypeMapping?>(FindArrayMapping(mappings))).Value;

    /// <summary>The provider's mapping of an array of the column's stored values, with nulls; null where it has none.</summary>
    private RelationalTypeMapping? FindArrayMapping(IRelationalTypeMappingSource mappings)
    {
        var provider = Mapping.Converter?.ProviderClrType ?? Mapping.ClrType;
        provider = Nullable.GetUnderlyingType(provider) ?? provider;
        if (provider.IsEnum || (provider.IsArray && provider != typeof(byte[])) || Mapping.StoreType.EndsWith(']'))
        {
            return null;
        }

        var arrayType = (provider.IsValueType ? typeof(Nullable<>).MakeGenericType(provider) : provider).MakeArrayType();
        return mappings.FindMapping(arrayType, Mapping.StoreType + "[]") is { Converter: null } found && found.ClrType == arrayType ? found : null;
    }

    private object Stored(object value)
    {
        try
        {
            return _valueStorage is null ? value : _valueStorage.StoredValue(Mapping, value);
        }
        catch (FormatException e)
        {
            throw new FormatException($"Column '{Name}': {e.Message}", e);
        }
    }

    private static Func<DbDataReader, int, object?> CreateReader(RelationalTypeMapping mapping, Type modelType)
    {
        // Read as the provider type with the mapping's own reader method, then convert to the model type.
        var providerType = mapping.Converter?.ProviderClrType ?? mapping.ClrType;
        var reader = Expression.Parameter(typeof(DbDataReader), "reader");
        var ordinal = Expression.Parameter(typeof(int), "ordinal");
        var method = mapping.GetDataReaderMethod();
        Expression value = Expression.Call(reader, method, ordinal);
        if (value.Type != providerType)
        {
            value = Expression.Convert(value, providerType);
        }

        value = mapping.CustomizeDataReaderExpression(value);
        if (value.Type != providerType)
        {
            value = Expression.Convert(value, providerType);
        }

        Expression result = Expression.Convert(value, typeof(object));
        var lambda = Expression.Lambda<Func<DbDataReader, int, object?>>(result, reader, ordinal).Compile();
        var converter = mapping.Converter;
        return converter is null
            ? lambda
            : (r, i) => lambda(r, i) is { } provider ? converter.ConvertFromProvider(provider) : null;
    }
}
