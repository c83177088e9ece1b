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

    /// <summary>One register's clocks in text form.</summary>
    public readonly record struct Register(string Name, string Clock, string? Prior);

    /// <summary>The column clocks object of registers around a base clock; null when every register is at the base clock without a prior.</summary>
    public static string? Write(string baseClock, IReadOnlyList<Register> registers)
    {
        var basePrior = MostCommonPriorAt(baseClock, registers);
        List<KeyValuePair<string, string>>? members = basePrior is null ? null : [KeyValuePair.Create(BasePrior, basePrior)];
        foreach (var (name, clock, prior) in registers)
        {
            if (clock == baseClock && prior == basePrior)
            {
                continue;
            }

            (members ??= []).Add(KeyValuePair.Create(name, Member(clock, prior, listedAtBase: clock == baseClock)));
        }

        return members is null ? null : ColumnClocksJson.Write(members);
    }

    /// <summary>
    /// The listed registers' clocks by column name, and the base prior, of a column clocks object (null: none listed).
    /// </summary>
    /// <exception cref="FormatException">The object is malformed.</exception>
    public static (Dictionary<string, (string Clock, string? Prior)> Listed, string? BasePrior) Read(string? columnClocks)
    {
        var listed = new Dictionary<string, (string, string?)>(StringComparer.Ordinal);
        string? basePrior = null;
        foreach (var (name, value) in columnClocks is null ? [] : ColumnClocksJson.Read(columnClocks))
        {
            if (name == BasePrior)
            {
                basePrior = value;
            }
            else
            {
                listed[name] = Split(value);
            }
        }

        return (listed, basePrior);
    }

    /// <summary>A member's value: a register's clock, and its prior after <c>/</c>.</summary>
    public static string Member(string clock, string? prior, bool listedAtBase)
        => prior is not null ? string.Concat(clock, "/", prior) : listedAtBase ? clock + PriorSeparator : clock;

    /// <summary>A member's clock and prior (null: none).</summary>
    public static (string Clock, string? Prior) Split(string value)
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

    /// <summary>The prior most of the registers at the base clock have (the first among equals, in column order); null when most have none.</summary>
    private static string? MostCommonPriorAt(string baseClock, IReadOnlyList<Register> registers)
    {
        string? best = null;
        var bestCount = 0;
        var none = 0;
        foreach (var register in registers)
        {
            if (register.Clock != baseClock)
            {
                continue;
            }

            if (register.Prior is null)
            {
                none++;
                continue;
            }

            var count = 0;
            foreach (var other in registers)
            {
                count += other.Clock == baseClock && other.Prior == register.Prior ? 1 : 0;
            }

            if (count > bestCount)
            {
                (best, bestCount) = (register.Prior, count);
            }
        }

        return bestCount > none ? best : null;
    }
}
