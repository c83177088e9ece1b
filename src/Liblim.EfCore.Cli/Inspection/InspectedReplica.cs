using System.Data.Common;
using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Storage.Internal;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Liblim.EfCore.Cli.Inspection;

/// <summary>
/// A replica opened for reading: its read-only connection, the schema its catalog gives, and a context over that schema
/// through which the library's own readers run (<see cref="ReadAsync{T}"/>).
/// </summary>
internal sealed class InspectedReplica : IAsyncDisposable
{
    private InspectedReplica(ReplicaCatalog catalog, InspectionContext context)
    {
        Catalog = catalog;
        Context = context;
    }

    public ReplicaCatalog Catalog { get; }

    public InspectionContext Context { get; }

    public DatabaseAddress Address => Catalog.Address;

    /// <summary>Opens a replica; <paramref name="guidKeys"/> reads text key columns that hold GUIDs as GUIDs (see <see cref="ReplicaCatalog.FindGuidColumnsAsync"/>).</summary>
    /// <exception cref="CliException">The database cannot be opened, or is not a Liblim database.</exception>
    public static async Task<InspectedReplica> OpenAsync(DatabaseAddress address, bool guidKeys, CancellationToken ct)
    {
        var catalog = await ReplicaCatalog.OpenAsync(address, ct).ConfigureAwait(false);
        try
        {
            var schema = await catalog.ReadSchemaAsync(ct).ConfigureAwait(false);
            return Over(catalog, guidKeys ? schema.WithGuids((await catalog.FindGuidColumnsAsync(schema, keysOnly: true, ct).ConfigureAwait(false)).Guids) : schema);
        }
        catch (DbException e)
        {
            await catalog.DisposeAsync().ConfigureAwait(false);
            throw new CliException($"cannot read the catalog of {address.Display}: {e.Message}", e);
        }
        catch
        {
            await catalog.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>A replica over an open catalog and the schema to read it by; disposing it closes the catalog's connection.</summary>
    public static InspectedReplica Over(ReplicaCatalog catalog, InspectedSchema schema) => new(catalog, InspectionContext.Create(catalog, schema));

    /// <summary>
    /// Runs the library's readers in one read-only snapshot of the database (<see cref="OwnedTransaction.BeginSnapshotAsync"/>),
    /// with what they fail for said in one line.
    /// </summary>
    /// <exception cref="CliException">The database lacks what this version of Liblim reads, its metadata is damaged, or it failed.</exception>
    public async Task<T> ReadAsync<T>(Func<StoreSession, Task<T>> read, CancellationToken ct)
    {
        try
        {
            var transaction = await OwnedTransaction.BeginSnapshotAsync(Context, async: true, ct).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                return await read(Context.GetService<StoreSession>()).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (Failure(e) is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>
    /// The replicated table of that name (<c>schema.table</c>, or <c>table</c> in the default schema); else the one table
    /// of that name in whatever schema, or whatever case.
    /// </summary>
    /// <exception cref="CliException">The database has no such replicated table; the message lists those it has.</exception>
    public ReplicatedTable Table(StoreSession session, string name)
        => session.Model.FindTable(name)
           ?? One(session.Model.Tables.Where(t => t.TableName == name))
           ?? One(session.Model.Tables.Where(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase) || string.Equals(t.TableName, name, StringComparison.OrdinalIgnoreCase)))
           ?? throw new CliException($"{Address.Display} has no replicated table '{name}'; it has: " +
                                     $"{(session.Model.Tables.Any() ? string.Join(", ", session.Model.Tables.Select(t => t.Name).Order(StringComparer.Ordinal)) : "none")}");

    private static ReplicatedTable? One(IEnumerable<ReplicatedTable> tables) => tables.Take(2).ToList() is [var one] ? one : null;

    /// <summary>What a failure of the library's readers means to the user, in one line; null for a failure that is not theirs to report.</summary>
    public CliException? Failure(Exception e) => e switch
    {
        CliException => null,
        DatabaseNotSetUpException notSetUp => new CliException(
            $"{Address.Display} lacks what this version of Liblim reads ({notSetUp.Missing}): migrate it with the app's migrations first", e),
        ReplicationModelException model => new CliException($"cannot read the replicated tables of {Address.Display}: {model.Message}", e),
        // Damaged metadata (the library's message says so), or a value that does not read as its column's type.
        FormatException or InvalidCastException or OverflowException => new CliException($"cannot read {Address.Display}: {e.Message}", e),
        DbException db => new CliException($"{Address.Display}: {db.Message.Split('\n', 2)[0].Trim()}", e),
        _ => null,
    };

    public async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync().ConfigureAwait(false);
        await Catalog.DisposeAsync().ConfigureAwait(false);
    }
}
