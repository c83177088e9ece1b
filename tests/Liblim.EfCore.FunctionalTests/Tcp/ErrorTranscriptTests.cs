using System.Globalization;
using System.Net.Sockets;
using Liblim.EfCore.FunctionalTests.Interop;

namespace Liblim.EfCore.FunctionalTests.Tcp;

/// <summary>
/// The error transcripts of docs/protocol.md (section 9, "Errors"), replayed against a real server over TCP: what the
/// client sends gets exactly the lines the transcript gives, and the error code it names (interop/python replays the same
/// transcripts against its own server).
/// </summary>
public class ErrorTranscriptTests
{
    private static readonly Guid ClientNode = Guid.Parse("af025bd5-ad21-412c-968b-a7ee58795f56");
    private const string Nonce = "4f1c9a0e2b7d4c6a8e3f5a1b9c0d2e4f";
    private const string Secret = "correct horse battery staple";

    public static TheoryData<string> Titles() => new(ErrorTranscript.All.Select(t => t.Title));

    [Fact]
    public void The_specification_gives_an_error_transcript_for_every_code_a_peer_can_cause()
    {
        var codes = ErrorTranscript.All.Select(t => t.Lines[^1]).Where(l => l.StartsWith("S: OHNOES ", StringComparison.Ordinal)).Select(l => l[10..]).ToHashSet();
        string[] others = ["auth-failed", "rejected", "restarted", "auth-expired"]; // the transcripts before them
        string[] expected = ["bad-line", "batch-too-large", "busy", "line-too-long", "out-of-order", "timeout", "unknown-verb", "unsupported-version", "bad-row"];
        Assert.Equal(expected.Order(), codes.Order());
        Assert.DoesNotContain(others, codes.Contains);
    }

    [Theory]
    [MemberData(nameof(Titles))]
    public async Task A_server_answers_each_error_transcript_as_it_says(string title)
    {
        var transcript = ErrorTranscript.All.Single(t => t.Title == title);
        await using var server = await TcpPeer.StartAsync("error-transcript", o => o with
        {
            Secret = Secret,
            Limits = transcript.Limits(o.Limits),
            MaxConnections = transcript.MaxConnections ?? o.MaxConnections,
        });
        var held = new List<TcpClient>();
        RawPeer? connected = null;
        async Task<RawPeer> Raw() => connected ??= await RawPeer.ConnectAsync(server.Server, ClientNode);
        try
        {
            foreach (var line in transcript.Lines)
            {
                switch (line)
                {
                    case "C: (another connection)":
                        var other = new TcpClient();
                        await other.ConnectAsync(server.Server.Endpoint);
                        held.Add(other);
                        break;
                    case "C: (greeting)":
                        var greeted = await Raw();
                        await greeted.GreetAsync(Secret);
                        Assert.True(greeted.Authenticated, $"{title}: the greeting failed");
                        break;
                    case "C: (greeting line)":
                        await (await Raw()).SendAsync($"ØHAI 1 {ClientNode:D} {Nonce}\n");
                        break;
                    case "S: (greeting line)":
                        Assert.StartsWith("ØHAI 1 ", await (await Raw()).ReadLineAsync());
                        break;
                    case var c when c.StartsWith("C: (", StringComparison.Ordinal) && c.EndsWith(" bytes of x)", StringComparison.Ordinal):
                        await (await Raw()).SendAsync(new string('x', int.Parse(c[4..c.IndexOf(' ', 4)], CultureInfo.InvariantCulture)) + "\n");
                        break;
                    case var c when c.StartsWith("C: ", StringComparison.Ordinal):
                        await (await Raw()).SendAsync(c[3..] + "\n");
                        break;
                    case var s when s.StartsWith("S: OHNOES ", StringComparison.Ordinal):
                        var error = await (await Raw()).ReadErrorAndCloseAsync();
                        Assert.True(error?.StartsWith(s[3..] + " ", StringComparison.Ordinal) == true, $"{title}: expected '{s[3..]} ...', got '{error}'");
                        break;
                    case var s when s.StartsWith("S: ", StringComparison.Ordinal):
                        Assert.Equal(s[3..], await (await Raw()).ReadLineAsync());
                        break;
                    default:
                        throw new InvalidDataException($"{title}: '{line}' is no line of the notation.");
                }
            }
        }
        finally
        {
            held.ForEach(c => c.Dispose());
            if (connected is not null)
            {
                await connected.DisposeAsync();
            }
        }
    }

    /// <summary>A <c>liblim-error-transcript</c> block of docs/protocol.md: its title (the paragraph before it), limits and lines.</summary>
    private sealed record ErrorTranscript(string Title, IReadOnlyDictionary<string, string> Settings, IReadOnlyList<string> Lines)
    {
        public static IReadOnlyList<ErrorTranscript> All { get; } = Parse(File.ReadAllText(Path.Combine(PythonPeer.RepositoryRoot, "docs", "protocol.md")));

        public int? MaxConnections => Settings.TryGetValue("MaxConnections", out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : null;

        public LiblimProtocolLimits Limits(LiblimProtocolLimits defaults)
        {
            var limits = defaults;
            foreach (var (name, value) in Settings)
            {
                limits = name switch
                {
                    "MaxRowsPerBatch" => limits with { MaxRowsPerBatch = int.Parse(value, CultureInfo.InvariantCulture) },
                    "MaxLineLength" => limits with { MaxLineLength = int.Parse(value, CultureInfo.InvariantCulture) },
                    "HandshakeTimeout" => limits with { HandshakeTimeout = TimeSpan.FromMilliseconds(int.Parse(value.Replace(" ms", "", StringComparison.Ordinal), CultureInfo.InvariantCulture)) },
                    "MaxConnections" => limits,
                    _ => throw new InvalidDataException($"The error transcripts set an unknown limit '{name}'."),
                };
            }

            return limits;
        }

        private static List<ErrorTranscript> Parse(string markdown)
        {
            var lines = markdown.ReplaceLineEndings("\n").Split('\n');
            var result = new List<ErrorTranscript>();
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].Trim() != "```liblim-error-transcript")
                {
                    continue;
                }

                var title = lines[i - 2].Trim();
                var settings = new Dictionary<string, string>();
                var body = new List<string>();
                for (i++; lines[i].Trim() != "```"; i++)
                {
                    if (lines[i].StartsWith("# ", StringComparison.Ordinal))
                    {
                        var (name, value) = (lines[i][2..lines[i].IndexOf('=')].Trim(), lines[i][(lines[i].IndexOf('=') + 1)..].Trim());
                        settings[name] = value;
                    }
                    else
                    {
                        body.Add(lines[i]);
                    }
                }

                result.Add(new ErrorTranscript(title, settings, body));
            }

            Assert.NotEmpty(result);
            return result;
        }
    }
}
