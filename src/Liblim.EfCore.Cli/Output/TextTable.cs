namespace Liblim.EfCore.Cli.Output;

/// <summary>Rows of text cells written in aligned columns, two spaces apart; a table with headers writes them first.</summary>
internal sealed class TextTable(params string[] headers)
{
    private readonly List<string[]> _rows = [];

    public int Count => _rows.Count;

    public TextTable Add(params string?[] cells)
    {
        _rows.Add([.. cells.Select(c => c ?? "")]);
        return this;
    }

    public void WriteTo(TextWriter output)
    {
        var rows = headers.Length > 0 ? _rows.Prepend(headers).ToList() : _rows;
        if (rows.Count == 0)
        {
            return;
        }

        var widths = new int[rows.Max(r => r.Length)];
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length - 1; i++)
            {
                widths[i] = Math.Max(widths[i], row[i].Length);
            }
        }

        foreach (var row in rows)
        {
            output.WriteLine(string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
        }
    }
}
