namespace Liblim.EfCore.Tests.Docs;

/// <summary>
/// Every C# snippet of README.md, docs/ and the samples' and migrations-sample's READMEs is quoted, line for line, from
/// docs/snippets or a sample, projects the solution builds: so every snippet compiles, and a change that breaks one
/// breaks the build.
/// </summary>
public class SnippetTests
{
    private static readonly string Root = FindRoot();

    public static TheoryData<string, int> Snippets()
    {
        var data = new TheoryData<string, int>();
        foreach (var (file, line, _) in DocSnippets())
        {
            data.Add(file, line);
        }

        return data;
    }

    [Fact]
    public void The_docs_have_snippets_to_check()
        => Assert.True(DocSnippets().Count() >= 10, "README.md and docs/ hold C# snippets");

    [Theory]
    [MemberData(nameof(Snippets))]
    public void A_snippet_is_quoted_from_code_the_build_compiles(string file, int line)
    {
        var snippet = DocSnippets().Single(s => s.File == file && s.Line == line).Lines;
        var sources = new[] { Path.Combine(Root, "docs", "snippets"), Path.Combine(Root, "samples") }
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                        && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => Normalized(File.ReadAllLines(f)));

        Assert.True(sources.Any(source => Contains(source, snippet)),
            $"The C# snippet at {file}:{line} is not quoted from docs/snippets or a sample: put the code there, where it compiles, and quote it line for line.");
    }

    /// <summary>The C# blocks of the Markdown files, each with its file (relative to the repository) and the line of its opening fence.</summary>
    private static IEnumerable<(string File, int Line, List<string> Lines)> DocSnippets()
    {
        var files = new[] { "README.md", Path.Combine("migrations-sample", "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(Root, "docs"), "*.md").Select(f => Path.GetRelativePath(Root, f)))
            .Concat(Directory.EnumerateDirectories(Path.Combine(Root, "samples")).Select(d => Path.GetRelativePath(Root, Path.Combine(d, "README.md"))))
            .Where(f => File.Exists(Path.Combine(Root, f)))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(Path.Combine(Root, file));
            for (var i = 0; i < lines.Length; i++)
            {
                if (lines[i].Trim() is not ("```csharp" or "```cs"))
                {
                    continue;
                }

                var end = Array.FindIndex(lines, i + 1, l => l.TrimStart().StartsWith("```", StringComparison.Ordinal));
                yield return (file.Replace('\\', '/'), i + 1, Normalized(lines[(i + 1)..end]));
                i = end;
            }
        }
    }

    /// <summary>Lines without their indentation and trailing space, blank lines left out.</summary>
    private static List<string> Normalized(IEnumerable<string> lines) => [.. lines.Select(l => l.Trim()).Where(l => l.Length > 0)];

    private static bool Contains(List<string> source, List<string> snippet)
    {
        for (var start = 0; start + snippet.Count <= source.Count; start++)
        {
            if (source.Skip(start).Take(snippet.Count).SequenceEqual(snippet, StringComparer.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Liblim.EfCore.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("The tests run outside the repository: Liblim.EfCore.sln was not found above " + AppContext.BaseDirectory);
    }
}
