using TodoSync;

// Usage: TodoSync demo [--keep]
// Later: add / edit / list / serve / sync commands for a real multi-process setup.
var command = args.FirstOrDefault();
var keep = args.Skip(1).Contains("--keep");

switch (command)
{
    case "demo":
        return await DemoScene.RunAsync(keep);
    case null or "help" or "--help" or "-h":
        PrintUsage();
        return 0;
    default:
        Console.Error.WriteLine($"Unknown command '{command}'.");
        PrintUsage();
        return 2;
}

static void PrintUsage()
{
    Console.WriteLine("""
        TodoSync: a to-do list replicated between devices with Liblim.EfCore.

        Usage:
          dotnet run --project samples/TodoSync -- demo [--keep]

        Commands:
          demo     Play a scripted scene: phone, laptop and desktop (each its own SQLite file)
                   edit the same list offline, then sync and converge. --keep leaves the
                   temp folder with the three databases in place.
        """);
}
