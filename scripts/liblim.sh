#!/usr/bin/env bash
# The liblim command (src/Liblim.EfCore.Cli) from this clone, through a tool manifest (docs/cli.md, "Running it").
#   bash scripts/liblim.sh install       packs it into a local folder feed (.liblim-tmp/tools) and installs it into the
#                                        tool manifest .config/dotnet-tools.json: `dotnet tool run liblim ...` then works
#                                        anywhere in the clone, beside the dotnet-ef of the committed dotnet-tools.json
#   bash scripts/liblim.sh <arguments>   installs it first when it is missing or older than its sources, and runs it
# .config/dotnet-tools.json is made here and not committed: a manifest naming a package that no feed of a fresh clone
# serves makes `dotnet tool restore` fail (exit 1) for everyone who has not packed it.
# LIBLIM_TOOL_DIR: the folder whose .config/dotnet-tools.json gets the tool (default: the clone's root).
# LIBLIM_NO_BUILD=1: packs what the last build made, without building; LIBLIM_CONFIGURATION: which build (Release).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$(cd "${LIBLIM_TOOL_DIR:-$root}" && pwd)"
feed="$dir/.liblim-tmp/tools"
manifest="$dir/.config/dotnet-tools.json"
id=liblim.efcore.cli

install() {
  mkdir -p "$feed" "$dir/.config"
  rm -f "$feed"/*.nupkg "$feed"/*.snupkg
  dotnet pack "$root/src/Liblim.EfCore.Cli" -c "${LIBLIM_CONFIGURATION:-Release}" -o "$feed" --nologo -v quiet ${LIBLIM_NO_BUILD:+--no-build} > /dev/null
  local package version
  package="$(ls "$feed"/Liblim.EfCore.Cli.*.nupkg)"
  version="$(basename "$package" .nupkg)"
  version="${version#Liblim.EfCore.Cli.}"
  # A package of the same version in NuGet's cache would be installed in place of the one just made.
  rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}/$id/$version"
  # dotnet remembers where it last found each version of a local tool, and would look there again (another NuGet cache,
  # since deleted, say) rather than where this install puts it.
  rm -f "${DOTNET_CLI_HOME:-$HOME}/.dotnet/toolResolverCache/1/$id"
  [ -f "$manifest" ] || printf '{\n  "version": 1,\n  "isRoot": false,\n  "tools": {}\n}\n' > "$manifest"
  if grep -q "\"$id\"" "$manifest"; then
    dotnet tool uninstall --tool-manifest "$manifest" "$id" > /dev/null
  fi
  (cd "$dir" && dotnet tool install --tool-manifest "$manifest" --add-source "$feed" --ignore-failed-sources "$id" --version "$version" > /dev/null)
  echo "liblim $version is in $manifest: 'dotnet tool run liblim -- --help' anywhere in $dir" >&2
}

# Missing, or older than a source file of the command or of the library.
stale() {
  local package
  package="$(ls "$feed"/Liblim.EfCore.Cli.*.nupkg 2> /dev/null | head -n 1 || true)"
  if [ -z "$package" ] || [ ! -f "$manifest" ] || ! grep -q "\"$id\"" "$manifest"; then
    return 0
  fi
  [ -n "$(find "$root/src/Liblim.EfCore.Cli" "$root/src/Liblim.EfCore" \( -name bin -o -name obj \) -prune -o -type f -newer "$package" -print -quit)" ]
}

if [ "${1:-}" = "install" ]; then
  install
  exit 0
fi

if stale; then
  install
fi

# dotnet finds the manifest from the current folder up; outside the clone, run from its root.
case "$PWD/" in
  "$dir"/*) ;;
  *) cd "$dir" ;;
esac
exec dotnet tool run liblim -- "$@"
