using System.Net;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Interop;

/// <summary>
/// Two implementations configured with different secrets: both sides report <c>auth-failed</c>, and neither stores
/// anything of the other (no row, no record of the peer on the server).
/// </summary>
public class WrongSecretInteropTests
{
    [Fact]
    public async Task A_Python_client_with_the_wrong_secret_gets_auth_failed_and_the_CSharp_server_stores_nothing()
    {
        using var csharp = new InteropReplica("cs-server");
        await using var server = await LiblimServer.StartAsync(new InteropFactory(csharp),
            new LiblimServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), Secret = OneShotScenario.Secret });
        await using var python = OneShotInteropTests.StartPython("py-client", csharp);
        await WriteOneRowEachAsync(csharp, python);

        // The driver's command line: sync once, then print the replica's rows.
        var (exitCode, lines, stderr) = await PythonPeer.RunOnceAsync(python.Path, Model(csharp), "sync", $"liblim://127.0.0.1:{server.Endpoint.Port}", "not the secret");

        var answer = lines[0];
        Assert.True(exitCode == 1 && !answer.GetProperty("ok").GetBoolean(), $"{answer}\n{stderr}");
        Assert.Equal("auth-failed", answer.GetProperty("error").GetString());
        Assert.Contains("not configured with the same shared secret", answer.GetProperty("message").GetString());
        await AssertNothingCrossedAsync(csharp, python);
        Assert.Empty(PeersOf(csharp));
    }

    [Fact]
    public async Task A_CSharp_client_with_the_wrong_secret_gets_auth_failed_and_the_Python_server_stores_nothing()
    {
        using var csharp = new InteropReplica("cs-client");
        await using var python = OneShotInteropTests.StartPython("py-server", csharp);
        var address = await python.ServeAsync(OneShotScenario.Secret);
        await WriteOneRowEachAsync(csharp, python);

        await using (var db = csharp.Open())
        {
            var e = await Assert.ThrowsAsync<ProtocolException>(() => db.Liblim().SyncWithAsync(address, "not the secret"));
            Assert.Equal(ProtocolErrorCode.AuthenticationFailed, e.Code);
            Assert.True(e.FromPeer, "The Python server, which checks the client's proof first, reports the failure.");
        }

        var results = await python.ServerResultsAsync();
        Assert.Equal("auth-failed", Assert.Single(results).GetProperty("error").GetString());
        await AssertNothingCrossedAsync(csharp, python);
        var status = await python.RunAsync(new { cmd = "status" });
        Assert.Empty(status.GetProperty("peers").EnumerateArray());
    }

    /// <summary>The rows of the C# replica's peers table: each peer it has recorded.</summary>
    private static List<string> PeersOf(InteropReplica replica)
    {
        using var db = replica.Open();
        var connection = db.Database.GetDbConnection();
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT peer_id FROM __liblim_peers";
        using var reader = command.ExecuteReader();
        var peers = new List<string>();
        while (reader.Read())
        {
            peers.Add(reader.GetString(0));
        }

        return peers;
    }

    private static string Model(InteropReplica replica)
    {
        using var db = replica.Open();
        return PythonModel.Of(db);
    }

    private static async Task WriteOneRowEachAsync(InteropReplica csharp, PythonPeer python)
    {
        await using var db = csharp.Open();
        db.Parts.Add(new Part { Bin = "cs:1", Slot = 1, Label = "C#'s" });
        await db.SaveChangesAsync();
        await python.WriteAsync(PythonWrite.Insert("Parts", CanonicalTexts.Of(db, new Part { Bin = "py:1", Slot = 1, Label = "Python's" })));
    }

    private static async Task AssertNothingCrossedAsync(InteropReplica csharp, PythonPeer python)
    {
        await using var db = csharp.Open();
        Assert.Equal(["cs:1"], await db.Parts.Select(p => p.Bin).ToListAsync());
        Assert.Equal(["[\"cs:1\",1]"], RowView.FromCSharp(csharp).Select(r => r.Key));
        Assert.Equal(["[\"py:1\",1]"], (await python.RowsAsync()).Select(r => r.Key));
    }
}
