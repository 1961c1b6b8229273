#!/usr/bin/env bash
# What --packets and --pcap cost on the relay of scripts/bench-relay.sh:
# SIZE bytes (default 1 GiB) from /dev/zero through
#   netplay -q --raw tcp connect  →  netplay -q --raw tcp serve --once > /dev/null
# in these modes, one after the other in each round:
#   baseline      (with BASELINE=path/to/netplay) another build, no flags:
#                 the same relay before --packets existed, to show that the
#                 flags cost nothing when they are off
#   baseline-packets, baseline-pcap   (with BASELINE) that build with
#                 --packets, and with --pcap /dev/null: a change to the
#                 capture's code before and after, in the same rounds
#   plain         this build, no flags
#   packets       this build, the client with --packets (its ladder goes to
#                 stderr, kept in a file to count the lines)
#   pcap          this build, the client with --pcap /dev/null
#   tcpdump       plain, while `tcpdump -i lo -n tcp port P` prints a line
#                 per packet (as --packets does), output to a file
#   tcpdump-w     plain, while `tcpdump -i lo -w /dev/null tcp port P`
#                 writes whole packets (as --pcap does)
# and prints each round, the median time of each mode, its ratio to plain,
# what each capture counted (lines or packets) and dropped, and the load
# average before and after. Needs root (CAP_NET_RAW) and tcpdump.
#
# Usage: [BASELINE=/path/netplay] scripts/bench-packets.sh [ROUNDS] [SIZE]
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=bench-packets
. scripts/lib.sh

ROUNDS=${1:-5}
SIZE=${2:-1G}
NETPLAY=target/release/netplay
BASELINE=${BASELINE:-}

if [ "$(id -u)" != 0 ]; then
  echo "SKIPPED: packet capture needs root (CAP_NET_RAW)"
  exit 0
fi
for tool in tcpdump ss python3; do
  command -v "$tool" >/dev/null || { echo "bench-packets: $tool is not installed" >&2; exit 1; }
done
cargo build --release --quiet
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Starts tcpdump (its own PID in $tcpdump_pid) and waits until it listens.
start_tcpdump() { # port args...
  local port=$1
  shift
  tcpdump -i lo "$@" "tcp port $port" 2>"$tmp/tcpdump.err" &
  tcpdump_pid=$!
  for _ in $(seq 1 200); do
    grep -q "listening on" "$tmp/tcpdump.err" 2>/dev/null && return 0
    sleep 0.02
  done
  echo "bench-packets: tcpdump did not start" >&2
  return 1
}

# Stops the tcpdump this script started; prints "captured/dropped".
stop_tcpdump() {
  kill "$tcpdump_pid"
  wait "$tcpdump_pid" 2>/dev/null || true
  local got dropped
  got=$(sed -n 's/^\([0-9]*\) packets captured$/\1/p' "$tmp/tcpdump.err")
  dropped=$(sed -n 's/^\([0-9]*\) packets dropped by kernel$/\1/p' "$tmp/tcpdump.err")
  echo "${got:-?}/${dropped:-?}"
}

# One transfer in mode $1; prints "seconds counted/dropped".
round() {
  local mode=$1 port bin=$NETPLAY flags=() start end count="-" dropped
  port=$(free_port)
  case $mode in
    baseline*) bin=$BASELINE ;;
  esac
  case $mode in
    packets | baseline-packets) flags=(--packets) ;;
    pcap | baseline-pcap) flags=(--pcap /dev/null) ;;
    tcpdump) start_tcpdump "$port" -n -l >"$tmp/tcpdump.out" ;;
    tcpdump-w) start_tcpdump "$port" -w /dev/null ;;
  esac
  "$bin" -q --raw tcp serve --port "$port" --once </dev/null >/dev/null &
  local server=$!
  wait_listening "$port"
  start=$(now)
  head -c "$SIZE" /dev/zero | "$bin" -q --raw "${flags[@]}" tcp connect 127.0.0.1 "$port" \
    >/dev/null 2>"$tmp/client.err"
  wait "$server"
  end=$(now)
  case $mode in
    packets | baseline-packets)
      local lines
      lines=$(grep -c '─' "$tmp/client.err" || true)
      dropped=$(sed -n 's/.*kernel dropped \([0-9]*\) packets.*/\1/p' "$tmp/client.err")
      count="$lines/${dropped:-0}" ;;
    pcap | baseline-pcap)
      dropped=$(sed -n 's/.*kernel dropped \([0-9]*\) packets.*/\1/p' "$tmp/client.err")
      count="?/${dropped:-0}" ;;
    tcpdump | tcpdump-w) count=$(stop_tcpdump) ;;
  esac
  python3 -c "print(f'{$end - $start:.3f} $count')"
}

modes="plain packets pcap tcpdump tcpdump-w"
[ -n "$BASELINE" ] && modes="baseline baseline-packets baseline-pcap $modes"
echo "relay of $SIZE over loopback, $ROUNDS rounds; modes: $modes"
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
: >"$tmp/results"
for i in $(seq 1 "$ROUNDS"); do
  line="round $i:"
  for mode in $modes; do
    result=$(round "$mode")
    echo "$mode $result" >>"$tmp/results"
    line="$line $mode ${result%% *}s (${result##* })"
  done
  echo "$line"
done
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$tmp/results" "$modes" <<'EOF'
import statistics, sys
times, counts = {}, {}
for line in open(sys.argv[1]):
    mode, seconds, count = line.split()
    times.setdefault(mode, []).append(float(seconds))
    counts.setdefault(mode, []).append(count)
plain = statistics.median(times["plain"])
print("mode             median     vs plain   captured/dropped per round (packets: ladder lines; ?: not counted)")
for mode in sys.argv[2].split():
    m = statistics.median(times[mode])
    print(f"{mode:<16} {m:7.3f} s   x{m / plain:5.2f}    {' '.join(counts[mode])}")
EOF
