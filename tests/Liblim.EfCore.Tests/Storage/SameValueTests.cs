using CsCheck;
using Liblim.EfCore.Metadata.Internal;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.Tests.Storage;

/// <summary>
/// Whether a merge changed a column of a data row is decided on the model values where their equality says it
/// (<see cref="ReplicatedColumn.SameValue"/>): it must say what comparing their canonical JSON says, for every type.
/// </summary>
public class SameValueTests
{
    private static readonly ReplicatedTable Table = Build();

    [Fact]
    public void Two_values_are_the_same_exactly_when_their_canonical_json_is()
    {
        Check(nameof(Row.Text), Gen.String[0, 6].Null().Select(t => (object?)t));
        Check(nameof(Row.Folded), Any<object?>("a", "A", "b", null)); // a converter that maps unequal texts together
        Check(nameof(Row.Number), Gen.Int[-3, 3].Select(i => (object?)i));
        Check(nameof(Row.Long), Gen.Long[-3, 3].Select(i => (object?)i));
        Check(nameof(Row.Flag), Gen.Bool.Select(b => (object?)b));
        Check(nameof(Row.Id), Any<object?>(Guid.Empty, Guid.Parse("aaaaaaaa-0000-0000-0000-000000000001")));
        Check(nameof(Row.Estimate), Any<object?>(0.0, -0.0, 1.5, 1.5000000000000002, 1e300, double.MaxValue, double.Epsilon));
        Check(nameof(Row.Amount), Any<object?>(1m, 1.0m, 1.00m, 2m)); // equal decimals of other scales: by their JSON
        Check(nameof(Row.At), Any<object?>(
            new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Unspecified), new DateTime(2026, 1, 2), new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Local)));
    }

    /// <summary>One of the given values.</summary>
    private static Gen<T> Any<T>(params T[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    private static void Check(string property, Gen<object?> values)
    {
        var column = Table.ValueColumns.Single(c => c.Name == property);
        Gen.Select(values, values).Sample((a, b) =>
        {
            Assert.Equal(column.ToJson(a) == column.ToJson(b), column.SameValue(a, b));
            Assert.True(column.SameValue(a, a));
        });
    }

    private static ReplicatedTable Build()
    {
        using var db = new Db(new DbContextOptionsBuilder<Db>().UseSqlite("Data Source=:memory:").UseLiblim().Options);
        return ReplicationModel.For(db.Model).FindTable("Rows")!;
    }

    private sealed class Row
    {
        public int Key { get; set; }

        public string? Text { get; set; }

        public string Folded { get; set; } = "";

        public int Number { get; set; }

        public long Long { get; set; }

        public bool Flag { get; set; }

        public Guid Id { get; set; }

        public double Estimate { get; set; }

        public decimal Amount { get; set; }

        public DateTime At { get; set; }
    }

    private sealed class Db(DbContextOptions<Db> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            var row = modelBuilder.Entity<Row>().IsReplicated().ToTable("Rows");
            row.HasKey(r => r.Key);
            row.Property(r => r.Key).ValueGeneratedNever();
            row.Property(r => r.Folded).HasConversion(v => v.ToLowerInvariant(), v => v);
        }
    }
}
