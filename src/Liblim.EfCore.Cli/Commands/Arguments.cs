using System.Globalization;
using Liblim.EfCore.Cli.Inspection;

namespace Liblim.EfCore.Cli.Commands;

/// <summary>
/// A command line: the command, its <c>--db</c> databases, <c>--json</c>, <c>--limit</c>, the filters of <c>conflicts</c>
/// (<c>--table</c>, <c>--key</c>, <c>--since</c>), and the values given without an option (a table and key, two databases).
/// Options may come anywhere, as <c>--db X</c> or <c>--db=X</c>.
/// </summary>
internal sealed class Arguments
{
    private Arguments(string? command, List<string> databases, List<string> values, bool json, int? limit, bool help, Dictionary<string, string> filters)
    {
        Filters = filters;
        Command = command;
        Databases = databases;
        Values = values;
        Json = json;
        Limit = limit;
        Help = help;
    }

    public string? Command { get; }

    public IReadOnlyList<string> Databases { get; }

    public IReadOnlyList<string> Values { get; }

    public bool Json { get; }

    public int? Limit { get; }

    public bool Help { get; }

    /// <summary>The filters given (<c>--table</c>, <c>--key</c>, <c>--since</c>), by option name without its dashes.</summary>
    public IReadOnlyDictionary<string, string> Filters { get; }

    /// <exception cref="CliException">An unknown option, or one without its value.</exception>
    public static Arguments Parse(IReadOnlyList<string> args)
    {
        string? command = null;
        var (databases, values) = (new List<string>(), new List<string>());
        var (json, help) = (false, false);
        int? limit = null;
        var filters = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inline) = args[i].StartsWith("--", StringComparison.Ordinal) && args[i].IndexOf('=', StringComparison.Ordinal) is > 2 and var eq
                ? (args[i][..eq], args[i][(eq + 1)..])
                : (args[i], null);
            string Value() => inline ?? (i + 1 < args.Count ? args[++i] : throw new CliException($"{name} needs a value (liblim --help)"));
            switch (name)
            {
                case "--db":
                    databases.Add(Value());
                    break;
                case "--json":
                    json = true;
                    break;
                case "--limit":
                    var text = Value();
                    limit = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : throw new CliException($"--limit takes a number of rows, not '{text}'");
                    break;
                case "--table" or "--key" or "--since":
                    filters[name[2..]] = Value();
                    break;
                case "--help" or "-h" or "-?":
                    help = true;
                    break;
                case var option when option.StartsWith("--", StringComparison.Ordinal) || (option.StartsWith('-') && option.Length > 1 && !char.IsAsciiDigit(option[1])):
                    throw new CliException($"unknown option {option} (liblim --help)"); // a value may start with '-' and a digit: a key of -5
                default:
                    if (command is null)
                    {
                        command = args[i];
                    }
                    else
                    {
                        values.Add(args[i]);
                    }

                    break;
            }
        }

        return new Arguments(command, databases, values, json, limit, help, filters);
    }

    /// <summary>The one database the command reads.</summary>
    /// <exception cref="CliException">None or several given.</exception>
    public DatabaseAddress Database()
        => Databases.Count == 1 ? DatabaseAddress.Parse(Databases[0])
            : throw new CliException($"{Command} reads one database: give it with --db <sqlite-file | postgres-connection-string>");

    /// <summary>The values given without an option, exactly as many as <paramref name="names"/> says.</summary>
    /// <exception cref="CliException">Another number given.</exception>
    public IReadOnlyList<string> Expect(params string[] names)
        => Values.Count == names.Length ? Values
            : throw new CliException(names.Length == 0
                ? $"{Command} takes no value besides its options, but got '{Values[0]}'"
                : $"{Command} takes {string.Join(" and ", names.Select(n => $"<{n}>"))}, but got {Values.Count} value(s)");
}
