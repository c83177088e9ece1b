using System.Text;

namespace Liblim.EfCore.Tests.Protocol;

/// <summary>
/// A <c>liblim-transcript</c> block of docs/protocol.md: the lines each side sends, without their
/// <c>C: </c>/<c>S: </c> prefixes (a prefix alone is the empty line).
/// </summary>
internal sealed record Transcript(string Title, IReadOnlyList<string> ClientLines, IReadOnlyList<string> ServerLines)
{
    public const string Client = "C";
    public const string Server = "S";

    private const string Fence = "```";
    private const string Opening = Fence + "liblim-transcript";

    private static readonly Lazy<IReadOnlyList<Transcript>> FromDocs = new(() => Parse(File.ReadAllText(SpecificationPath())));

    /// <summary>Every transcript of docs/protocol.md, in order; throws when there are none.</summary>
    public static IReadOnlyList<Transcript> All => FromDocs.Value;

    public static Transcript Named(string title) => All.Single(t => t.Title == title);

    public IReadOnlyList<string> Lines(string side) => side == Client ? ClientLines : ServerLines;

    /// <summary>The side's bytes on the wire: each line ending with the given line ending.</summary>
    public byte[] Bytes(string side, string lineEnding = "\n")
        => Encoding.UTF8.GetBytes(string.Concat(Lines(side).Select(l => l + lineEnding)));

    public static IReadOnlyList<Transcript> Parse(string markdown)
    {
        var transcripts = new List<Transcript>();
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var heading = "(no heading)";
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].StartsWith('#'))
            {
                heading = lines[i].TrimStart('#').Trim();
            }

            if (lines[i].Trim() != Opening)
            {
                continue;
            }

            List<string> client = [], server = [];
            for (i++; i < lines.Length && lines[i].Trim() != Fence; i++)
            {
                var (side, text) = Split(lines[i], i + 1);
                (side == Client ? client : server).Add(text);
            }

            if (i == lines.Length)
            {
                throw new InvalidDataException($"docs/protocol.md: the transcript '{heading}' has no closing fence.");
            }

            var title = transcripts.Any(t => t.Title == heading) ? $"{heading} ({transcripts.Count + 1})" : heading;
            transcripts.Add(new Transcript(title, client, server));
        }

        if (transcripts.Count == 0)
        {
            throw new InvalidDataException($"docs/protocol.md holds no '{Opening}' block: the protocol's test vectors are gone.");
        }

        return transcripts;
    }

    private static (string Side, string Text) Split(string line, int lineNumber)
    {
        foreach (var side in new[] { Client, Server })
        {
            if (line == side + ":")
            {
                return (side, "");
            }

            if (line.StartsWith(side + ": ", StringComparison.Ordinal))
            {
                return (side, line[(side.Length + 2)..]);
            }
        }

        throw new InvalidDataException($"docs/protocol.md line {lineNumber}: a transcript line starts with neither 'C: ' nor 'S: ': '{line}'.");
    }

    private static string SpecificationPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Liblim.EfCore.sln")))
            {
                var path = Path.Combine(dir.FullName, "docs", "protocol.md");
                return File.Exists(path) ? path : throw new FileNotFoundException("The protocol specification is missing.", path);
            }
        }

        throw new DirectoryNotFoundException($"No folder above {AppContext.BaseDirectory} holds Liblim.EfCore.sln.");
    }
}
