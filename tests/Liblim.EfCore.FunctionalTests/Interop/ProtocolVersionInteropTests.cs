using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Interop;

/// <summary>
/// A C# client meets a server of protocol version 1 (the Python implementation told to speak no newer one): the server
/// refuses version 2, the client connects again offering 1, and the two sync without priors (docs/protocol.md, section 3).
/// </summary>
public class ProtocolVersionInteropTests
{
    [Fact]
    public async Task A_CSharp_client_meeting_a_server_of_version_1_connects_again_in_version_1_and_syncs_without_priors()
    {
        using var csharp = new InteropReplica("cs-client-v2");
        await using var python = OneShotInteropTests.StartPython("py-server-v1", csharp);
        var address = new Uri($"liblim://127.0.0.1:{(await python.RunAsync(new { cmd = "serve", secret = OneShotScenario.Secret, version = 1 })).GetProperty("port").GetInt32()}");
        var sample = InteropSamples.Typical();
        await using (var db = csharp.Open())
        {
            db.Samples.Add(sample);
            await db.SaveChangesAsync();
            sample.Text = "edited over the insert"; // Text's register gets a prior
            await db.SaveChangesAsync();
        }

        await using (var db = csharp.Open())
        {
            var result = await db.Liblim().SyncWithAsync(address, OneShotScenario.Secret);
            Assert.Equal(1, result.RowsSent);
        }

        var results = await python.ServerResultsAsync();
        Assert.Equal(["unsupported-version"], results.Where(r => !r.GetProperty("ok").GetBoolean()).Select(r => r.GetProperty("error").GetString()));
        Assert.Single(results, r => r.GetProperty("ok").GetBoolean());

        // The Python copy has the values and clocks, and no prior: version 1 carries none.
        var atPython = Assert.Single(await python.RowsAsync());
        var atCSharp = Assert.Single(RowView.FromCSharp(csharp));
        Assert.Equal(atCSharp.Values, atPython.Values);
        Assert.Contains("/", atCSharp.Clocks["Text"]);
        Assert.Equal(atCSharp.Clocks["Text"].Split('/')[0], atPython.Clocks["Text"]);
    }
}
