namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// A row's register clocks as a metadata row keeps them, around its base clock: the column clocks object
/// (<see cref="ColumnClocksJson"/>) lists each register whose clock is not the base clock, or whose prior (the clock of
/// the register its write replaced, <see cref="Crdt.ColumnValue.Prior"/>) is not the base prior; a member's value is the
/// register's clock, then <c>/</c> and its prior when it has one (<c>clock/</c> for none, where the base prior is not
/// none). The member with the empty name, which no column has, is the base prior: the prior of every register at the
/// base clock not listed (none when there is no such member). The one place that decides what is listed.
/// </summary>
internal static class RegisterClocks
{
    /// <summary>The name of the member that holds the base prior.</summary>
    public const string BasePrior = "";

    private const char PriorSeparator = '/';

    /// <summary>
    /// What a row lists of registers around its base clock: every register not at the base clock, or whose prior is not
    /// the base prior (the prior most registers at the base clock have); null when every register is at the base clock
    /// without a prior.
    /// </summary>
    /// <param name="baseClock">The row's base clock.</param>
    /// <param name="registers">Each register's column, clock and prior, in column order.</param>
    public static RegisterListing? List(HybridTimestamp baseClock, ReadOnlySpan<RegisterListing.Register> registers)
    {
        var basePrior = MostCommonPriorAt(baseClock, registers);
        var count = 0;
        foreach (var register in registers)
        {
            count += IsListed(register, baseClock, basePrior) ? 1 : 0;
        }

        if (count == 0 && basePrior is null)
        {
            return null;
        }

        var listed = new RegisterListing.Register[count];
        count = 0;
        foreach (var register in registers)
        {
            if (IsListed(register, baseClock, basePrior))
            {
                listed[count++] = register;
            }
        }

        return new RegisterListing(basePrior, listed);
    }

    /// <summary>The listing of a row: made or read typed, else parsed from its column clocks object; null when it lists nothing.</summary>
    /// <exception cref="FormatException">The column clocks object is malformed.</exception>
    public static RegisterListing? Of(ShadowRow row) => row.Registers ?? (row.ColumnClocks is { } text ? Parse(text) : null);

    /// <summary>The column clocks object of a listing around <paramref name="baseClock"/>: the base prior first, then each listed register.</summary>
    public static string Text(RegisterListing listing, HybridTimestamp baseClock)
    {
        var members = new List<KeyValuePair<string, string>>(listing.Listed.Length + 1);
        if (listing.BasePrior is { } basePrior)
        {
            members.Add(KeyValuePair.Create(BasePrior, basePrior.ToString()));
        }

        foreach (var (name, clock, prior) in listing.Listed)
        {
            members.Add(KeyValuePair.Create(name, Member(clock.ToString(), prior?.ToString(), listedAtBase: clock == baseClock)));
        }

        return ColumnClocksJson.Write(members);
    }

    /// <summary>The listing a column clocks object holds.</summary>
    /// <exception cref="FormatException">The object is malformed.</exception>
    public static RegisterListing Parse(string columnClocks)
    {
        HybridTimestamp? basePrior = null;
        var members = ColumnClocksJson.Read(columnClocks);
        var listed = new List<RegisterListing.Register>(members.Count);
        foreach (var (name, value) in members)
        {
            if (name == BasePrior)
            {
                basePrior = HybridTimestamp.Parse(value);
                continue;
            }

            var slash = value.IndexOf(PriorSeparator);
            var clock = HybridTimestamp.Parse(slash < 0 ? value : value.AsSpan(0, slash));
            listed.Add(new(name, clock, slash < 0 || slash == value.Length - 1 ? null : HybridTimestamp.Parse(value.AsSpan(slash + 1))));
        }

        return new RegisterListing(basePrior, [.. listed]);
    }

    /// <summary>A member's value: a register's clock, and its prior after <c>/</c>.</summary>
    public static string Member(string clock, string? prior, bool listedAtBase)
        => prior is not null ? string.Concat(clock, "/", prior) : listedAtBase ? clock + PriorSeparator : clock;

    /// <summary>A member's clock and prior (null: none).</summary>
    private static (string Clock, string? Prior) Split(string value)
    {
        var slash = value.IndexOf(PriorSeparator);
        return slash < 0 ? (value, null) : (value[..slash], slash == value.Length - 1 ? null : value[(slash + 1)..]);
    }

    /// <summary>The timestamps in a member's value: its clock, and its prior when it has one.</summary>
    public static IEnumerable<string> TimestampsOf(string value)
    {
        var (clock, prior) = Split(value);
        yield return clock;
        if (prior is not null)
        {
            yield return prior;
        }
    }

    /// <summary>A member's value with each of its timestamps mapped (stored and full forms alike).</summary>
    public static string Map(string name, string value, Func<string, string> map)
    {
        if (name == BasePrior)
        {
            return map(value);
        }

        var slash = value.IndexOf(PriorSeparator);
        return slash < 0 ? map(value)
            : slash == value.Length - 1 ? map(value[..slash]) + PriorSeparator
            : string.Concat(map(value[..slash]), "/", map(value[(slash + 1)..]));
    }

    private static bool IsListed(RegisterListing.Register register, HybridTimestamp baseClock, HybridTimestamp? basePrior)
        => register.Clock != baseClock || register.Prior != basePrior;

    /// <summary>The prior most of the registers at the base clock have (the first among equals, in column order); null when most have none.</summary>
    private static HybridTimestamp? MostCommonPriorAt(HybridTimestamp baseClock, ReadOnlySpan<RegisterListing.Register> registers)
    {
        HybridTimestamp? best = null;
        var bestCount = 0;
        var none = 0;
        for (var i = 0; i < registers.Length; i++)
        {
            if (registers[i].Clock != baseClock)
            {
                continue;
            }

            if (registers[i].Prior is not { } prior)
            {
                none++;
                continue;
            }

            var count = 0;
            for (var j = i; j < registers.Length; j++)
            {
                count += registers[j].Clock == baseClock && registers[j].Prior == prior ? 1 : 0;
            }

            if (count > bestCount)
            {
                (best, bestCount) = (prior, count);
            }
        }

        return bestCount > none ? best : null;
    }
}
