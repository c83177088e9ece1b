namespace Liblim.EfCore.Storage.Internal;

/// <summary>
/// The local numbers of the node ids a database has seen (the rows of <c>__liblim_nodes</c>, or those of them read so
/// far): stored timestamps and sources name a node by its number rather than by its 32-digit id. Numbers are local to
/// one database and never leave it. Node ids are their 32 lowercase hex digits (<see cref="Guid"/> "N" format, as in
/// the text form of <see cref="HybridTimestamp"/>).
/// </summary>
internal sealed class NodeNumbers
{
    private readonly Dictionary<string, int> _byNode = new(StringComparer.Ordinal);
    private readonly Dictionary<int, string> _byNumber = [];
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _byNodeText;

    // Conversions already made with these numbers, which never change: rows written or read together mostly share their
    // clocks (every row of one SaveChanges' inserts, every row a merge batch stamps), so each text is converted once.
    private const int MemoLimit = 4096;

    private readonly Dictionary<string, string> _toStored = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _toFull = new(StringComparer.Ordinal);
    private readonly Dictionary<int, HybridTimestamp> _stamps = [];

    public NodeNumbers() => _byNodeText = _byNode.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>How many nodes are numbered here.</summary>
    public int Count => _byNumber.Count;

    /// <summary>Records the number of a node.</summary>
    /// <exception cref="InvalidOperationException">The node or the number is numbered differently already.</exception>
    public void Add(int number, string node)
    {
        if ((_byNumber.TryGetValue(number, out var known) && known != node)
            || (_byNode.TryGetValue(node, out var knownNumber) && knownNumber != number))
        {
            throw new InvalidOperationException($"Node {node} cannot be number {number}: the numbers of nodes are unique and never change.");
        }

        _byNode[node] = number;
        _byNumber[number] = node;
    }

    /// <summary>The stored form of a clock's text (a timestamp, or column clocks), made by <paramref name="store"/> once per text.</summary>
    public string StoredForm(string text, Func<string, NodeNumbers, string> store) => Memo(_toStored, text, store);

    /// <summary>The text form of a stored clock (a timestamp, or column clocks), made by <paramref name="expand"/> once per stored text.</summary>
    public string FullForm(string stored, Func<string, NodeNumbers, string> expand) => Memo(_toFull, stored, expand);

    private string Memo(Dictionary<string, string> memo, string text, Func<string, NodeNumbers, string> convert)
    {
        if (!memo.TryGetValue(text, out var converted))
        {
            if (memo.Count >= MemoLimit)
            {
                memo.Clear();
            }

            converted = convert(text, this);
            memo[text] = converted;
        }

        return converted;
    }

    /// <summary>Whether the node has a number here.</summary>
    public bool Contains(string node) => _byNode.ContainsKey(node);

    /// <summary>Whether the node (its 32 hex digits, within a longer text) has a number here.</summary>
    public bool Contains(ReadOnlySpan<char> node) => _byNodeText.ContainsKey(node);

    /// <summary>Whether the number names a node here.</summary>
    public bool Contains(int number) => _byNumber.ContainsKey(number);

    /// <summary>The number of a node.</summary>
    /// <exception cref="InvalidOperationException">The node has no number yet (it must be numbered before rows naming it are written).</exception>
    public int NumberOf(string node)
        => _byNode.TryGetValue(node, out var number)
            ? number
            : throw new InvalidOperationException($"Node {node} has no number in this database yet.");

    /// <summary>The number of the node that issued <paramref name="timestamp"/>, found without making its id's text.</summary>
    /// <exception cref="InvalidOperationException">The node has no number yet.</exception>
    public int NumberOf(HybridTimestamp timestamp)
    {
        Span<char> node = stackalloc char[32];
        timestamp.FormatNode(node);
        return _byNodeText.TryGetValue(node, out var number)
            ? number
            : throw new InvalidOperationException($"Node {node} has no number in this database yet.");
    }

    /// <summary>Whether every node a listing's timestamps name has a number here, found without making their ids' text.</summary>
    public bool ContainsAll(RegisterListing registers)
    {
        if (registers.BasePrior is { } basePrior && !Numbered(basePrior))
        {
            return false;
        }

        foreach (var (_, clock, prior) in registers.Listed)
        {
            if (!Numbered(clock) || (prior is { } p && !Numbered(p)))
            {
                return false;
            }
        }

        return true;
    }

    private bool Numbered(HybridTimestamp timestamp)
    {
        Span<char> node = stackalloc char[32];
        timestamp.FormatNode(node);
        return _byNodeText.ContainsKey(node);
    }

    /// <summary>The timestamp with <paramref name="ticks"/> of the node a number names.</summary>
    /// <exception cref="FormatException">No node has that number: the stored metadata is damaged.</exception>
    public HybridTimestamp Stamp(int number, long ticks)
    {
        if (!_stamps.TryGetValue(number, out var stamp))
        {
            stamp = HybridTimestamp.Parse(string.Concat("0000000000000000.", NodeOf(number)));
            _stamps[number] = stamp;
        }

        return stamp.WithTicks(ticks);
    }

    /// <summary>The node a number names.</summary>
    /// <exception cref="FormatException">No node has that number: the stored metadata is damaged.</exception>
    public string NodeOf(int number)
        => _byNumber.TryGetValue(number, out var node)
            ? node
            : throw new FormatException($"Node number {number} is not in __liblim_nodes: the stored metadata is damaged.");
}
