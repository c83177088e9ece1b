using Microsoft.EntityFrameworkCore.Migrations;

namespace Liblim.EfCore.Metadata.Internal;

/// <summary>
/// A foreign key between two replicated tables, as the database declares it. It either <em>holds</em> its
/// dependent (Cascade, Restrict, NoAction: a row is shown only while the row it references is shown) or it is
/// <em>projected</em> (SetNull, ClientSetNull on nullable columns: while the referenced row is not shown, the
/// dependent is shown with these columns null, and its replicated values keep the reference).
/// </summary>
internal sealed class ReplicatedForeignKey
{
    public ReplicatedForeignKey(string name, ReplicatedTable dependent, ReplicatedTable principal,
        IReadOnlyList<ReplicatedColumn> columns, ReferentialAction onDelete, bool holdsDependent)
    {
        Name = name;
        Dependent = dependent;
        Principal = principal;
        Columns = columns;
        OnDelete = onDelete;
        HoldsDependent = holdsDependent;
    }

    /// <summary>The constraint's name.</summary>
    public string Name { get; }

    /// <summary>The table whose rows hold the reference.</summary>
    public ReplicatedTable Dependent { get; }

    /// <summary>The referenced table (always by its primary key).</summary>
    public ReplicatedTable Principal { get; }

    /// <summary>The dependent's columns, in the order of the principal's key columns.</summary>
    public IReadOnlyList<ReplicatedColumn> Columns { get; }

    /// <summary>What the database does to dependent rows when a referenced row is deleted.</summary>
    public ReferentialAction OnDelete { get; }

    /// <summary>Whether a dependent row is held back while its referenced row is not shown (else its columns are shown null).</summary>
    public bool HoldsDependent { get; }

    /// <summary>Its position among the dependent table's foreign keys (ordered by name): the order in which holds are reported.</summary>
    public int Ordinal { get; internal set; }

    /// <summary>The key text of the row that values (canonical JSON by column, key columns included) reference; null when a column is null.</summary>
    public string? PrincipalKey(Func<ReplicatedColumn, string?> json)
    {
        var values = new object?[Columns.Count];
        for (var i = 0; i < values.Length; i++)
        {
            var text = json(Columns[i]);
            if (text is null or "null")
            {
                return null;
            }

            values[i] = Columns[i].FromJson(text);
        }

        return Principal.EncodeKey(values);
    }

    /// <summary>The key text of the row that a data row (model values of all columns, as the table store reads them) references; null when a column is null.</summary>
    public string? PrincipalKey(object?[] row)
    {
        var values = new object?[Columns.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = row[Columns[i].Ordinal];
            if (values[i] is null)
            {
                return null;
            }
        }

        return Principal.EncodeKey(values);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Name} ({Dependent} -> {Principal})";
}
