using Microsoft.EntityFrameworkCore.Storage;

namespace Liblim.EfCore.Metadata.Internal;

/// <summary>
/// What the database a model is for does to a value it stores (the storage dialect implements it): replicated columns
/// describe their values as they read back, so that a value another database holds more precisely is never taken for a
/// change.
/// </summary>
internal interface IValueStorage
{
    /// <summary>The database's name, for messages.</summary>
    string DatabaseName { get; }

    /// <summary>The value a column reads back after <paramref name="value"/> was written to it.</summary>
    /// <param name="mapping">EF's type mapping of the column.</param>
    /// <param name="value">A non-null value of the column's canonical JSON type (after the app's value converter, if any).</param>
    /// <exception cref="FormatException">The column cannot hold the value at all; the message says why.</exception>
    object StoredValue(RelationalTypeMapping mapping, object value);
}
