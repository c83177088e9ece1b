using Liblim.EfCore;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace TodoSync;

/// <summary>
/// The scripted scene: three devices share a to-do list, edit it offline at the same time, sync, and converge.
/// </summary>
public static class DemoScene
{
    // Fixed node ids, so that every run has the same devices (and the same tie-breaks between them).
    /// <summary>The secret the three devices share; each proves it knows it, without sending it.</summary>
    private const string Secret = "todo-sync-demo-secret";

    private static readonly Guid PhoneNode = new("11111111-1111-1111-1111-111111111111");
    private static readonly Guid LaptopNode = new("22222222-2222-2222-2222-222222222222");
    private static readonly Guid DesktopNode = new("33333333-3333-3333-3333-333333333333");

    // Keys are chosen by the app, not the database: any device can create a row while offline.
    private static readonly Guid ItemA = new("aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa");
    private static readonly Guid ItemB = new("bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb");
    private static readonly Guid ItemC = new("cccccccc-cccc-cccc-cccc-cccccccccccc");
    private static readonly Guid ItemD = new("dddddddd-dddd-dddd-dddd-dddddddddddd");

    private const string PhoneTitleA = "Buy oat milk";
    private const string LaptopTitleB = "Call plumber about the sink";
    private const string DesktopTitleB = "Call plumber before Friday";
    private const string DesktopNotesC = "photo booth appointment booked";

    public static async Task<int> RunAsync(bool keep)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"todosync-demo-{Guid.NewGuid():N}"[..22]);
        Directory.CreateDirectory(folder);
        Console.WriteLine($"Databases in {folder}");

        bool converged;
        try
        {
            var phone = new Device("phone", PhoneNode, folder);
            var laptop = new Device("laptop", LaptopNode, folder);
            var desktop = new Device("desktop", DesktopNode, folder);
            try
            {
                converged = await PlayAsync(phone, laptop, desktop);
            }
            finally
            {
                foreach (var device in new[] { phone, laptop, desktop })
                {
                    if (device.Server is { } server)
                    {
                        await server.DisposeAsync();
                    }
                }
            }
        }
        finally
        {
            if (!keep)
            {
                SqliteConnection.ClearAllPools(); // pooled connections keep the files open
                Directory.Delete(folder, recursive: true);
            }
        }

        Console.WriteLine();
        Console.WriteLine(keep ? $"Kept {folder}" : $"Deleted {folder} (pass --keep to keep it)");
        Console.WriteLine(converged ? "converged: yes" : "converged: NO");
        return converged ? 0 : 1;
    }

    /// <summary>The name shown for a row: A, B, C or D for the demo's items.</summary>
    public static string LabelOf(Guid id)
        => id == ItemA ? "A" : id == ItemB ? "B" : id == ItemC ? "C" : id == ItemD ? "D" : id.ToString();

    /// <summary>The name shown for a <see cref="Liblim.EfCore.ChangedRow.Key"/>: a JSON array of the key's values.</summary>
    public static string LabelOf(string key)
        => Guid.TryParse(key.Trim('[', ']', '"'), out var id) ? LabelOf(id) : key;

    private static async Task<bool> PlayAsync(Device phone, Device laptop, Device desktop)
    {
        Device[] devices = [phone, laptop, desktop];
        foreach (var device in devices)
        {
            await device.CreateDatabaseAsync();
            await device.StartServerAsync(Secret);
            Console.WriteLine($"{device.Name} serves its database on liblim://127.0.0.1:{device.Server!.Endpoint.Port}");
        }

        Console.WriteLine();
        Console.WriteLine("1. The phone creates three items; phone syncs with laptop, laptop with desktop.");
        await using (var db = phone.Open())
        {
            db.Items.AddRange(
                new TodoItem { Id = ItemA, Title = "Buy milk", Notes = "2 litres", Priority = 1 },
                new TodoItem { Id = ItemB, Title = "Call plumber", Notes = "kitchen sink drips", Priority = 2 },
                new TodoItem { Id = ItemC, Title = "Renew passport", Notes = "needs new photos", Priority = 3 });
            await db.SaveChangesAsync();
        }

        await phone.SyncWithAsync(laptop, Secret);
        await laptop.SyncWithAsync(desktop, Secret);

        Console.WriteLine();
        Console.WriteLine("2. All three go offline and edit at the same time.");
        await EditAsync(phone, ItemA, $"renames A to \"{PhoneTitleA}\"", item => item.Title = PhoneTitleA);
        await EditAsync(laptop, ItemA, "marks A done", item => item.Done = true);
        await EditAsync(laptop, ItemB, $"renames B to \"{LaptopTitleB}\"", item => item.Title = LaptopTitleB);
        await DeleteAsync(phone, ItemC);

        await Task.Delay(20); // make the desktop's edits clearly later than the others
        Console.WriteLine("   (20 ms later)");
        await EditAsync(desktop, ItemB, $"renames B to \"{DesktopTitleB}\"", item => item.Title = DesktopTitleB);
        await EditAsync(desktop, ItemC, $"sets C's notes to \"{DesktopNotesC}\"", item => item.Notes = DesktopNotesC);
        await using (var db = desktop.Open())
        {
            db.Items.Add(new TodoItem { Id = ItemD, Title = "Book dentist", Priority = 2 });
            await db.SaveChangesAsync();
        }

        Console.WriteLine("   desktop: adds D \"Book dentist\"");

        Console.WriteLine();
        Console.WriteLine("3. Back online: sync.");
        await phone.SyncWithAsync(laptop, Secret);
        await laptop.SyncWithAsync(desktop, Secret);
        await phone.SyncWithAsync(laptop, Secret);

        Console.WriteLine();
        Console.WriteLine("4. Every device's table:");
        var tables = new Dictionary<Device, List<TodoItem>>();
        foreach (var device in devices)
        {
            tables[device] = await device.ReadItemsAsync();
            PrintTable(device, tables[device]);
        }

        Console.WriteLine();
        Console.WriteLine("5. Every device's conflict journal (db.Liblim().GetConflictsAsync()):");
        var journals = new Dictionary<Device, IReadOnlyList<LiblimConflict>>();
        foreach (var device in devices)
        {
            await using var db = device.Open();
            journals[device] = await db.Liblim().GetConflictsAsync();
            PrintJournal(device, journals[device], devices);
        }

        Console.WriteLine();
        Console.WriteLine("Who won and why:");
        ExplainConflicts(tables, journals, devices);

        var reference = Rows(tables[phone]);
        return devices.All(d => Rows(tables[d]).SequenceEqual(reference));
    }

    private static async Task EditAsync(Device device, Guid id, string description, Action<TodoItem> edit)
    {
        await using var db = device.Open();
        var item = await db.Items.FindAsync(id) ?? throw new InvalidOperationException($"{LabelOf(id)} is missing on {device}.");
        edit(item);
        await db.SaveChangesAsync();
        Console.WriteLine($"   {device.Name + ":",-8} {description}");
    }

    private static async Task DeleteAsync(Device device, Guid id)
    {
        await using var db = device.Open();
        var item = await db.Items.FindAsync(id) ?? throw new InvalidOperationException($"{LabelOf(id)} is missing on {device}.");
        db.Items.Remove(item);
        await db.SaveChangesAsync();
        Console.WriteLine($"   {device.Name + ":",-8} deletes {LabelOf(id)}");
    }

    private static void PrintTable(Device device, List<TodoItem> items)
    {
        Console.WriteLine($"   {device.Name} ({items.Count} items)");
        Console.WriteLine($"     {"key",-4} {"title",-28} {"done",-5} {"prio",-5} notes");
        foreach (var item in items)
        {
            Console.WriteLine($"     {LabelOf(item.Id),-4} {item.Title,-28} {(item.Done ? "yes" : "no"),-5} {item.Priority,-5} {item.Notes ?? "-"}");
        }
    }

    /// <summary>One line per conflict a device's merges decided: the row, the column, the value kept and the value lost, and who wrote each.</summary>
    private static void PrintJournal(Device device, IReadOnlyList<LiblimConflict> journal, Device[] devices)
    {
        if (journal.Count == 0)
        {
            Console.WriteLine($"   {device.Name,-8} none");
        }

        foreach (var c in journal)
        {
            var winner = c.Winner is { } w ? $"\"{w.Value}\" ({NameOf(w.Node, devices)})" : "the row's delete";
            Console.WriteLine($"   {device.Name,-8} {LabelOf(c.GetKey<Guid>())} {c.Property}: {winner} won over \"{c.Loser.Value}\" ({NameOf(c.Loser.Node, devices)})");
        }
    }

    private static string Names(IEnumerable<string> names)
        => names.ToList() is var list && list.Count > 1 ? $"{string.Join(", ", list[..^1])} and {list[^1]}" : string.Join("", list);

    private static string NameOf(Guid node, Device[] devices) => devices.FirstOrDefault(d => d.NodeId == node)?.Name ?? node.ToString();

    /// <summary>One line per row with every column, to compare devices.</summary>
    private static List<string> Rows(List<TodoItem> items)
        => [.. items.Select(i => $"{i.Id}|{i.Title}|{i.Done}|{i.Notes}|{i.Priority}")];

    /// <summary>Explains each outcome from the data the devices ended up with and the conflicts their journals hold.</summary>
    private static void ExplainConflicts(Dictionary<Device, List<TodoItem>> tables, Dictionary<Device, IReadOnlyList<LiblimConflict>> journals, Device[] devices)
    {
        var final = tables.Values.First();
        TodoItem? Find(Guid id) => final.FirstOrDefault(i => i.Id == id);

        var a = Find(ItemA);
        Console.WriteLine(a is { Title: PhoneTitleA, Done: true }
            ? $"   A: both edits kept: title \"{a.Title}\" from the phone, done from the laptop. They changed different\n" +
              "      columns, and each column is its own last-writer-wins register, so neither overwrote the other."
            : $"   A: UNEXPECTED: expected title \"{PhoneTitleA}\" and done, found {Describe(a)}.");

        var b = Find(ItemB);
        var onB = journals.Where(j => j.Value.Any(c => c.GetKey<Guid>() == ItemB)).ToList();
        var conflict = onB.FirstOrDefault().Value?.First(c => c.GetKey<Guid>() == ItemB);
        Console.WriteLine(b?.Title == DesktopTitleB && conflict is { Property: nameof(TodoItem.Title) } && conflict.Winner is { } winner && NameOf(winner.Node, devices) == "desktop"
            ? $"   B: the desktop's title \"{b.Title}\" won. Laptop and desktop both changed the title, neither\n" +
              "      having seen the other's; the desktop's write has the later hybrid-logical-clock timestamp (it came\n" +
              $"      20 ms later), so every device keeps it. The laptop's \"{conflict.Loser.Value}\" is not lost:\n" +
              $"      the journals of {Names(onB.Select(j => j.Key.Name))}, whose merges decided it, keep it, and\n" +
              "      db.Liblim().RestoreAsync(conflict) writes it back."
            : $"   B: UNEXPECTED: expected the desktop's later title, recorded as a conflict; found {Describe(b)}, journaled on {onB.Count} devices.");

        var stillHaveC = tables.Where(t => t.Value.Any(i => i.Id == ItemC)).Select(t => t.Key.Name).ToList();
        var onC = journals.Where(j => j.Value.Any(c => c.GetKey<Guid>() == ItemC && c.LostToDelete)).Select(j => j.Key.Name).ToList();
        Console.WriteLine(stillHaveC.Count == 0 && onC.Count > 0
            ? "   C: deleted everywhere. The phone's delete tombstoned the row's add tag; the desktop's notes edit,\n" +
              "      though later, added no new tag, so it did not bring the row back. It was made without seeing the\n" +
              $"      delete: the journal of {Names(onC)}, where the two met, keeps it as lost to the delete."
            : $"   C: UNEXPECTED: still present on {string.Join(", ", stillHaveC)}: {Describe(Find(ItemC))}.");

        var haveD = tables.Where(t => t.Value.Any(i => i.Id == ItemD)).Select(t => t.Key.Name).ToList();
        Console.WriteLine(haveD.Count == tables.Count
            ? $"   D: the desktop's new item \"{Find(ItemD)!.Title}\" reached every device: desktop -> laptop (2nd sync),\n" +
              "      laptop -> phone (3rd sync)."
            : $"   D: UNEXPECTED: only on {string.Join(", ", haveD)}.");
    }

    private static string Describe(TodoItem? item)
        => item is null ? "no row" : $"title \"{item.Title}\", done {item.Done}, notes \"{item.Notes}\"";
}
