using System.Globalization;
using System.Text;

namespace Liblim.EfCore.Benchmarks;

/// <summary>The figures of a run, each with its target and whether it meets it, as a Markdown table.</summary>
internal sealed class FigureTable
{
    private readonly List<(string Figure, string What, string Result, string Target, bool? Meets)> _rows = [];

    public void Add(string figure, string what, string result, string target, bool? meets) => _rows.Add((figure, what, result, target, meets));

    public void AddMissing(string figure, string what, string target, string why) => _rows.Add((figure, what, why, target, null));

    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.AppendLine("| figure | what | measured | target | meets |");
        sb.AppendLine("|---|---|---|---|---|");
        foreach (var (figure, what, result, target, meets) in _rows)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"| {figure} | {what} | {result} | {target} | {(meets is null ? "not measured" : meets.Value ? "yes" : "**no**")} |");
        }

        return sb.ToString();
    }

    public static string Ms(double nanoseconds) => (nanoseconds / 1e6).ToString(nanoseconds >= 1e9 ? "N0" : "N1", CultureInfo.InvariantCulture) + " ms";

    public static string Ratio(double ratio) => ratio.ToString("0.00", CultureInfo.InvariantCulture) + "x";

    public static string Bytes(double bytes) => bytes switch
    {
        >= 10 << 20 => (bytes / (1 << 20)).ToString("N1", CultureInfo.InvariantCulture) + " MiB",
        >= 10 << 10 => (bytes / 1024).ToString("N1", CultureInfo.InvariantCulture) + " KiB",
        _ => bytes.ToString("N0", CultureInfo.InvariantCulture) + " B",
    };

    public static string N(double value, string format = "N0") => value.ToString(format, CultureInfo.InvariantCulture);
}
