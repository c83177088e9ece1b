#!/usr/bin/env bash
# Packs the solution as a release would (LIBLIM_CI=true: a deterministic build) and checks what a NuGet user gets: the
# two packages with their symbols, the licence and README inside, and no path of this machine in the assemblies; and the
# liblim command's tool package (docs/cli.md).
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(mktemp -d "${TMPDIR:-/tmp}/liblim-packages.XXXXXX")"
trap 'rm -rf "$out"' EXIT
# Built anew: an incremental build would keep assemblies an earlier build made with this machine's paths.
for project in src/Liblim.EfCore.AspNetCore src/Liblim.EfCore.Cli; do
  LIBLIM_CI=true dotnet build "$project" -c Release --no-incremental --nologo -v quiet > "$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
done
dotnet pack Liblim.EfCore.sln -c Release --no-build -o "$out" --nologo -v quiet > "$out/pack.log" 2>&1 || { cat "$out/pack.log"; exit 1; }
for id in Liblim.EfCore Liblim.EfCore.AspNetCore; do
  package="$(ls "$out/$id".[0-9]*.nupkg)"
  [ -f "${package%.nupkg}.snupkg" ] || { echo "packages: $id has no symbol package" >&2; exit 1; }
  mkdir -p "$out/$id" "$out/$id.symbols" && (cd "$out/$id" && unzip -q "$package") && (cd "$out/$id.symbols" && unzip -q "${package%.nupkg}.snupkg")
  for file in LICENSE README.md "lib/net10.0/$id.dll" "lib/net10.0/$id.xml"; do
    [ -f "$out/$id/$file" ] || { echo "packages: $id lacks $file" >&2; exit 1; }
  done
  grep -q '<license type="expression">MIT</license>' "$out/$id/$id.nuspec" || { echo "packages: $id has no licence" >&2; exit 1; }
  for built in "$out/$id/lib/net10.0/$id.dll" "$out/$id.symbols/lib/net10.0/$id.pdb"; do
    if grep -a -q "$PWD" "$built"; then echo "packages: $(basename "$built") holds the path $PWD" >&2; exit 1; fi
  done
done
# The command: a .NET tool named liblim, with its licence and README, and no path of this machine in its assembly.
tool="$(ls "$out"/Liblim.EfCore.Cli.[0-9]*.nupkg)"
mkdir -p "$out/tool" && (cd "$out/tool" && unzip -q "$tool")
for file in LICENSE README.md tools/net10.0/any/Liblim.EfCore.Cli.dll tools/net10.0/any/DotnetToolSettings.xml; do
  [ -f "$out/tool/$file" ] || { echo "packages: Liblim.EfCore.Cli lacks $file" >&2; exit 1; }
done
grep -q 'Name="liblim"' "$out/tool/tools/net10.0/any/DotnetToolSettings.xml" || { echo "packages: the tool's command is not liblim" >&2; exit 1; }
grep -q '<packageType name="DotnetTool"' "$out/tool/Liblim.EfCore.Cli.nuspec" || { echo "packages: Liblim.EfCore.Cli is not a .NET tool package" >&2; exit 1; }
if grep -a -q "$PWD" "$out/tool/tools/net10.0/any/Liblim.EfCore.Cli.dll"; then echo "packages: Liblim.EfCore.Cli.dll holds the path $PWD" >&2; exit 1; fi
echo "packages: $(ls "$out"/*.nupkg | xargs -n1 basename | tr '\n' ' ')"
