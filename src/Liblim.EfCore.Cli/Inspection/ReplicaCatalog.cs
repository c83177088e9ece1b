using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.Cli.Inspection;

/// <summary>
/// What differs between databases when the command reads one: how it is opened (read-only: the command never writes),
/// how its catalog lists the replicated tables and their columns, and which EF provider reads it. One class per database
/// (<see cref="SqliteCatalog"/>, <see cref="PostgresCatalog"/>).
/// </summary>
internal abstract class ReplicaCatalog : IAsyncDisposable
{
    /// <summary>The name of Liblim's state table, the mark of a Liblim database.</summary>
    protected const string StateTable = "__liblim_state";

    /// <summary>The columns a replicated table keeps a shown row's metadata in (<c>RowMetadataNames</c>).</summary>
    protected static readonly string[] MetadataColumns = [Metadata.Internal.RowMetadataNames.Seq, Metadata.Internal.RowMetadataNames.Clocks];

    protected ReplicaCatalog(DatabaseAddress address, DbConnection connection)
    {
        Address = address;
        Connection = connection;
    }

    public DatabaseAddress Address { get; }

    /// <summary>The open, read-only connection the command reads through.</summary>
    public DbConnection Connection { get; }

    public DatabaseKind Kind => Address.Kind;

    /// <summary>Opens the database read-only and checks that it holds Liblim's tables.</summary>
    /// <exception cref="CliException">There is no such file or server, it cannot be read, or it is not a Liblim database.</exception>
    public static async Task<ReplicaCatalog> OpenAsync(DatabaseAddress address, CancellationToken ct)
        => address.Kind == DatabaseKind.Sqlite
            ? await SqliteCatalog.OpenAsync(address, ct).ConfigureAwait(false)
            : await PostgresCatalog.OpenAsync(address, ct).ConfigureAwait(false);

    /// <summary>The replicated tables: every table with both row metadata columns.</summary>
    public abstract Task<InspectedSchema> ReadSchemaAsync(CancellationToken ct);

    /// <summary>
    /// The text columns whose values are all GUIDs as the database stores them, and those holding other text: where the
    /// catalog cannot say so itself (SQLite). Read as GUIDs, their canonical form is the app's, so that a GUID key's text
    /// is the same whether the row is shown or kept aside (<see cref="InspectedSchema.WithGuids"/>). <paramref name="keysOnly"/>
    /// looks at key columns alone.
    /// </summary>
    public virtual Task<GuidColumns> FindGuidColumnsAsync(InspectedSchema schema, bool keysOnly, CancellationToken ct) => Task.FromResult(GuidColumns.None);

    /// <summary>Configures EF's provider for this database on the open connection.</summary>
    public abstract void UseProvider(DbContextOptionsBuilder builder);

    public ValueTask DisposeAsync() => Connection.DisposeAsync();

    /// <summary>Runs a query and gives each row to <paramref name="row"/>.</summary>
    protected async Task ReadAsync(string sql, Action<DbDataReader> row, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        using var command = Connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }

        using var reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            row(reader);
        }
    }

    protected static CliException NotLiblim(DatabaseAddress address)
        => new($"{address.Display} is not a Liblim database: it has no {StateTable} table (a database of an app that calls UseLiblim(), created or migrated).");
}
