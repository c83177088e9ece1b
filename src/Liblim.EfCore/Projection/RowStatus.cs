namespace Liblim.EfCore.Projection;

/// <summary>Where a row stands in the projection of replicated states onto data tables, from absent to shown.</summary>
internal enum RowStatus
{
    /// <summary>No state: never inserted anywhere this replica has heard of.</summary>
    Missing = 0,

    /// <summary>Deleted: every add tag is tombstoned.</summary>
    Dead = 1,

    /// <summary>Alive, but a row it reaches through its holding references is missing or deleted.</summary>
    Ineligible = 2,

    /// <summary>
    /// Alive, and every row it reaches through its holding references is alive, so it competes for its unique
    /// values; but it, or a row it reaches, does not keep one of them.
    /// </summary>
    Eligible = 3,

    /// <summary>Shown in its data table.</summary>
    Visible = 4,
}
