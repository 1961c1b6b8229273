#!/usr/bin/env bash
# What --html costs a transfer: 1 GiB sent by nc over loopback TCP to
#   nc        `nc -l` (OpenBSD), writing it to /dev/null: the peer tool
#   plain     `netplay --raw tcp serve --once`, writing it to /dev/null
#             (splice(2): the kernel moves the bytes, netplay never sees them)
#   events    the same with `--decode B`: every chunk read into netplay
#             and reported as an event, as --html needs them
#   html      `--raw ... --html FILE`: every chunk an event, recorded for
#             the page, the page written every second and at the end
# run alternately, RUNS times (default 5); prints each mode's median time,
# its throughput, its ratio to plain and to events (what --html itself
# costs), and the page's size. BYTES (default
# 1 GiB) can be set in the environment.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=bench-html
. scripts/lib.sh

RUNS=${RUNS:-5}
BYTES=${BYTES:-1073741824}
cargo build --release -q
netplay=target/release/netplay
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c "$BYTES" /dev/urandom > "$tmp/payload"

one() { # mode -> seconds
    local port pid start end
    port=$(free_port)
    case $1 in
        nc) nc -l 127.0.0.1 "$port" > /dev/null & ;;
        plain) "$netplay" --raw tcp serve --port "$port" --once > /dev/null 2>&1 < /dev/null & ;;
        events) "$netplay" --raw --decode B tcp serve --port "$port" --once > /dev/null 2>&1 < /dev/null & ;;
        html) "$netplay" --raw tcp serve --port "$port" --once --html "$tmp/page.html" \
                  > /dev/null 2>&1 < /dev/null & ;;
    esac
    pid=$!
    wait_listening "$port"
    start=$(now)
    nc -N 127.0.0.1 "$port" < "$tmp/payload"
    wait "$pid"
    end=$(now)
    echo "$end - $start" | bc -l
}

declare -A times
for run in $(seq "$RUNS"); do
    for mode in nc plain events html; do
        times[$mode]+="$(one "$mode") "
    done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
plain=$(echo "${times[plain]}" | median)
events=$(echo "${times[events]}" | median)
echo "bench-html: $BYTES bytes, $RUNS runs each, load $(load), commit $(git rev-parse --short HEAD)"
for mode in nc plain events html; do
    t=$(echo "${times[$mode]}" | median)
    printf '%-6s median %6.3f s  %7.1f MiB/s  x%.2f of plain  x%.2f of events\n' "$mode" "$t" \
        "$(echo "$BYTES / 1048576 / $t" | bc -l)" "$(echo "$t / $plain" | bc -l)" "$(echo "$t / $events" | bc -l)"
done
echo "page: $(stat -c %s "$tmp/page.html") bytes"
