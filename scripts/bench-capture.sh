#!/usr/bin/env bash
# What packet capture costs: a 1 GiB loopback TCP transfer between two std
# sockets (examples/capture_bench.rs), run alternately
#   plain          no capture
#   ladder         netplay's capture thread as --packets uses it: headers
#                  only (256 bytes), parsed, relative numbers, ladder line
#   pcap           netplay's capture thread as --pcap uses it: whole packets
#                  written as pcap to /dev/null
#   tcpdump        the plain transfer while `tcpdump -i lo -w /dev/null
#                  tcp port P` captures it (whole packets)
#   tcpdump-s256   the same with `-s 256` (headers only, as ladder)
# and prints each mode's median time, throughput and its ratio to plain.
# Needs root (CAP_NET_RAW) and tcpdump. RUNS (default 5) and BYTES
# (default 1 GiB) can be set in the environment.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
BYTES=${BYTES:-1073741824}
if [ "$(id -u)" != 0 ]; then
    echo "SKIPPED: packet capture needs root (CAP_NET_RAW)"
    exit 0
fi
if ! command -v tcpdump >/dev/null; then
    echo "SKIPPED: tcpdump is not installed (apt-get install tcpdump)"
    exit 0
fi
cargo build --release --example capture_bench -q
bench=target/release/examples/capture_bench
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One run of the plain transfer under tcpdump; tcpdump's own PID is
# stopped when the transfer is over.
under_tcpdump() { # snaplen-args...
    local port
    port=$("$bench" free-port)
    tcpdump -i lo -w /dev/null "$@" "tcp port $port" 2>"$tmp/tcpdump.err" &
    local pid=$!
    for _ in $(seq 100); do
        grep -q "listening on" "$tmp/tcpdump.err" 2>/dev/null && break
        sleep 0.05
    done
    local line
    line=$("$bench" plain "$port" "$BYTES")
    sleep 0.2
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    local got dropped
    got=$(sed -n 's/^\([0-9]*\) packets captured$/\1/p' "$tmp/tcpdump.err")
    dropped=$(sed -n 's/^\([0-9]*\) packets dropped by kernel$/\1/p' "$tmp/tcpdump.err")
    echo "$line" | sed "s/packets=0 drops=0/packets=$got drops=$dropped/"
}

modes="plain ladder pcap tcpdump tcpdump-s256"
for run in $(seq "$RUNS"); do
    for mode in $modes; do
        case $mode in
            tcpdump) line=$(under_tcpdump) ;;
            tcpdump-s256) line=$(under_tcpdump -s 256) ;;
            *) line=$("$bench" "$mode" "$("$bench" free-port)" "$BYTES") ;;
        esac
        echo "run $run: ${line/mode=plain/mode=$mode}"
        echo "${line/mode=plain/mode=$mode}" >>"$tmp/results"
    done
done

echo
echo "median of $RUNS runs, $BYTES bytes:"
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
plain=$(grep "^mode=plain " "$tmp/results" | sed 's/.*secs=\([0-9.]*\).*/\1/' | median)
for mode in $modes; do
    secs=$(grep "^mode=$mode " "$tmp/results" | sed 's/.*secs=\([0-9.]*\).*/\1/' | median)
    drops=$(grep "^mode=$mode " "$tmp/results" | sed 's/.*drops=\([0-9]*\).*/\1/' | paste -sd+ | bc)
    awk -v m="$mode" -v s="$secs" -v p="$plain" -v b="$BYTES" -v d="$drops" \
        'BEGIN {printf "%-13s %6.3f s  %6.2f Gbit/s  x%.2f time of plain  drops %s\n", m, s, b*8/s/1e9, s/p, d}'
done
