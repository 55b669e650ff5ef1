#!/usr/bin/env bash
# Both command-line tools as a user gets them: train and gradcheck packed as .NET tools (from the Release build, which
# must exist), each package at most 15 MB and free of native libraries, installed with `dotnet tool install` from the
# packed files only, and run from the install folder: `train --epochs 2` must end with its "test accuracy:" line and
# write its SVG plot; `gradcheck --help` and one kernel's check on this process's SIMD path must pass.
# Usage: .ci/tool-install.sh [DIR] (default out-tools, emptied first).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

dir=$(realpath -m "${1:-out-tools}")
max_bytes=15000000

fail() { echo "tool-install: $*" >&2; exit 1; }

# The version the projects pack (one for both tools), read where it is set.
version=$(grep -oP '(?<=<Version>)[^<]+' tools/train/train.csproj)
[ "$version" = "$(grep -oP '(?<=<Version>)[^<]+' tools/gradcheck/gradcheck.csproj)" ] || fail "train and gradcheck pack different versions"

command -v unzip >/dev/null || fail "unzip is missing (apt-get install unzip): it lists what each package holds"
for built in tools/train/bin/Release/net10.0/train.dll tools/gradcheck/bin/Release/net10.0/gradcheck.dll; do
  [ -f "$built" ] || fail "$built is missing: build first (dotnet build FastBackprop.sln -c Release)"
done

rm -rf "$dir"
mkdir -p "$dir/feed" "$dir/run"

# Only the packages packed here: no other feed is asked, so a package of the same id and version elsewhere (nuget.org,
# an earlier run's cache) can never be the one installed and run. A tool package carries its dependencies, so it
# needs no other feed.
cat >"$dir/nuget.config" <<EOF
<configuration>
  <packageSources>
    <clear />
    <add key="packed-here" value="$dir/feed" />
  </packageSources>
</configuration>
EOF
export NUGET_PACKAGES="$dir/packages"

for tool in "train FastBackprop.Train" "gradcheck FastBackprop.GradCheck"; do
  read -r command package <<<"$tool"
  dotnet pack "tools/$command" -c Release --no-build -o "$dir/feed" -v quiet -nologo
  nupkg="$dir/feed/$package.$version.nupkg"
  [ -f "$nupkg" ] || fail "dotnet pack tools/$command wrote no $package.$version.nupkg"
  bytes=$(stat -c %s "$nupkg")
  printf '%s: %d bytes (%.2f MB)\n' "$(basename "$nupkg")" "$bytes" "$(awk -v b="$bytes" 'BEGIN { print b / 1e6 }')"
  [ "$bytes" -le "$max_bytes" ] || fail "$(basename "$nupkg") is $bytes bytes, over the $max_bytes-byte limit"
  # The listing is captured first: `unzip -l | grep -q` under pipefail fails with SIGPIPE when grep exits early.
  listing=$(unzip -l "$nupkg")
  if native=$(grep -iE '/native/|SkiaSharp|HarfBuzz|ScottPlot' <<<"$listing"); then
    fail "$(basename "$nupkg") carries native libraries or their wrappers:"$'\n'"$native"
  fi
  grep -q " tools/net10.0/any/$command.dll\$" <<<"$listing" || fail "$(basename "$nupkg") lacks tools/net10.0/any/$command.dll"

  dotnet tool install --tool-path "$dir/bin" --add-source "$dir/feed" --configfile "$dir/nuget.config" "$package" --version "$version"
done

# From a folder outside the repository: the installed tools must not lean on the source tree.
cd "$dir/run"

echo "== train --epochs 2 --plot curves.svg"
train_status=0
train_output=$("$dir/bin/train" --epochs 2 --plot curves.svg 2>&1) || train_status=$?
echo "$train_output"
[ "$train_status" -eq 0 ] || fail "train exited with $train_status"
grep -q '^test accuracy: ' <<<"$train_output" || fail "train printed no line starting 'test accuracy:'"
[ -s curves.svg ] || fail "train wrote no curves.svg"
svg_start=$(head -c 4 curves.svg)
[ "$svg_start" = "<svg" ] || fail "curves.svg does not start with <svg"

echo "== gradcheck --help"
help_status=0
help_output=$("$dir/bin/gradcheck" --help 2>&1) || help_status=$?
echo "$help_output"
[ "$help_status" -eq 0 ] || fail "gradcheck --help exited with $help_status"
grep -q -- '--kernel' <<<"$help_output" || fail "gradcheck --help does not list --kernel"

echo "== gradcheck --kernel sigmoid-tail --path active"
check_status=0
check_output=$("$dir/bin/gradcheck" --kernel sigmoid-tail --path active 2>&1) || check_status=$?
echo "$check_output"
[ "$check_status" -eq 0 ] || fail "gradcheck --kernel sigmoid-tail --path active exited with $check_status"
grep -q '^gradcheck: .*all passed' <<<"$check_output" || fail "gradcheck did not report 'all passed'"

echo "tool-install: both tools packed, installed from $dir/feed and run"
