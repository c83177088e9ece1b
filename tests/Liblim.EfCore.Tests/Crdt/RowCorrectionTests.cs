using CsCheck;
using Liblim.EfCore.Crdt;
using static Liblim.EfCore.Tests.Crdt.RowStateGen;

namespace Liblim.EfCore.Tests.Crdt;

/// <summary>
/// A refused write is answered with a correction (<see cref="RowCorrection"/>): merged into the writer's state, and into
/// any replica's, it shows what the server shows, and the server's own state, merged with it, shows what it showed.
/// </summary>
public class RowCorrectionTests
{
    private const int Iterations = 3000;
    private static readonly HybridTimestamp At = new(10, Nodes[0]); // later than every clock the generators use

    [Fact]
    public void The_writer_that_merges_the_correction_shows_what_the_server_shows_and_so_does_the_server()
    {
        Gen.Select(Realistic, Realistic).Sample((server, refused) =>
        {
            var correction = RowCorrection.For(server, refused, At);
            var context = $"server {Show(server)}\n refused {Show(refused)}\n correction {Show(correction)}";

            AssertShows(server, RowMerge.Merge(refused, correction), context + "\n at the writer");
            AssertShows(server, RowMerge.Merge(server, correction), context + "\n at the server");

            // A replica that has the server's state and gets the refused write too (from the writer, say), then the correction.
            AssertShows(server, RowMerge.Merge(RowMerge.Merge(server, refused), correction), context + "\n at a replica");
        }, iter: Iterations);
    }

    [Fact]
    public void A_refused_insert_of_a_row_the_server_does_not_have_is_deleted_at_the_writer()
    {
        Realistic.Where(s => s.IsAlive).Sample(refused =>
        {
            var correction = RowCorrection.For(null, refused, At);

            Assert.False(RowMerge.Merge(refused, correction).IsAlive, Show(correction));
            Assert.Empty(correction.Columns); // no value of the refused write is kept by the server
        }, iter: Iterations);
    }

    /// <summary>Whether <paramref name="actual"/> shows what <paramref name="expected"/> shows: alive or not, and its values.</summary>
    private static void AssertShows(RowState expected, RowState actual, string context)
    {
        Assert.True(expected.IsAlive == actual.IsAlive, $"alive: {expected.IsAlive} expected\n{context}");
        foreach (var (name, value) in expected.Columns)
        {
            Assert.True(actual.Columns.TryGetValue(name, out var shown) && shown.Json == value.Json, $"column {name}: {value.Json} expected\n{context}");
        }
    }
}
