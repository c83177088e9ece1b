namespace Liblim.EfCore.FunctionalTests.Infrastructure;

/// <summary>
/// Ids drawn from a test's seeded <see cref="Random"/>, so that a seed replays the same run: which row a random edit
/// picks from a list ordered by id, and how many bytes a sync costs, depend on the ids.
/// </summary>
public static class SeededIds
{
    public static Guid NextGuid(this Random random)
    {
        Span<byte> bytes = stackalloc byte[16];
        random.NextBytes(bytes);
        return new Guid(bytes);
    }
}
