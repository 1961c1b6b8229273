#!/usr/bin/env bash
# The pictures of the demo's page in README.md and README.fr.md: `netplay
# demo --packets --html` (as root, for the capture), rendered by headless
# chromium with the flags tests/suite/html.rs renders with: background traffic
# off, a proxy on loopback that refuses everything, no name resolution,
# and a network namespace of its own: it fetches nothing, anywhere.
#
#   scripts/demo-picture.sh               # docs/demo-page.png, docs/demo-page.fr.png
#   scripts/demo-picture.sh DIR [NETPLAY] # the same in DIR, with NETPLAY
#
# The pages themselves are kept beside the pictures (demo-page.html,
# demo-page.fr.html). tests/suite/html.rs runs this script into a temporary
# directory and checks what it makes, so the picture cannot drift from
# what the command draws.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/docs}
mkdir -p "$out"
out=$(cd "$out" && pwd)
cd "$root"
if [ -n "${2:-}" ]; then
  netplay=$2
else
  cargo build --quiet
  netplay=target/debug/netplay
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for lang in en fr; do
  name=demo-page
  [ "$lang" = en ] || name="demo-page.$lang"
  page="$out/$name.html"
  png="$out/$name.png"
  "$netplay" --lang "$lang" demo --packets --html "$page" >/dev/null
  unshare -n chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-features=NetworkTimeServiceQuerying \
    --component-updater=url-source=http://127.0.0.1:9/update \
    --proxy-server=127.0.0.1:9 --host-resolver-rules='MAP * ~NOTFOUND' --hide-scrollbars \
    --user-data-dir="$work/profile-$lang" --window-size=1600,1500 \
    --screenshot="$png" "file://$page" 2>/dev/null
  echo "$png"
done
