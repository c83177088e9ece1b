using TodoSync;

// TodoSync demo [--keep]                 the scripted three-device scene (the README's main job)
// TodoSync [--db FILE] [--secret S] CMD   one device: add, edit, note, done, delete, list, serve, sync, live
var options = args.ToList();
var database = TakeOption(options, "--db") ?? "todo.db";
var secret = TakeOption(options, "--secret") ?? Environment.GetEnvironmentVariable("TODOSYNC_SECRET") ?? "todo-sync-demo-secret";
var command = options.FirstOrDefault();

switch (command)
{
    case "demo":
        return await DemoScene.RunAsync(options.Contains("--keep"));
    case null or "help" or "--help" or "-h":
        PrintUsage();
        return 0;
    default:
        var result = await Cli.RunAsync(command, database, secret, options.Skip(1).ToList());
        if (result < 0)
        {
            Console.Error.WriteLine($"Unknown command or wrong arguments: {string.Join(' ', options)}");
            PrintUsage();
            return 2;
        }

        return result;
}

static string? TakeOption(List<string> args, string name)
{
    var at = args.IndexOf(name);
    if (at < 0 || at == args.Count - 1)
    {
        return null;
    }

    var value = args[at + 1];
    args.RemoveRange(at, 2);
    return value;
}

static void PrintUsage()
{
    Console.WriteLine("""
        TodoSync: a to-do list replicated between devices with Liblim.EfCore.

        Usage:
          dotnet run --project samples/TodoSync -- demo [--keep]
          dotnet run --project samples/TodoSync -- [--db FILE] [--secret S] COMMAND

        Commands:
          demo                 Play a scripted scene: phone, laptop and desktop (each its own SQLite file,
                               each serving it on a loopback port) edit the same list offline, then sync
                               over TCP and converge. --keep leaves the three databases in place.
          add TITLE            Add an item.
          edit ID TITLE        Rename an item (ID: the first characters of its id, as listed).
          note ID TEXT         Set an item's notes.
          done ID              Mark an item done.
          delete ID            Delete an item.
          list                 Show the list.
          serve [PORT]         Accept peers on PORT (default 4242) until Ctrl+C; print changes as they arrive.
          sync URI             Sync once with a peer, e.g. liblim://127.0.0.1:4242, and show the list.
          live URI             Stay connected to a peer: changes on either side appear on the other at once.

        --db defaults to todo.db; --secret to $TODOSYNC_SECRET, else a demo secret every device shares.
        """);
}
