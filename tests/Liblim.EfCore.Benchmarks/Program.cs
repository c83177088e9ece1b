using Liblim.EfCore.Benchmarks;

// dotnet run -c Release --project tests/Liblim.EfCore.Benchmarks -- short|full|measure [options]; see docs/benchmarks.md.
return await Cli.RunAsync(args);
