using CsCheck;
using Liblim.EfCore.Crdt;

namespace Liblim.EfCore.Tests.Crdt;

public class HybridClockTests
{
    /// <summary>Wall clocks around today, give or take a few years, in milliseconds.</summary>
    private static readonly Gen<long> Wall = Gen.Long[1_600_000_000_000L, 1_900_000_000_000L];

    /// <summary>Last ticks: near the wall clocks' range (so both cases happen), or anywhere a 47-bit wall clock can reach.</summary>
    private static readonly Gen<long> Last = Gen.Frequency(
        (3, (IGen<long>)Wall.Select(ms => HybridTimestamp.Pack(ms, 0))),
        (1, Wall.Select(ms => HybridTimestamp.Pack(ms, 65535))),
        (1, Gen.Long[0, long.MaxValue - 1]));

    [Fact]
    public void Next_is_strictly_greater_than_last_for_any_wall_clock()
    {
        Gen.Select(Last, Gen.Frequency((3, (IGen<long>)Wall), (1, Gen.Long[0, 1L << 46]))).Sample((last, wall) =>
            HybridClock.Next(last, wall) > last, iter: 1000);
    }

    [Fact]
    public void Next_never_goes_back_when_the_wall_clock_is_far_behind()
    {
        var last = HybridTimestamp.Pack(1_800_000_000_000L, 7);
        Assert.Equal(last + 1, HybridClock.Next(last, 0));
        Assert.Equal(last + 1, HybridClock.Next(last, 1_700_000_000_000L));
    }

    [Fact]
    public void Next_is_last_plus_one_when_the_wall_clock_is_not_ahead()
    {
        Gen.Select(Wall, Gen.Int[0, 65534], Gen.Long[0, 10_000]).Sample((ms, counter, behind) =>
        {
            var last = HybridTimestamp.Pack(ms, counter);
            Assert.Equal(last + 1, HybridClock.Next(last, ms - behind));
        }, iter: 500);
    }

    [Fact]
    public void Next_is_the_wall_clock_with_a_zero_counter_when_the_wall_clock_is_ahead()
    {
        Gen.Select(Wall, Gen.Long[1, 10_000], Gen.Int[0, 65535]).Sample((ms, ahead, counter) =>
        {
            var last = HybridTimestamp.Pack(ms, counter);
            var next = HybridClock.Next(last, ms + ahead);
            Assert.Equal(HybridTimestamp.Pack(ms + ahead, 0), next);
            Assert.Equal(0, new HybridTimestamp(next, Guid.Empty).Counter);
        }, iter: 500);
    }

    [Fact]
    public void Next_at_the_largest_ticks_overflows_rather_than_wrapping()
    {
        Assert.Throws<OverflowException>(() => HybridClock.Next(long.MaxValue, 0));
    }

    [Fact]
    public void Receive_is_at_least_both_and_one_of_them()
    {
        Gen.Select(Last, Last).Sample((last, remote) =>
        {
            var received = HybridClock.Receive(last, remote);
            Assert.True(received >= last);
            Assert.True(received >= remote);
            Assert.True(received == last || received == remote);
        }, iter: 1000);
    }

    [Fact]
    public void Next_after_Receive_orders_after_the_remote_reading()
    {
        Gen.Select(Last, Last, Wall).Sample((last, remote, wall) =>
            HybridClock.Next(HybridClock.Receive(last, remote), wall) > remote, iter: 1000);
    }

    [Fact]
    public void Any_sequence_of_Next_and_Receive_issues_strictly_increasing_readings()
    {
        // An operation is a local write at a wall clock (jumping back and forth) or the receipt of a remote reading.
        var operation = Gen.Select(Gen.Bool, Wall, Wall.Select(ms => HybridTimestamp.Pack(ms, 3)));
        Gen.Select(Wall.Select(ms => HybridTimestamp.Pack(ms, 0)), operation.Array[1, 60]).Sample((start, ops) =>
        {
            var clock = start;
            var lastIssued = long.MinValue;
            var maxSeen = start;
            foreach (var (isReceive, wall, remote) in ops)
            {
                if (isReceive)
                {
                    clock = HybridClock.Receive(clock, remote);
                    maxSeen = Math.Max(maxSeen, remote);
                }
                else
                {
                    var next = HybridClock.Next(clock, wall);
                    Assert.True(next > lastIssued, "a local reading went back");
                    Assert.True(next > maxSeen, "a local reading did not order after everything seen");
                    lastIssued = next;
                    maxSeen = next;
                    clock = next;
                }
            }
        }, iter: 300);
    }
}
