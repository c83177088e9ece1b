using Liblim.EfCore.Metadata.Internal;
using Liblim.EfCore.Tests.Crdt;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.Tests.Storage;

/// <summary>The replicated table "T" whose value columns are the names <see cref="RowStateGen"/> writes (a to d), from a model built without a database.</summary>
internal static class CodecTable
{
    public static readonly ReplicatedTable T = Build();

    private static ReplicatedTable Build()
    {
        using var db = new Db(new DbContextOptionsBuilder<Db>().UseSqlite("Data Source=:memory:").UseLiblim().Options);
        return ReplicationModel.For(db.Model).FindTable("T")!;
    }

    private sealed class Row
    {
        public int Id { get; set; }

        public string? A { get; set; }

        public string? B { get; set; }

        public string? C { get; set; }

        public string? D { get; set; }
    }

    private sealed class Db(DbContextOptions<Db> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            var row = modelBuilder.Entity<Row>().IsReplicated().ToTable("T");
            row.Property(r => r.Id).ValueGeneratedNever();
            foreach (var name in RowStateGen.ColumnNames)
            {
                row.Property(name.ToUpperInvariant()).HasColumnName(name);
            }
        }
    }
}
