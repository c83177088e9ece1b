namespace Liblim.EfCore.FunctionalTests.Infrastructure;

/// <summary>
/// A wall clock that moves a millisecond forward at every reading, from the real time it was made at. Replicas that
/// share it never read the same millisecond twice, so no two writes of a test can share a timestamp, even across a
/// database put back to an older copy (which takes its clock back with it). <see cref="Advance"/> lets weeks pass at once
/// for every replica that shares it.
/// </summary>
public sealed class TickingTime : TimeProvider
{
    private readonly DateTimeOffset _start = DateTimeOffset.UtcNow;
    private long _readings;
    private long _skippedTicks;

    public override DateTimeOffset GetUtcNow() => _start.AddTicks(Interlocked.Read(ref _skippedTicks)).AddMilliseconds(Interlocked.Increment(ref _readings));

    /// <summary>Moves the clock forward by <paramref name="time"/>, as if that much time had passed.</summary>
    public void Advance(TimeSpan time) => Interlocked.Add(ref _skippedTicks, time.Ticks);
}
