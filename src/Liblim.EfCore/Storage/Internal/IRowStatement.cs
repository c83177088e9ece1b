using System.Data.Common;

namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// A statement a database prepared below its ADO.NET command, to run a <see cref="RowCommand"/>'s rows with the command's
/// parameter values and no command execution per row (<see cref="SqlDialect.PrepareBelowCommand"/>).
/// </summary>
internal interface IRowStatement : IDisposable
{
    /// <summary>
    /// Runs the statement once with the parameters' current values, giving the number of rows it changed; false, having
    /// run nothing, for values it leaves to the command.
    /// </summary>
    bool TryExecute(DbParameterCollection parameters, out int changed);
}
