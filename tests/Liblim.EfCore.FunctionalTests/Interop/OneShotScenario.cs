using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Interop;

/// <summary>
/// The one-shot conformance scenario, run with the Python side as client (C# server) and as server (C# client): rows of
/// every value type and escaped composite keys written on each side arrive on the other exactly; an update, a delete and
/// a re-insert go both ways; a second sync moves nothing. After each sync both replicas hold identical row states (tags,
/// tombstones, every column's timestamp and canonical value text).
/// </summary>
public static class OneShotScenario
{
    public const string Secret = "interop secret: ØHAI ✓";

    /// <param name="csharp">The C# replica.</param>
    /// <param name="python">The Python replica.</param>
    /// <param name="syncAsync">Syncs the two once; returns how many row states went each way.</param>
    public static async Task RunAsync(InteropReplica csharp, PythonPeer python, Func<Task<(int ToPython, int ToCSharp)>> syncAsync)
    {
        // Rows written on each side.
        List<Sample> csSamples = [InteropSamples.Typical(), InteropSamples.Extremes(), InteropSamples.Numbers(0), InteropSamples.Numbers(1), InteropSamples.Infinities()];
        List<Sample> pySamples = [InteropSamples.Typical(), InteropSamples.Extremes(), InteropSamples.Numbers(2), InteropSamples.Numbers(3)];
        var csParts = InteropSamples.Parts("cs ");
        var pyParts = InteropSamples.Parts("py ");
        await using (var db = csharp.Open())
        {
            db.Samples.AddRange(csSamples);
            db.Parts.AddRange(csParts);
            await db.SaveChangesAsync();
        }

        await using (var db = csharp.Open())
        {
            await python.WriteAsync([.. pySamples.Select(s => PythonWrite.Insert("Samples", CanonicalTexts.Of(db, s))),
                .. pyParts.Select(p => PythonWrite.Insert("Parts", CanonicalTexts.Of(db, p)))]);
        }

        var first = await syncAsync();
        Assert.Equal((pySamples.Count + pyParts.Count, csSamples.Count + csParts.Count), (first.ToCSharp, first.ToPython));
        var rows = await AssertSameAsync(csharp, python, "after the first sync");
        await using (var db = csharp.Open())
        {
            foreach (var written in csSamples.Concat<object>(pySamples).Concat(csParts).Concat(pyParts))
            {
                var table = db.Model.FindEntityType(written.GetType())!.GetTableName()!;
                var key = CanonicalTexts.KeyText(db, written);
                var row = rows.SingleOrDefault(r => r.Table == table && r.Key == key);
                Assert.True(row is { Alive: true }, $"{table} {key} did not arrive alive on both sides.");
                var expected = CanonicalTexts.Of(db, written);
                foreach (var (column, text) in row!.Values)
                {
                    Assert.True(expected[column] == text, $"{table} {key}.{column}: written as {expected[column]}, both sides hold {text}.");
                }
            }
        }

        // An update, a delete each way.
        await using (var db = csharp.Open())
        {
            var sample = await db.Samples.SingleAsync(s => s.Id == pySamples[0].Id);
            sample.Text = "edited in C#: \u00e9\u0002\ud83d\ude00";
            sample.Int32 = 7;
            db.Parts.Remove(await db.Parts.SingleAsync(p => p.Bin == pyParts[0].Bin && p.Slot == pyParts[0].Slot));
            await db.SaveChangesAsync();
            await python.WriteAsync(
                PythonWrite.Update("Samples", CanonicalTexts.KeyOf(db, csSamples[0]), new() { ["Real"] = "-1.5E-300", ["Notes"] = "null", ["Letter"] = "\"\\\"\"" }),
                PythonWrite.Delete("Parts", CanonicalTexts.KeyOf(db, csParts[0])));
        }

        await syncAsync();
        rows = await AssertSameAsync(csharp, python, "after an update and a delete on each side");
        await using (var db = csharp.Open())
        {
            var fromCs = rows.Single(r => r.Key == CanonicalTexts.KeyText(db, pySamples[0]));
            Assert.Equal(("\"edited in C#: é\\u0002😀\"", "7"), (fromCs.Values["Text"], fromCs.Values["Int32"]));
            var fromPy = rows.Single(r => r.Key == CanonicalTexts.KeyText(db, csSamples[0]));
            Assert.Equal(("-1.5E-300", "null", "\"\\\"\""), (fromPy.Values["Real"], fromPy.Values["Notes"], fromPy.Values["Letter"]));
            var loaded = await db.Samples.AsNoTracking().SingleAsync(s => s.Id == csSamples[0].Id);
            Assert.Equal((-1.5e-300, null, '"'), (loaded.Real, loaded.Notes, loaded.Letter));
            Assert.False(rows.Single(r => r.Key == CanonicalTexts.KeyText(db, pyParts[0])).Alive);
            Assert.False(rows.Single(r => r.Key == CanonicalTexts.KeyText(db, csParts[0])).Alive);
            Assert.Null(await db.Parts.FindAsync(csParts[0].Bin, csParts[0].Slot));
        }

        // A re-insert each way: each side inserts again the row the other deleted.
        await using (var db = csharp.Open())
        {
            db.Parts.Add(new Part { Bin = pyParts[0].Bin, Slot = pyParts[0].Slot, Label = "back, from C#", Qty = 1 });
            await db.SaveChangesAsync();
            var again = new Part { Bin = csParts[0].Bin, Slot = csParts[0].Slot, Label = "back, from Python", Qty = 2, Note = "n" };
            await python.WriteAsync(PythonWrite.Insert("Parts", CanonicalTexts.Of(db, again)));
        }

        await syncAsync();
        rows = await AssertSameAsync(csharp, python, "after a re-insert on each side");
        await using (var db = csharp.Open())
        {
            var py0 = rows.Single(r => r.Key == CanonicalTexts.KeyText(db, pyParts[0]));
            Assert.True(py0 is { Alive: true, Add.Count: 1, Del.Count: 1 }, py0.Describe());
            Assert.Equal("\"back, from C#\"", py0.Values["Label"]);
            var cs0 = rows.Single(r => r.Key == CanonicalTexts.KeyText(db, csParts[0]));
            Assert.True(cs0 is { Alive: true, Add.Count: 1, Del.Count: 1 }, cs0.Describe());
            Assert.Equal(("\"back, from Python\"", "\"n\""), (cs0.Values["Label"], cs0.Values["Note"]));
            Assert.Equal("back, from Python", (await db.Parts.AsNoTracking().SingleAsync(p => p.Bin == csParts[0].Bin && p.Slot == csParts[0].Slot)).Label);
        }

        // Nothing new: nothing moves.
        Assert.Equal((0, 0), await syncAsync());
        await AssertSameAsync(csharp, python, "after a sync with nothing new");
    }

    /// <summary>Fails unless both replicas hold identical row states; returns them.</summary>
    public static async Task<List<RowView>> AssertSameAsync(InteropReplica csharp, PythonPeer python, string when)
    {
        var cs = RowView.FromCSharp(csharp);
        var py = await python.RowsAsync();
        RowView.AssertSame(cs, py, $"The C# replica (first) and the Python replica (second) differ {when}");
        return cs;
    }
}
