#!/usr/bin/env bash
# Issue 19's conformance matrix: runs tests/suite/peers.rs (netplay against nc,
# ncat, socat, python3, curl, and nc in netplay's place as the reference)
# and writes the table it printed into docs/conformance.md, between the
# "peers table" markers, with the date and the tools' versions. The test's
# verdict is this script's exit status; the table is written either way.
# Usage: scripts/conformance.sh
set -uo pipefail
cd "$(dirname "$0")/.."
table=$(mktemp)
trap 'rm -f "$table"' EXIT
NETPLAY_PEERS_TABLE=$table cargo test --test suite -- peers::netplay_against_the_peers --nocapture >/dev/null
status=$?
[ -s "$table" ] || { echo "conformance: the test wrote no table" >&2; exit 1; }
versions="$(nc -h 2>&1 | head -1 | tr -d '\t'); $(ncat --version 2>&1 | head -1); $(socat -V 2>/dev/null | sed -n 2p); $(python3 --version); $(curl --version | head -1 | cut -d' ' -f1-2); Linux $(uname -r)"
python3 - "$table" docs/conformance.md "$(date -u +%Y-%m-%d)" "$versions" <<'PY'
import sys
table, doc, day, versions = sys.argv[1:5]
rows = open(table).read().rstrip('\n')
text = open(doc).read()
begin, end = '<!-- peers table -->', '<!-- end of peers table -->'
a, b = text.index(begin) + len(begin), text.index(end)
block = f"\n\nLast run {day} ({versions}):\n\n{rows}\n\n"
open(doc, 'w').write(text[:a] + block + text[b:])
PY
exit $status
