using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Interop;

/// <summary>A row with a column of every value type of docs/protocol.md section 5 that the Python implementation supports too.</summary>
public class Sample
{
    public Guid Id { get; set; }
    public string Text { get; set; } = "";
    public char Letter { get; set; } = 'a';
    public bool Flag { get; set; }
    public sbyte Int8 { get; set; }
    public byte UInt8 { get; set; }
    public short Int16 { get; set; }
    public ushort UInt16 { get; set; }
    public int Int32 { get; set; }
    public uint UInt32 { get; set; }
    public long Int64 { get; set; }
    public ulong UInt64 { get; set; }
    public double Real { get; set; }
    public float Single { get; set; }
    public decimal Money { get; set; }
    public Guid Other { get; set; }
    public byte[] Bytes { get; set; } = [];
    public DateTime When { get; set; }
    public DateTimeOffset Moment { get; set; }
    public DateOnly Day { get; set; }
    public TimeOnly Time { get; set; }
    public TimeSpan Duration { get; set; }
    public string? Notes { get; set; }
    public int? Count { get; set; }
}

/// <summary>A row with a composite key whose text part needs escaping in an oid (<c>:</c> <c>/</c> <c>%</c> and space).</summary>
public class Part
{
    public string Bin { get; set; } = "";
    public int Slot { get; set; }
    public string Label { get; set; } = "";
    public int Qty { get; set; }
    public string? Note { get; set; }
}

/// <summary>The model both implementations declare: the Python side gets it from <see cref="PythonModel"/>.</summary>
public class InteropDb(DbContextOptions<InteropDb> options) : DbContext(options)
{
    public DbSet<Sample> Samples => Set<Sample>();
    public DbSet<Part> Parts => Set<Part>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Sample>().ToTable("Samples").IsReplicated();
        modelBuilder.Entity<Part>().ToTable("Parts").IsReplicated().HasKey(p => new { p.Bin, p.Slot });
    }
}

/// <summary>An <see cref="InteropDb"/> on a real SQLite file in a temp folder, deleted at dispose.</summary>
public sealed class InteropReplica : IDisposable
{
    public InteropReplica(string name, Action<LiblimOptionsBuilder>? configure = null)
    {
        Name = name;
        Configure = configure;
        Path = TestFiles.NewPath($"interop-{name}");
        using var db = Open();
        db.Database.EnsureCreated();
    }

    public string Name { get; }

    public string Path { get; }

    public Action<LiblimOptionsBuilder>? Configure { get; }

    public DbContextOptions<InteropDb> Options => new DbContextOptionsBuilder<InteropDb>().UseSqlite($"Data Source={Path}").UseLiblim(Configure).Options;

    public InteropDb Open() => new(Options);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { Path, Path + "-wal", Path + "-shm" })
        {
            try { File.Delete(file); } catch (IOException) { }
        }
    }

    public override string ToString() => Name;
}

/// <summary>Contexts on an interop replica, as an app's AddDbContextFactory would make them.</summary>
public sealed class InteropFactory(InteropReplica replica) : IDbContextFactory<InteropDb>
{
    public InteropDb CreateDbContext() => replica.Open();
}
