namespace Liblim.EfCore.Benchmarks.Model;

/// <summary>
/// The benchmarked row: a Guid key assigned by the app and 10 data columns of the usual kinds (four texts, two
/// ints, a long, a double, a bool, a UTC time), about 250 bytes of data per row as SQLite stores it.
/// </summary>
public sealed class Ticket
{
    public Guid Id { get; set; }

    public string Title { get; set; } = "";

    public string Description { get; set; } = "";

    public string Status { get; set; } = "";

    public string Assignee { get; set; } = "";

    public int Priority { get; set; }

    public int Points { get; set; }

    public long Revision { get; set; }

    public double Estimate { get; set; }

    public bool IsOpen { get; set; }

    public DateTime CreatedUtc { get; set; }
}
