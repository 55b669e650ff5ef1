#!/usr/bin/env bash
# Every ```csharp block of README.md and of the package README (src/FastBackprop/PACKAGE.md) is a complete program,
# checked the way a user meets it: the library is packed here, and each block becomes Program.cs of a fresh
# `dotnet new console` app outside the repository that takes FastBackprop from that package (dependencies from the
# machine's usual feed), builds with warnings as errors and runs. A block whose last line is a comment must print
# exactly that comment's text. Arguments name other Markdown files to check instead.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# The expected lines are written with the invariant culture's numbers.
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1

docs=("$@")
[ $# -gt 0 ] || docs=(README.md src/FastBackprop/PACKAGE.md)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dotnet pack src/FastBackprop -c Release -o "$work/feed" >"$work/pack.log" || { cat "$work/pack.log"; exit 1; }
package=$(basename "$(ls "$work"/feed/FastBackprop.*.nupkg)" .nupkg)
version=${package#FastBackprop.}

# The apps live outside the repository so none of its Directory.Build.props, Directory.Packages.props or global.json
# applies; these empty files stop MSBuild's search above the temp folder too. A private packages folder makes
# restore take the package just packed, never an older FastBackprop of the same version cached by an earlier run.
echo '<Project />' >"$work/Directory.Build.props"
echo '<Project />' >"$work/Directory.Build.targets"
cat >"$work/nuget.config" <<EOF
<configuration>
  <packageSources>
    <add key="fastbackprop-packed-here" value="$work/feed" />
  </packageSources>
</configuration>
EOF
export NUGET_PACKAGES="$work/packages"
mkdir -p "$work/apps"

failed=0
for doc in "${docs[@]}"; do
  name=$(basename "$doc" .md)
  blocks="$work/blocks/$name"
  mkdir -p "$blocks"
  awk -v dir="$blocks" '
    /^```csharp[[:space:]]*$/ { n++; file = sprintf("%s/%02d.cs", dir, n); inside = 1; next }
    inside && /^```[[:space:]]*$/ { inside = 0; close(file); next }
    inside { print > file }' "$doc"
  for block in "$blocks"/*.cs; do
    [ -e "$block" ] || { echo "$doc has no csharp block"; failed=1; continue; }
    label="$doc, csharp block $(basename "$block" .cs)"
    app="$work/apps/$name-$(basename "$block" .cs)"
    log="$app.log"
    if ! { dotnet new console -o "$app" -n Example --no-restore \
           && cp "$block" "$app/Program.cs" \
           && dotnet add "$app" package FastBackprop --version "$version" \
           && dotnet build "$app" -c Release -warnaserror; } >"$log" 2>&1; then
      echo "FAIL $label: does not build as a program"; grep -E 'error|warning' "$log" | sort -u || cat "$log"; failed=1; continue
    fi
    if ! output=$(cd "$app" && dotnet run --no-build -c Release 2>&1); then
      echo "FAIL $label: exits with an error"; echo "$output"; failed=1; continue
    fi
    expected=$(tail -n 1 "$block" | sed -n 's|^// ||p')
    if [ -n "$expected" ] && [ "$output" != "$expected" ]; then
      echo "FAIL $label: prints"; echo "  $output"; echo "where the block says"; echo "  $expected"; failed=1; continue
    fi
    echo "ok   $label${expected:+: $expected}"
  done
done
exit $failed
