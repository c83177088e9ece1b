using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Liblim.EfCore.FunctionalTests.Values;

public enum Mood : short
{
    Sad = -1,
    Calm = 0,
    Happy = 7,
}

/// <summary>An app type stored through a value converter (as a decimal).</summary>
public readonly record struct Celsius(decimal Degrees);

/// <summary>One property of every type Liblim replicates, and its nullable form.</summary>
public class ValueRow
{
    public Guid Id { get; set; }
    public string Text { get; set; } = "";
    public string? NullableText { get; set; }
    public bool Flag { get; set; }
    public bool? NullableFlag { get; set; }
    public sbyte Int8 { get; set; }
    public sbyte? NullableInt8 { get; set; }
    public byte UInt8 { get; set; }
    public byte? NullableUInt8 { get; set; }
    public short Int16 { get; set; }
    public short? NullableInt16 { get; set; }
    public ushort UInt16 { get; set; }
    public ushort? NullableUInt16 { get; set; }
    public int Int32 { get; set; }
    public int? NullableInt32 { get; set; }
    public uint UInt32 { get; set; }
    public uint? NullableUInt32 { get; set; }
    public long Int64 { get; set; }
    public long? NullableInt64 { get; set; }
    public ulong UInt64 { get; set; }
    public ulong? NullableUInt64 { get; set; }
    public decimal Money { get; set; }
    public decimal? NullableMoney { get; set; }
    public double Real { get; set; }
    public double? NullableReal { get; set; }
    public float Single { get; set; }
    public float? NullableSingle { get; set; }
    public char Letter { get; set; } = 'a';
    public char? NullableLetter { get; set; }
    public DateTime When { get; set; }
    public DateTime? NullableWhen { get; set; }
    public DateTimeOffset Moment { get; set; }
    public DateTimeOffset? NullableMoment { get; set; }
    public DateOnly Day { get; set; }
    public DateOnly? NullableDay { get; set; }
    public TimeOnly Time { get; set; }
    public TimeOnly? NullableTime { get; set; }
    public TimeSpan Duration { get; set; }
    public TimeSpan? NullableDuration { get; set; }
    public byte[] Bytes { get; set; } = [];
    public byte[]? NullableBytes { get; set; }
    public Mood Mood { get; set; }
    public Mood? NullableMood { get; set; }
    public Mood MoodAsText { get; set; }
    public Celsius Temperature { get; set; }
    public Celsius? NullableTemperature { get; set; }
}

/// <summary>A row keyed by values other than a Guid: text and a time.</summary>
public class Reading
{
    public string Sensor { get; set; } = "";
    public DateTime At { get; set; }
    public double Value { get; set; }
}

public class ValueDb(DbContextOptions<ValueDb> options) : DbContext(options)
{
    public DbSet<ValueRow> Rows => Set<ValueRow>();
    public DbSet<Reading> Readings => Set<Reading>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var row = modelBuilder.Entity<ValueRow>();
        row.IsReplicated();
        row.Property(r => r.MoodAsText).HasConversion<string>();
        var celsius = new ValueConverter<Celsius, decimal>(c => c.Degrees, d => new Celsius(d));
        row.Property(r => r.Temperature).HasConversion(celsius);
        row.Property(r => r.NullableTemperature).HasConversion(celsius);
        modelBuilder.Entity<Reading>().IsReplicated().HasKey(r => new { r.Sensor, r.At });
    }
}
