using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Liblim.EfCore.Values;

/// <summary>
/// The one decision of which converter (if any) turns a property's values into a type canonical JSON
/// supports: the app's own value converter; else none when the CLR type is supported as is (so that every
/// provider writes the same JSON); else the provider's built-in converter (for example Uri to string).
/// </summary>
internal static class ValueConversion
{
    public static ValueConverter? For(IReadOnlyProperty property)
        => property.GetValueConverter()
           ?? (CanonicalJson.Supports(property.ClrType) ? null : property.FindTypeMapping()?.Converter);

    /// <summary>The type whose canonical JSON represents the property's values.</summary>
    public static Type JsonType(IReadOnlyProperty property) => For(property)?.ProviderClrType ?? property.ClrType;
}
