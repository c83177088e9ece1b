using System.Security.Cryptography;
using System.Text;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>
/// Each kind of bad input a peer can send gets its own error line, the connection closes, and the server's
/// database is exactly as it was: its tables, its replication metadata and its peer watermarks; it only records the failure
/// as the peer's last error, when the peer authenticated (<c>GetStatusAsync()</c>).
/// </summary>
public class BadInputTests
{
    private static readonly string ItemId = Guid.NewGuid().ToString("D");

    [Fact]
    public async Task Garbage_bytes_get_bad_line()
        => await AssertRefusedAsync("bad-line", async raw => await raw.SendAsync([0xff, 0xfe, 0x00, 0x41, (byte)'\n']));

    [Fact]
    public async Task A_line_without_a_known_verb_gets_unknown_verb()
        => await AssertRefusedAsync("unknown-verb", raw => raw.SendAsync("GET / HTTP/1.1\r\n"));

    [Fact]
    public async Task Data_before_the_greeting_gets_out_of_order()
        => await AssertRefusedAsync("out-of-order", raw => raw.SendAsync("IHAZ {}\n"));

    [Fact]
    public async Task A_batch_before_ihaz_gets_out_of_order()
        => await AssertRefusedAsync("out-of-order", async raw =>
        {
            await raw.GreetAsync();
            await raw.SendAsync("UCANHAZ 1\n");
        });

    [Fact]
    public async Task An_unsupported_version_is_refused()
        => await AssertRefusedAsync("unsupported-version", raw => raw.SendAsync($"ØHAI 3 {Guid.NewGuid():D} {new string('a', 32)}\n"));

    [Fact]
    public async Task A_nonce_of_the_old_64_digit_length_gets_bad_line()
        => await AssertRefusedAsync("bad-line", raw => raw.SendAsync($"ØHAI 1 {raw.Node:D} {new string('a', 64)}\n"));

    [Fact]
    public async Task The_whole_untruncated_hmac_as_a_proof_gets_bad_line()
        => await AssertRefusedAsync("bad-line", async raw =>
        {
            var nonce = new string('a', 32);
            await raw.SendAsync($"ØHAI 1 {raw.Node:D} {nonce}\n");
            var hello = (await raw.ReadLineAsync())!.Split(' ');
            var message = Encoding.UTF8.GetBytes($"liblim/1\nclient\n{raw.Node:D}\n{nonce}\n{hello[2]}\n{hello[3]}");
            var whole = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(TcpPeer.Secret), message));
            await raw.SendAsync($"ØHAI {whole}\n");
        });

    [Fact]
    public async Task A_wrong_secret_gets_auth_failed()
        => await AssertRefusedAsync("auth-failed", raw => raw.GreetAsync("not the secret"));

    [Fact]
    public async Task A_line_over_the_limit_gets_line_too_long_before_it_ends()
        => await AssertRefusedAsync("line-too-long", raw => raw.SendAsync("ØHAI " + new string('x', 5000)), o => o with { Limits = new LiblimProtocolLimits { MaxLineLength = 4096 } });

    [Fact]
    public async Task A_silent_peer_times_out()
        => await AssertRefusedAsync("timeout", _ => Task.CompletedTask, o => o with { Limits = new LiblimProtocolLimits { HandshakeTimeout = TimeSpan.FromMilliseconds(300) } });

    [Fact]
    public async Task A_peer_that_stops_mid_batch_times_out_and_nothing_of_the_batch_is_applied()
        => await AssertRefusedAsync("timeout", async raw =>
        {
            await raw.GreetAndHaveAsync(1);
            await raw.SendAsync("UCANHAZ 1\n" + Row(raw, "Items", $"[\"{ItemId}\"]", "\"Title\":\"half\"") + "\n");
        }, o => o with { Limits = new LiblimProtocolLimits { IdleTimeout = TimeSpan.FromMilliseconds(500) } });

    [Fact]
    public async Task A_batch_whose_position_goes_backwards_is_out_of_order_and_the_watermark_stays()
    {
        await using var server = await TcpPeer.StartAsync("backwards");
        await using var raw = await RawPeer.ConnectAsync(server);
        await raw.GreetAndHaveAsync(5);
        await raw.SendAsync("UCANHAZ 5\n\nUCANHAZ 5\n\nUCANHAZ 4\n\n");

        var error = await raw.ReadErrorAndCloseAsync();

        Assert.StartsWith("OHNOES out-of-order A batch goes back to position 4", error);
        await using var db = server.Replica.Open();
        Assert.Equal(5, (await db.Liblim().GetStatusAsync()).Peers.Single(p => p.NodeId == raw.Node).Applied);
    }

    [Fact]
    public async Task Truncated_json_gets_bad_row()
        => await AssertRefusedAsync("bad-row", async raw =>
        {
            await raw.GreetAndHaveAsync(1);
            await raw.SendAsync($"UCANHAZ 1\nItems/[\"{ItemId}\"]:{{\"t\":\"{raw.Timestamp()}\",\"v\":{{\"Title\":\"cut\n\n");
        });

    [Fact]
    public async Task A_short_timestamp_in_a_state_without_t_gets_bad_row()
        => await AssertRefusedAsync("bad-row", async raw =>
        {
            await raw.GreetAndHaveAsync(1);
            await raw.SendAsync($"UCANHAZ 1\nItems/[\"{ItemId}\"]:{{\"d\":[\"{raw.Timestamp()[..16]}\"]}}\n\n");
        });

    [Fact]
    public async Task A_wrong_type_for_a_column_is_rejected_whole()
        => await AssertRefusedAsync("rejected", async raw =>
        {
            await raw.GreetAndHaveAsync(2);
            var good = Row(raw, "Items", $"[\"{Guid.NewGuid():D}\"]", "\"Title\":\"fine\"");
            var bad = Row(raw, "Items", $"[\"{ItemId}\"]", "\"Priority\":\"high\"");
            await raw.SendAsync($"UCANHAZ 2\n{good}\n{bad}\n\n");
        });

    [Fact]
    public async Task A_row_of_a_table_the_server_lacks_with_a_key_that_is_no_json_array_is_rejected()
        => await AssertRefusedAsync("rejected", async raw =>
        {
            await raw.GreetAndHaveAsync(1);
            await raw.SendAsync($"UCANHAZ 1\n{Row(raw, "Secrets", "root", "\"Value\":\"x\"")}\n\n");
        });

    [Fact]
    public async Task A_key_column_sent_as_a_value_is_rejected()
        => await AssertRefusedAsync("rejected", async raw =>
        {
            await raw.GreetAndHaveAsync(1);
            await raw.SendAsync($"UCANHAZ 1\n{Row(raw, "Items", $"[\"{ItemId}\"]", $"\"Title\":\"x\",\"Id\":\"{Guid.NewGuid()}\"")}\n\n");
        });

    [Fact]
    public async Task A_clock_far_in_the_future_is_rejected()
        => await AssertRefusedAsync("rejected", async raw =>
        {
            await raw.GreetAndHaveAsync(1);
            var ts = raw.Timestamp(TimeSpan.FromDays(30));
            await raw.SendAsync($"UCANHAZ 1\nItems/[\"{ItemId}\"]:{{\"t\":\"{ts}\",\"v\":{{\"Title\":\"future\"}},\"a\":[\"{ts}\"]}}\n\n");
        });

    [Theory]
    [InlineData("\"v\":{\"Priority\":2},")]
    [InlineData("")]
    public async Task A_new_row_without_a_value_for_a_required_column_is_rejected_whole(string values)
        => await AssertRefusedAsync("rejected", async raw =>
        {
            await raw.GreetAndHaveAsync(1);
            var ts = raw.Timestamp();
            await raw.SendAsync($"UCANHAZ 1\nItems/[\"{Guid.NewGuid():D}\"]:{{\"t\":\"{ts}\",{values}\"a\":[\"{ts}\"]}}\n\n");
        });

    [Theory]
    [InlineData("{\"t\":\"\\ud800\",\"v\":{\"Title\":\"x\"}}")]
    [InlineData("{\"t\":\"TS\",\"v\":{\"Title\":\"x\"},\"a\":[\"\\ud800\"]}")]
    [InlineData("{\"t\":\"TS\",\"v\":{\"Ti\\ud800tle\":\"x\"},\"a\":[\"TS\"]}")]
    public async Task A_lone_surrogate_in_a_timestamp_or_a_column_name_gets_bad_row(string state)
        => await AssertRefusedAsync("bad-row", async raw =>
        {
            await raw.GreetAndHaveAsync(1);
            await raw.SendAsync($"UCANHAZ 1\nItems/[\"{Guid.NewGuid():D}\"]:{state.Replace("TS", raw.Timestamp(), StringComparison.Ordinal)}\n\n");
        });

    [Fact]
    public async Task A_never_ending_batch_gets_batch_too_large()
        => await AssertRefusedAsync("batch-too-large", async raw =>
        {
            await raw.GreetAndHaveAsync(100);
            var sb = new StringBuilder("UCANHAZ 100\n");
            for (var i = 0; i < 50; i++)
            {
                sb.Append(Row(raw, "Items", $"[\"{Guid.NewGuid():D}\"]", "\"Title\":\"more\"")).Append('\n');
            }

            await raw.SendAsync(sb.ToString());
        }, o => o with { Limits = new LiblimProtocolLimits { MaxRowsPerBatch = 10 } });

    private static string Row(RawPeer raw, string table, string key, string values)
    {
        var ts = raw.Timestamp();
        return $"{table}/{key.Replace(":", "%3A", StringComparison.Ordinal)}:{{\"t\":\"{ts}\",\"v\":{{{values}}},\"a\":[\"{ts}\"]}}";
    }

    private static async Task AssertRefusedAsync(string code, Func<RawPeer, Task> send, Func<LiblimServerOptions, LiblimServerOptions>? configure = null)
    {
        await using var server = await TcpPeer.StartAsync("bad-input", configure);
        await Replicas.InsertAsync(server.Replica, new TodoItem { Id = Guid.Parse(ItemId), Title = "stored before", Priority = 3 });
        var before = DatabaseDump.Of(server.Replica);

        await using var raw = await RawPeer.ConnectAsync(server);
        await send(raw);
        var error = await raw.ReadErrorAndCloseAsync();

        Assert.NotNull(error);
        Assert.StartsWith($"OHNOES {code} ", error);
        Assert.Equal(before, DatabaseDump.Of(server.Replica));
        await using var db = server.Replica.Open();
        var recorded = (await db.Liblim().GetStatusAsync()).Peers.SingleOrDefault(p => p.NodeId == raw.Node);
        if (raw.Authenticated)
        {
            Assert.NotNull(recorded?.LastError); // the failure is the peer's last error in the server's status
        }
        else
        {
            Assert.Null(recorded); // nothing written for a peer that did not authenticate
        }
    }
}
