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
# env:   NETPLAY=path to a release netplay (default: build one)
#        BASELINE=path to another netplay build (say, main's), relayed in the
#              same rounds, between the two: before and after a change
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${1:-5}
SIZE=${2:-1G}

command -v nc >/dev/null || { echo "bench-relay: nc (netcat-openbsd) is not installed" >&2; exit 1; }
command -v ss >/dev/null || { echo "bench-relay: ss (iproute2) is not installed" >&2; exit 1; }
if [[ -z ${NETPLAY:-} ]]; then
  cargo build --release --quiet
  NETPLAY=target/release/netplay
fi

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
  local tool=$1 port server start end bin=$NETPLAY
  [ "$tool" = baseline ] && { tool=netplay; bin=$BASELINE; }
  port=$(free_port)
  if [ "$tool" = netplay ]; then
    "$bin" -q --raw tcp serve --port "$port" --once </dev/null >/dev/null &
  else
    nc -l 127.0.0.1 "$port" </dev/null >/dev/null &
  fi
  server=$!
  wait_listening "$port"
  start=$(now)
  if [ "$tool" = netplay ]; then
    head -c "$SIZE" /dev/zero | "$bin" -q --raw tcp connect 127.0.0.1 "$port" >/dev/null
  else
    head -c "$SIZE" /dev/zero | nc -N 127.0.0.1 "$port" >/dev/null
  fi
  wait "$server"
  end=$(now)
  python3 -c "print($end - $start)"
}

declare -a np_times nc_times base_times
echo "relay of $SIZE over loopback, $ROUNDS rounds (seconds); netplay: $NETPLAY${BASELINE:+; baseline: $BASELINE}"
for i in $(seq 1 "$ROUNDS"); do
  np=$(round netplay)
  base=0
  [[ -n ${BASELINE:-} ]] && base=$(round baseline)
  nct=$(round nc)
  np_times+=("$np")
  base_times+=("$base")
  nc_times+=("$nct")
  printf 'round %d: netplay %.3f  %snc %.3f  load %s\n' "$i" "$np" \
    "${BASELINE:+$(printf 'baseline %.3f  ' "$base")}" "$nct" "$(cut -d' ' -f1-3 /proc/loadavg)"
done

python3 - "${np_times[*]}" "${nc_times[*]}" "$SIZE" "${base_times[*]}" "${BASELINE:-}" <<'EOF'
import statistics, sys
np = [float(x) for x in sys.argv[1].split()]
nc = [float(x) for x in sys.argv[2].split()]
size = sys.argv[3]
mnp, mnc = statistics.median(np), statistics.median(nc)
print(f"median: netplay {mnp:.3f} s, nc {mnc:.3f} s")
print(f"ratio nc/netplay: {mnc / mnp:.2f} (above 1: netplay is faster)")
if sys.argv[5]:
    mb = statistics.median(float(x) for x in sys.argv[4].split())
    print(f"median: baseline {mb:.3f} s; ratio baseline/netplay: {mb / mnp:.2f} (above 1: this build is faster)")
EOF
