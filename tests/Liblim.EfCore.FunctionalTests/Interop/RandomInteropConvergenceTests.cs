using System.Net;
using Liblim.EfCore.Values;
using Microsoft.EntityFrameworkCore;

namespace Liblim.EfCore.FunctionalTests.Interop;

/// <summary>
/// Random inserts, updates and deletes on three replicas, a C# hub (a LiblimServer), a C# edge and a Python replica
/// (which also serves), synced in random order over real TCP in both implementations' roles. After every sync the two
/// replicas that synced, and at the end all three, hold exactly the live rows of a reference model of the spec's rules:
/// per column the latest write wins, and a delete removes only the add tags it saw (a concurrent insert survives it).
/// Each write happens in a millisecond of its own, so that "latest" is the order the test made the writes in.
/// </summary>
public class RandomInteropConvergenceTests
{
    private static readonly (string Bin, int Slot)[] Keys = [("a:b", 1), ("c/d", 2), ("50%", 3), ("two words", -1), ("plain", 0), ("%3A", 5)];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(20261207)]
    public async Task Random_writes_and_syncs_between_CSharp_and_Python_converge_to_the_reference_model(int seed)
    {
        using var hub = new InteropReplica("random-hub");
        using var edge = new InteropReplica("random-edge");
        await using var server = await LiblimServer.StartAsync(new InteropFactory(hub),
            new LiblimServerOptions { Endpoint = new IPEndPoint(IPAddress.Loopback, 0), Secret = OneShotScenario.Secret });
        var hubAddress = new Uri($"liblim://127.0.0.1:{server.Endpoint.Port}");
        await using var python = OneShotInteropTests.StartPython("random-py", hub);
        var pythonAddress = await python.ServeAsync(OneShotScenario.Secret);
        var run = new Run(seed, hub, edge, python, hubAddress, pythonAddress);
        try
        {
            await run.StepsAsync(40);
            await run.ConvergeAsync();
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"Seed {seed} failed at step {run.Step}: {e.Message}\nThe steps:\n  {string.Join("\n  ", run.Log)}\n{python.Log}");
        }
    }

    private sealed class Run(int seed, InteropReplica hub, InteropReplica edge, PythonPeer python, Uri hubAddress, Uri pythonAddress)
    {
        private const string Py = "python";
        private readonly Random _random = new(seed);
        private readonly Dictionary<string, Dictionary<(string, int), ModelRow>> _model = new() { ["hub"] = [], ["edge"] = [], [Py] = [] };
        private int _tags;
        private long _writes;

        public int Step { get; private set; }

        public List<string> Log { get; } = [];

        public async Task StepsAsync(int count)
        {
            for (Step = 1; Step <= count; Step++)
            {
                if (_random.Next(3) == 0)
                {
                    await SyncAsync(_random.Next(3));
                }
                else
                {
                    await WriteAsync(new[] { "hub", "edge", Py }[_random.Next(3)]);
                }
            }
        }

        /// <summary>Syncs every pair until all three hold everything, then checks each against the model.</summary>
        public async Task ConvergeAsync()
        {
            foreach (var pair in new[] { 0, 1, 2, 0, 1 })
            {
                await SyncAsync(pair);
            }

            foreach (var name in _model.Keys)
            {
                Assert.Equal(Expected("hub"), Expected(name)); // the model converged too
                await CheckAsync(name);
            }
        }

        private async Task SyncAsync(int pair)
        {
            var (a, b) = pair switch { 0 => (Py, "hub"), 1 => ("edge", "hub"), _ => ("edge", Py) };
            Log.Add($"{Step}: sync {a} -> {b}");
            if (a == Py)
            {
                var answer = await python.RunAsync(new { cmd = "sync", address = hubAddress.ToString(), secret = OneShotScenario.Secret });
                Assert.Equal(0, answer.GetProperty("restarts").GetInt32());
            }
            else
            {
                await using var db = edge.Open();
                await db.Liblim().SyncWithAsync(b == "hub" ? hubAddress : pythonAddress, OneShotScenario.Secret);
            }

            var merged = Merge(_model[a], _model[b]);
            _model[a] = merged;
            _model[b] = Merge(merged, []);
            await CheckAsync(a);
            await CheckAsync(b);
        }

        private async Task WriteAsync(string replica)
        {
            var rows = _model[replica];
            var key = Keys[_random.Next(Keys.Length)];
            var row = rows.GetValueOrDefault(key);
            string what;
            Dictionary<string, string> values;
            if (row is null || !row.Alive)
            {
                values = new() { ["Label"] = Label(), ["Qty"] = Qty(null), ["Note"] = Note(null) };
                what = "insert";
            }
            else if (_random.Next(3) == 0)
            {
                values = [];
                what = "delete";
            }
            else
            {
                values = [];
                var current = row.Values();
                foreach (var column in new[] { "Label", "Qty", "Note" }.Where(_ => _random.Next(2) == 0).DefaultIfEmpty("Label"))
                {
                    values[column] = column switch { "Label" => Label(), "Qty" => Qty(current["Qty"]), _ => Note(current["Note"]) };
                }

                what = "update";
            }

            Log.Add($"{Step}: {what} {key} on {replica} {string.Join(", ", values.Select(v => $"{v.Key}={v.Value}"))}");
            if (replica == Py)
            {
                string[] keyTexts = [CanonicalJson.Encode(key.Item1, typeof(string)), CanonicalJson.Encode(key.Item2, typeof(int))];
                await python.WriteAsync(what switch
                {
                    "insert" => PythonWrite.Insert("Parts", new(values) { ["Bin"] = keyTexts[0], ["Slot"] = keyTexts[1] }),
                    "delete" => PythonWrite.Delete("Parts", keyTexts),
                    _ => PythonWrite.Update("Parts", keyTexts, values),
                });
            }
            else
            {
                await using var db = (replica == "hub" ? hub : edge).Open();
                if (what == "insert")
                {
                    var part = new Part { Bin = key.Item1, Slot = key.Item2 };
                    Assign(part, values);
                    db.Parts.Add(part);
                }
                else
                {
                    var part = await db.Parts.SingleAsync(p => p.Bin == key.Item1 && p.Slot == key.Item2);
                    if (what == "delete")
                    {
                        db.Parts.Remove(part);
                    }
                    else
                    {
                        Assign(part, values);
                    }
                }

                await db.SaveChangesAsync();
            }

            // The model: a new add tag per insert, a delete tombstones the tags it sees, columns stamped by write order.
            row ??= rows[key] = new ModelRow();
            var stamp = ++_writes;
            if (what == "insert")
            {
                row.Adds.Add(++_tags);
            }

            if (what == "delete")
            {
                row.Dels.UnionWith(row.Adds);
            }

            foreach (var (column, text) in values)
            {
                row.Columns[column] = (stamp, text);
            }

            NextMillisecond();
        }

        /// <summary>Waits until the clock has moved to a new millisecond: every later write gets a later timestamp on any replica.</summary>
        private static void NextMillisecond()
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            while (DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() <= now)
            {
                Thread.SpinWait(50);
            }
        }

        private static void Assign(Part part, Dictionary<string, string> values)
        {
            foreach (var (column, text) in values)
            {
                switch (column)
                {
                    case "Label": part.Label = (string)CanonicalJson.Decode(text, typeof(string))!; break;
                    case "Qty": part.Qty = (int)CanonicalJson.Decode(text, typeof(int))!; break;
                    default: part.Note = (string?)CanonicalJson.Decode(text, typeof(string)); break;
                }
            }
        }

        private string Label()
        {
            string[] flavours = ["", "ü:/% x", "\"q\"\\", "tab\tline\n", "😀", "Ω"];
            return CanonicalJson.Encode($"s{Step}{flavours[_random.Next(flavours.Length)]}", typeof(string));
        }

        private string Qty(string? current)
        {
            string text;
            do
            {
                text = CanonicalJson.Encode(_random.Next(-1000, 1000), typeof(int));
            }
            while (text == current);
            return text;
        }

        private string Note(string? current) => current is null or "null" ? CanonicalJson.Encode($"n{Step}", typeof(string)) : "null";

        private Dictionary<(string, int), ModelRow> Merge(Dictionary<(string, int), ModelRow> a, Dictionary<(string, int), ModelRow> b)
        {
            var merged = new Dictionary<(string, int), ModelRow>();
            foreach (var key in a.Keys.Union(b.Keys))
            {
                var row = new ModelRow();
                foreach (var side in new[] { a.GetValueOrDefault(key), b.GetValueOrDefault(key) }.OfType<ModelRow>())
                {
                    row.Adds.UnionWith(side.Adds);
                    row.Dels.UnionWith(side.Dels);
                    foreach (var (column, value) in side.Columns)
                    {
                        if (!row.Columns.TryGetValue(column, out var held) || held.Stamp < value.Stamp)
                        {
                            row.Columns[column] = value;
                        }
                    }
                }

                merged[key] = row;
            }

            return merged;
        }

        /// <summary>The live rows the model holds for a replica, each with its values, as lines.</summary>
        private List<string> Expected(string replica)
            => [.. _model[replica].Where(r => r.Value.Alive).Select(r => Line(r.Key, r.Value.Values())).Order(StringComparer.Ordinal)];

        private static string Line((string Bin, int Slot) key, IReadOnlyDictionary<string, string> values)
            => $"Parts {CanonicalJson.Encode(key.Bin, typeof(string))},{key.Slot} Label={values["Label"]} Qty={values["Qty"]} Note={values["Note"]}";

        private async Task CheckAsync(string replica)
        {
            var rows = replica == Py ? await python.RowsAsync() : RowView.FromCSharp(replica == "hub" ? hub : edge);
            var actual = rows.Where(r => r.Alive && r.Table == "Parts")
                .Select(r =>
                {
                    var parts = CanonicalJson.DecodeKeyElements(r.Key, 2);
                    return Line(((string)CanonicalJson.Decode(parts[0], typeof(string))!, (int)CanonicalJson.Decode(parts[1], typeof(int))!), r.Values);
                })
                .Order(StringComparer.Ordinal)
                .ToList();
            var expected = Expected(replica);
            Assert.True(expected.SequenceEqual(actual),
                $"The {replica} replica does not hold what the model holds.\nModel:\n  {string.Join("\n  ", expected)}\nReplica:\n  {string.Join("\n  ", actual)}");
        }
    }

    private sealed class ModelRow
    {
        public HashSet<int> Adds { get; } = [];

        public HashSet<int> Dels { get; } = [];

        public Dictionary<string, (long Stamp, string Text)> Columns { get; } = [];

        public bool Alive => Adds.Except(Dels).Any();

        public Dictionary<string, string> Values() => Columns.ToDictionary(c => c.Key, c => c.Value.Text);
    }
}
