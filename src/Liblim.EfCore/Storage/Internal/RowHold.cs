using System.Text;
using System.Text.Json;
using Liblim.EfCore.Values;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>What the <c>held</c> column of a metadata row says about a live row.</summary>
internal enum HoldKind
{
    /// <summary>Held back: a row it references (<see cref="RowHold.Table"/>, <see cref="RowHold.Key"/>) has never arrived.</summary>
    MissingParent,

    /// <summary>Held back: a row it references is deleted.</summary>
    DeletedParent,

    /// <summary>Held back: a row it references exists but is itself held back.</summary>
    ParentHeldBack,

    /// <summary>Held back: another row keeps its value of a unique index.</summary>
    UniqueConflict,

    /// <summary>Shown, with the columns of a SetNull reference null while the referenced row is not shown.</summary>
    Projected,

    /// <summary>Kept, not shown: its table is in a newer model than this database's; shown once a migration adds the table.</summary>
    NotInModel,
}

/// <summary>
/// The <c>held</c> marker of a live row that is not shown as replicated: why, and the related row whose change may
/// change that (the missing, deleted or held parent, or the row keeping the unique value). Stored as a short JSON
/// object, for example <c>{"reason":"UniqueConflict","table":"Users","key":"[7]","index":"IX_Users_Name","eligible":true}</c>.
/// </summary>
/// <param name="Kind">Why.</param>
/// <param name="Table">The related row's table.</param>
/// <param name="Key">The related row's key.</param>
/// <param name="Index">For <see cref="HoldKind.UniqueConflict"/>: the unique index.</param>
/// <param name="Eligible">
/// Whether every row the held row references, directly or not, is alive: such a row competes for its unique values even
/// while held back. False for a projected row (it is shown, not held).
/// </param>
internal sealed record RowHold(HoldKind Kind, string Table, string Key, string? Index = null, bool Eligible = false)
{
    /// <summary>The hold of a live row of a table this database's model does not have: it awaits a model that has the table.</summary>
    public static RowHold NotInModel(string table) => new(HoldKind.NotInModel, table, "");

    /// <summary>Whether the row is shown (with projected columns) rather than held back.</summary>
    public bool IsShown => Kind == HoldKind.Projected;

    /// <summary>The related row's id, stored in the indexed <c>awaiting</c> column.</summary>
    public string Awaiting => AwaitingId(Table, Key);

    /// <summary>The value of the <c>awaiting</c> column that names a row.</summary>
    public static string AwaitingId(string table, string key) => ObjectId.Encode(table, key);

    /// <summary>
    /// The value of the <c>awaiting</c> column of a row that keeps what a newer model wrote of it (columns its table lacks
    /// here): the table itself, as a row id without a key, which names no row.
    /// </summary>
    public static string AwaitingModel(string table) => ObjectId.Encode(table, "");

    public string ToJson()
    {
        var sb = new StringBuilder("{\"reason\":").Append(CanonicalJson.Quote(Kind.ToString()))
            .Append(",\"table\":").Append(CanonicalJson.Quote(Table))
            .Append(",\"key\":").Append(CanonicalJson.Quote(Key));
        if (Index is not null)
        {
            sb.Append(",\"index\":").Append(CanonicalJson.Quote(Index));
        }

        return sb.Append(",\"eligible\":").Append(Eligible ? "true" : "false").Append('}').ToString();
    }

    /// <exception cref="FormatException">The text is not a hold marker.</exception>
    public static RowHold Parse(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            return new RowHold(
                Enum.Parse<HoldKind>(root.GetProperty("reason").GetString()!),
                root.GetProperty("table").GetString()!,
                root.GetProperty("key").GetString()!,
                root.TryGetProperty("index", out var index) ? index.GetString() : null,
                root.TryGetProperty("eligible", out var eligible) && eligible.GetBoolean());
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or ArgumentException or InvalidOperationException)
        {
            throw new FormatException($"'{json}' is not a Liblim hold marker.", e);
        }
    }
}
