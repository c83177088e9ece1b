using System.Data.Common;
using System.Text.RegularExpressions;
using Liblim.EfCore.Metadata.Internal;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Liblim.EfCore.Capture.Internal;

/// <summary>
/// Refuses ExecuteUpdate, ExecuteDelete and raw SQL (ExecuteSql, FromSql) that would write a replicated
/// table: such writes bypass SaveChanges, so nothing would record them and replicas would silently diverge.
/// The command is stopped once EF has made it, before it runs.
/// </summary>
internal sealed class BulkWriteGuardInterceptor : DbCommandInterceptor
{
    private const string WriteTargetAnnotation = LiblimAnnotationNames.Prefix + "WriteTarget";

    // Once the command has its text, before EF runs it: an exception here is not logged by EF as a failed command
    // ("Failed executing DbCommand" at Error), which would read as if the SQL had reached the database.
    public override DbCommand CommandInitialized(CommandEndEventData eventData, DbCommand result)
    {
        Guard(result, eventData);
        return result;
    }

    private static void Guard(DbCommand command, CommandEndEventData eventData)
    {
        if (eventData.CommandSource is CommandSource.SaveChanges or CommandSource.Migrations or CommandSource.LinqQuery
            || eventData.Context is not { } context)
        {
            return;
        }

        var model = ReplicationModel.For(context.Model);
        var pattern = context.Model.GetOrAddRuntimeAnnotationValue(WriteTargetAnnotation, static m => WriteTarget(m!), model);
        if (pattern is not null && pattern.Match(command.CommandText) is { Success: true } match)
        {
            var source = eventData.CommandSource is CommandSource.ExecuteUpdate or CommandSource.ExecuteDelete ? "ExecuteUpdate/ExecuteDelete" : "Raw SQL";
            throw new ReplicationBypassException(match.Groups["table"].Value, source);
        }
    }

    /// <summary>Matches an INSERT, UPDATE, DELETE or REPLACE whose target is a replicated table, quoted or not.</summary>
    private static Regex? WriteTarget(ReplicationModel model)
    {
        var names = model.Tables.Select(t => Regex.Escape(t.TableName)).ToList();
        if (names.Count == 0)
        {
            return null;
        }

        var table = $"(?<table>{string.Join('|', names)})";
        return new Regex(
            $@"\b(INSERT(\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE(\s+OR\s+\w+)?|DELETE\s+FROM|MERGE\s+INTO|TRUNCATE(\s+TABLE)?)\s+(ONLY\s+)?([""`\[]?\w+[""`\]]?\.)?[""`\[]?{table}[""`\]]?(\s|$|\(|;)",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    }
}
