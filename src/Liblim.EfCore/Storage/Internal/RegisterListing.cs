namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// What a metadata row lists of its registers' clocks around its base clock (<see cref="RegisterClocks"/> decides what),
/// as timestamps: the base prior (the prior of every register at the base clock not listed; null for none), and each
/// listed register's clock and prior. The form merges and capture work in; the column clocks object
/// (<see cref="ShadowRow.ColumnClocks"/>) is its text, made only where a row is stored or read as text.
/// </summary>
internal sealed class RegisterListing
{
    private readonly Register[] _listed;

    public RegisterListing(HybridTimestamp? basePrior, Register[] listed)
    {
        BasePrior = basePrior;
        _listed = listed;
    }

    /// <summary>The prior of every register at the base clock that is not listed; null for none.</summary>
    public HybridTimestamp? BasePrior { get; }

    /// <summary>The listed registers, in the order their text lists them.</summary>
    public ReadOnlySpan<Register> Listed => _listed;

    /// <summary>The clock and prior of a column's register in a row whose base clock is <paramref name="baseClock"/>.</summary>
    public (HybridTimestamp Clock, HybridTimestamp? Prior) Of(string column, HybridTimestamp baseClock)
    {
        foreach (var register in _listed)
        {
            if (register.Name == column)
            {
                return (register.Clock, register.Prior);
            }
        }

        return (baseClock, BasePrior);
    }

    /// <summary>Whether both list the same registers, in the same order.</summary>
    public bool SameAs(RegisterListing other) => BasePrior == other.BasePrior && _listed.AsSpan().SequenceEqual(other._listed);

    /// <summary>A listed register: its column, its clock and its prior (null: none).</summary>
    public readonly record struct Register(string Name, HybridTimestamp Clock, HybridTimestamp? Prior);
}
