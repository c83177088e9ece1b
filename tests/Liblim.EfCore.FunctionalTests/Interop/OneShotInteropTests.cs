using Microsoft.EntityFrameworkCore;
using System.Net;

namespace Liblim.EfCore.FunctionalTests.Interop;

/// <summary>
/// One-shot sessions between the C# implementation and the Python one (interop/python), over real loopback TCP, each
/// replica on its own SQLite file, the Python side a real python3 process: <see cref="OneShotScenario"/> in both roles.
/// </summary>
public class OneShotInteropTests
{
    [Fact]
    public async Task A_Python_client_and_a_CSharp_server_exchange_every_value_type_escaped_keys_updates_deletes_and_reinserts()
    {
        using var csharp = new InteropReplica("cs-server");
        await using var server = await LiblimServer.StartAsync(new InteropFactory(csharp),
            new LiblimServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), Secret = OneShotScenario.Secret });
        await using var python = StartPython("py-client", csharp);
        var address = new Uri($"liblim://127.0.0.1:{server.Endpoint.Port}");

        await OneShotScenario.RunAsync(csharp, python, async () =>
        {
            var answer = await python.RunAsync(new { cmd = "sync", address = address.ToString(), secret = OneShotScenario.Secret });
            Assert.Equal(0, answer.GetProperty("restarts").GetInt32());
            return (answer.GetProperty("received").GetInt32(), answer.GetProperty("sent").GetInt32());
        });
    }

    [Fact]
    public async Task A_CSharp_client_and_a_Python_server_exchange_every_value_type_escaped_keys_updates_deletes_and_reinserts()
    {
        using var csharp = new InteropReplica("cs-client");
        await using var python = StartPython("py-server", csharp);
        var address = await python.ServeAsync(OneShotScenario.Secret);

        await OneShotScenario.RunAsync(csharp, python, async () =>
        {
            await using var db = csharp.Open();
            var result = await db.Liblim().SyncWithAsync(address, OneShotScenario.Secret);
            return (result.RowsSent, result.RowsReceived);
        });
        Assert.All(await python.ServerResultsAsync(), r => Assert.True(r.GetProperty("ok").GetBoolean(), $"A session of the Python server failed: {r}"));
    }

    internal static PythonPeer StartPython(string name, InteropReplica modelOf)
    {
        using var db = modelOf.Open();
        return PythonPeer.Start(name, PythonModel.Of(db));
    }
}
