using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Infrastructure;

/// <summary>
/// What a user sees in a replica's replicated tables, as comparable text. Values print as values, the same on every
/// database: a decimal without trailing zeros (SQLite keeps none), a DateTime without its kind (SQLite keeps none).
/// </summary>
public static class Snapshot
{
    public static string Of(IReplica replica)
    {
        using var db = replica.Open();
        var items = db.Items.AsNoTracking().OrderBy(i => i.Id).ToList()
            .Select(i => $"item {i.Id} title={i.Title} done={i.Done} prio={i.Priority} notes={i.Notes} cost={i.Cost:G29} due={i.DueUtc:yyyy-MM-dd HH:mm:ss.fffffff} city={i.Place?.City} street={i.Place?.Street}");
        var audit = db.Audit.AsNoTracking().OrderBy(a => a.Id).ToList().Select(a => $"audit {a.Id} {a.Message}");
        var shapes = db.Shapes.AsNoTracking().ToList().OrderBy(s => s.Code).ThenBy(s => s.Region)
            .Select(s => s switch
            {
                Circle c => $"circle {c.Code}/{c.Region} {c.Color} r={c.Radius}",
                Square q => $"square {q.Code}/{q.Region} {q.Color} s={q.Side}",
                _ => "?",
            });
        return string.Join("\n", items.Concat(audit).Concat(shapes));
    }
}
