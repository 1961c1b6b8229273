#!/usr/bin/env bash
# The pictures of the demo's page in README.md and README.fr.md: `netplay
# demo --packets --html` (as root, for the capture), rendered by headless
# chromium with the flags tests/html.rs renders with: background traffic
# off, a proxy on loopback that refuses everything, no name resolution,
# and a network namespace of its own: it fetches nothing, anywhere.
#
#   scripts/demo-picture.sh        # writes docs/demo-page.png and docs/demo-page.fr.png
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
netplay=target/debug/netplay
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for lang in en fr; do
  page="$work/demo-$lang.html"
  "$netplay" --lang "$lang" demo --packets --html "$page" >/dev/null
  png=docs/demo-page.png
  [ "$lang" = en ] || png="docs/demo-page.$lang.png"
  unshare -n chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --disable-features=NetworkTimeServiceQuerying \
    --component-updater=url-source=http://127.0.0.1:9/update \
    --proxy-server=127.0.0.1:9 --host-resolver-rules='MAP * ~NOTFOUND' --hide-scrollbars \
    --user-data-dir="$work/profile-$lang" --window-size=1600,1500 \
    --screenshot="$png" "file://$page" 2>/dev/null
  echo "$png"
done
