namespace Liblim.EfCore.Benchmarks.Model;

/// <summary>
/// Deterministic rows: row <c>i</c> of version <c>v</c> is the same in every run and on every side of a comparison,
/// so a baseline writes exactly the values the replicated side writes.
/// </summary>
public static class TicketGenerator
{
    private static readonly string[] Statuses = ["open", "triaged", "in-progress", "review", "done"];
    private static readonly string[] Words =
        ["sync", "replica", "merge", "clock", "column", "table", "delete", "insert", "update", "peer", "batch", "feed",
         "offline", "device", "laptop", "phone", "conflict", "register", "tombstone", "retry"];

    private static readonly DateTime Epoch = new(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The key of row <paramref name="i"/>.</summary>
    public static Guid Key(int i)
    {
        Span<byte> bytes = stackalloc byte[16];
        var random = new Random(i * 7919 + 17);
        random.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // a version-4 shape, as Guid.NewGuid() gives
        return new Guid(bytes);
    }

    /// <summary>Row <paramref name="i"/> as written at <paramref name="version"/> (1 for the insert; every column differs between versions).</summary>
    public static Ticket Create(int i, int version = 1)
    {
        var random = new Random(i * 31 + version * 1_000_003);
        return new Ticket
        {
            Id = Key(i),
            Title = $"{Word(random)} {Word(random)} v{version} #{i}",
            Description = $"{Word(random)} the {Word(random)} {Word(random)} when the {Word(random)} {Word(random)}s; see #{random.Next(1, 99_999)} (v{version})",
            Status = Statuses[(i + version) % Statuses.Length],
            Assignee = $"user{random.Next(1, 500)}@example.org",
            Priority = random.Next(1, 5),
            Points = random.Next(1, 13) + version,
            Revision = version,
            Estimate = Math.Round(random.NextDouble() * 40, 2),
            IsOpen = (i + version) % 3 != 0,
            CreatedUtc = Epoch.AddSeconds(i * 37L + version * 86_400L),
        };
    }

    /// <summary>Rows [from, to) at a version.</summary>
    public static IEnumerable<Ticket> Range(int from, int to, int version = 1)
    {
        for (var i = from; i < to; i++)
        {
            yield return Create(i, version);
        }
    }

    /// <summary>Copies every data column of <paramref name="source"/> onto a tracked entity.</summary>
    public static void CopyValues(Ticket source, Ticket target)
    {
        target.Title = source.Title;
        target.Description = source.Description;
        target.Status = source.Status;
        target.Assignee = source.Assignee;
        target.Priority = source.Priority;
        target.Points = source.Points;
        target.Revision = source.Revision;
        target.Estimate = source.Estimate;
        target.IsOpen = source.IsOpen;
        target.CreatedUtc = source.CreatedUtc;
    }

    private static string Word(Random random) => Words[random.Next(Words.Length)];
}
