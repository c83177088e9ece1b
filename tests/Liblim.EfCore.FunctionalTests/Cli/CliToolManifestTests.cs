using System.Reflection;
using Liblim.EfCore.FunctionalTests.Infrastructure;
using Liblim.EfCore.FunctionalTests.Model;

namespace Liblim.EfCore.FunctionalTests.Cli;

/// <summary>
/// The way docs/cli.md says to run the command from a clone: scripts/liblim.sh packs it into a local feed and installs it
/// into a tool manifest of its own, read by dotnet beside the repository's (dotnet-ef); then <c>dotnet tool run liblim</c>.
/// </summary>
public class CliToolManifestTests
{
    [Fact]
    public async Task The_script_installs_the_packed_command_into_a_manifest_beside_the_repositorys_and_dotnet_tool_run_runs_it()
    {
        var folder = Directory.CreateTempSubdirectory("liblim-tool-").FullName;
        try
        {
            // A folder like the clone's root: the repository's manifest, and NuGet reading only the local feed (no network)
            // into a cache of the test's own.
            File.Copy(Path.Combine(LiblimTool.RepositoryRoot, "dotnet-tools.json"), Path.Combine(folder, "dotnet-tools.json"));
            await File.WriteAllTextAsync(Path.Combine(folder, "nuget.config"),
                "<configuration><packageSources><clear /></packageSources></configuration>");
            var environment = new Dictionary<string, string>
            {
                ["LIBLIM_TOOL_DIR"] = folder,
                ["LIBLIM_NO_BUILD"] = "1",
                ["LIBLIM_CONFIGURATION"] = typeof(LiblimTool).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!.Configuration,
                ["NUGET_PACKAGES"] = Path.Combine(folder, "packages"),
            };
            var install = await LiblimTool.RunProcessAsync("bash", [Path.Combine(LiblimTool.RepositoryRoot, "scripts", "liblim.sh"), "install"], folder, environment);
            Assert.True(install.ExitCode == 0, install.ToString());

            using var replica = new SqliteReplica("tool");
            await Replicas.InsertAsync(replica, new TodoItem { Id = Guid.NewGuid(), Title = "milk" });
            var below = Directory.CreateDirectory(Path.Combine(folder, "deeper", "down")).FullName;
            var status = await LiblimTool.RunProcessAsync(LiblimTool.Dotnet, ["tool", "run", "liblim", "--", "status", "--db", replica.Path, "--json"], below, environment);
            Assert.True(status.ExitCode == 0, status.ToString());
            Assert.Equal(1, status.Json.GetProperty("rows").GetInt64());

            // Both manifests are read: the command's and the repository's own, whose dotnet-ef is untouched.
            var list = await LiblimTool.RunProcessAsync(LiblimTool.Dotnet, ["tool", "list", "--local"], below, environment);
            Assert.Contains(list.Lines, l => l.StartsWith("liblim.efcore.cli ", StringComparison.Ordinal) && l.Contains(Path.Combine(folder, ".config", "dotnet-tools.json"), StringComparison.Ordinal));
            Assert.Contains(list.Lines, l => l.StartsWith("dotnet-ef ", StringComparison.Ordinal) && l.Contains(Path.Combine(folder, "dotnet-tools.json"), StringComparison.Ordinal));
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(LiblimTool.RepositoryRoot, "dotnet-tools.json")), await File.ReadAllTextAsync(Path.Combine(folder, "dotnet-tools.json")));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
