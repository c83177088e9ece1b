namespace Liblim.EfCore.FunctionalTests.Infrastructure;

/// <summary>A wall clock that reads a set time, to test clock skew.</summary>
public sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
