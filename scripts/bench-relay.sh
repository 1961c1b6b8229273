#!/usr/bin/env bash
# Relay throughput: SIZE bytes (default 1 GiB) from /dev/zero through
#   netplay tcp connect --raw  →  netplay tcp serve --raw --once > /dev/null
# against the same through
#   nc -N                      →  nc -l > /dev/null
# in one run, alternating the two tools each round, and prints each round,
# the medians and the ratio (nc time / netplay time: above 1 means netplay
# is faster).
#
# Usage: scripts/bench-relay.sh [ROUNDS] [SIZE]     e.g. scripts/bench-relay.sh 7 1G
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${1:-5}
SIZE=${2:-1G}
NETPLAY=target/release/netplay

command -v nc >/dev/null || { echo "bench-relay: nc (netcat-openbsd) is not installed" >&2; exit 1; }
command -v ss >/dev/null || { echo "bench-relay: ss (iproute2) is not installed" >&2; exit 1; }
cargo build --release --quiet

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until something listens on 127.0.0.1:$1, without connecting to it
# (a probe connection would use up a --once server).
wait_listening() {
  for _ in $(seq 1 500); do
    ss -Hltn "sport = :$1" | grep -q . && return 0
    sleep 0.01
  done
  echo "bench-relay: nothing listens on port $1" >&2
  return 1
}

now() { date +%s.%N; }

# One transfer; prints its duration in seconds.
round() {
  local tool=$1 port server start end
  port=$(free_port)
  if [ "$tool" = netplay ]; then
    "$NETPLAY" -q --raw tcp serve --port "$port" --once </dev/null >/dev/null &
  else
    nc -l 127.0.0.1 "$port" </dev/null >/dev/null &
  fi
  server=$!
  wait_listening "$port"
  start=$(now)
  if [ "$tool" = netplay ]; then
    head -c "$SIZE" /dev/zero | "$NETPLAY" -q --raw tcp connect 127.0.0.1 "$port" >/dev/null
  else
    head -c "$SIZE" /dev/zero | nc -N 127.0.0.1 "$port" >/dev/null
  fi
  wait "$server"
  end=$(now)
  python3 -c "print($end - $start)"
}

declare -a np_times nc_times
echo "relay of $SIZE over loopback, $ROUNDS rounds (seconds)"
for i in $(seq 1 "$ROUNDS"); do
  np=$(round netplay)
  nct=$(round nc)
  np_times+=("$np")
  nc_times+=("$nct")
  printf 'round %d: netplay %.3f  nc %.3f\n' "$i" "$np" "$nct"
done

python3 - "${np_times[*]}" "${nc_times[*]}" "$SIZE" <<'EOF'
import statistics, sys
np = [float(x) for x in sys.argv[1].split()]
nc = [float(x) for x in sys.argv[2].split()]
size = sys.argv[3]
mnp, mnc = statistics.median(np), statistics.median(nc)
print(f"median: netplay {mnp:.3f} s, nc {mnc:.3f} s")
print(f"ratio nc/netplay: {mnc / mnp:.2f} (above 1: netplay is faster)")
EOF
