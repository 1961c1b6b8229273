#!/usr/bin/env bash
# Throughput and loss over loopback, netplay against iperf3, side by side in
# one run, alternating the tools each round; prints each round, the medians
# and the ratios (netplay / iperf3: above 1 means netplay is faster).
#
#   TCP: iperf3 -c (default 128 KiB writes)   vs  netplay tcp bench (1 MiB writes)
#        received bits/s of each
#   UDP: iperf3 -u -b 0 -l 64                 vs  netplay udp bench --size 64 (rate 0)
#        and netplay udp bench --size 64 --no-offload (one call per datagram, as iperf3)
#        sent datagrams/s, and the loss each receiver reports
#
# Each tool runs as two processes, a receiver and a sender, as iperf3 does.
#
# Usage: scripts/bench-throughput.sh [ROUNDS] [SECONDS]    e.g. scripts/bench-throughput.sh 5 5
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${1:-5}
SECONDS_PER_RUN=${2:-5}
NETPLAY=target/release/netplay

command -v iperf3 >/dev/null || { echo "bench-throughput: iperf3 is not installed" >&2; exit 1; }
command -v ss >/dev/null || { echo "bench-throughput: ss (iproute2) is not installed" >&2; exit 1; }
cargo build --release --quiet
if [ -n "${CARGO_TARGET_DIR:-}" ]; then NETPLAY=$CARGO_TARGET_DIR/release/netplay; fi

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until something listens (TCP) or is bound (UDP) on port $2.
wait_bound() {
  local flags=$1 port=$2
  for _ in $(seq 1 500); do
    ss -H "$flags" "sport = :$port" | grep -q . && return 0
    sleep 0.01
  done
  echo "bench-throughput: nothing on port $port" >&2
  return 1
}

OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

# One run; writes the sender's JSON to $OUT/$1.json.
run() {
  local what=$1 port server
  port=$(free_port)
  case $what in
    iperf-tcp|iperf-udp)
      iperf3 -s -1 -B 127.0.0.1 -p "$port" >/dev/null 2>&1 &
      server=$!
      wait_bound -ltn "$port"
      if [ "$what" = iperf-tcp ]; then
        iperf3 -c 127.0.0.1 -p "$port" -t "$SECONDS_PER_RUN" -J >"$OUT/$what.json"
      else
        iperf3 -c 127.0.0.1 -p "$port" -u -b 0 -l 64 -t "$SECONDS_PER_RUN" -J >"$OUT/$what.json"
      fi ;;
    netplay-tcp)
      "$NETPLAY" -q tcp bench --serve --once --port "$port" >/dev/null &
      server=$!
      wait_bound -ltn "$port"
      "$NETPLAY" --json tcp bench 127.0.0.1 "$port" -t "$SECONDS_PER_RUN"s | tail -n 1 >"$OUT/$what.json" ;;
    netplay-udp|netplay-udp-plain)
      local plain=()
      [ "$what" = netplay-udp-plain ] && plain=(--no-offload)
      "$NETPLAY" -q udp bench --serve --once --port "$port" "${plain[@]}" >/dev/null &
      server=$!
      wait_bound -lun "$port"
      "$NETPLAY" --json udp bench 127.0.0.1 "$port" --size 64 -t "$SECONDS_PER_RUN"s "${plain[@]}" | tail -n 1 >"$OUT/$what.json" ;;
  esac
  wait "$server"
}

# Prints "value loss" of a run's JSON.
measure() {
  python3 - "$1" "$OUT/$1.json" <<'PY'
import json, sys
what, path = sys.argv[1], sys.argv[2]
d = json.load(open(path))
if what == "iperf-tcp":
    print(d["end"]["sum_received"]["bits_per_second"] / 1e9, 0)
elif what == "iperf-udp":
    s = d["end"]["sum_sent"]
    print(s["packets"] / s["seconds"], d["end"]["sum_received"]["lost_percent"])
elif what == "netplay-tcp":
    print(d["received"]["bits_per_second"] / 1e9, 0)
else:
    sent = d["sent"]
    c = d.get("counts")
    loss = 100.0 * c["lost"] / max(1, d["sent_by_peer"]) if c else float("nan")
    print(sent["calls"] / (sent["duration_us"] / 1e6), loss)
PY
}

declare -A values losses
TOOLS=(iperf-tcp netplay-tcp iperf-udp netplay-udp netplay-udp-plain)
echo "loopback, $ROUNDS rounds of ${SECONDS_PER_RUN}s; load: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$ROUNDS"); do
  line="round $i:"
  for tool in "${TOOLS[@]}"; do
    run "$tool"
    read -r value loss < <(measure "$tool")
    values[$tool]+="$value "
    losses[$tool]+="$loss "
    case $tool in
      *tcp) line+=$(printf '  %s %.1f Gbit/s' "$tool" "$value") ;;
      *) line+=$(printf '  %s %.0f dgram/s (loss %.2f%%)' "$tool" "$value" "$loss") ;;
    esac
  done
  echo "$line"
done

python3 - <<PY
import statistics
v = {t: [float(x) for x in s.split()] for t, s in {
    "iperf-tcp": "${values[iperf-tcp]}", "netplay-tcp": "${values[netplay-tcp]}",
    "iperf-udp": "${values[iperf-udp]}", "netplay-udp": "${values[netplay-udp]}",
    "netplay-udp-plain": "${values[netplay-udp-plain]}"}.items()}
l = {t: [float(x) for x in s.split()] for t, s in {
    "iperf-udp": "${losses[iperf-udp]}", "netplay-udp": "${losses[netplay-udp]}",
    "netplay-udp-plain": "${losses[netplay-udp-plain]}"}.items()}
m = {t: statistics.median(x) for t, x in v.items()}
print(f"TCP median received: iperf3 {m['iperf-tcp']:.1f} Gbit/s, netplay {m['netplay-tcp']:.1f} Gbit/s; "
      f"ratio netplay/iperf3 {m['netplay-tcp'] / m['iperf-tcp']:.2f}")
for t in ("netplay-udp", "netplay-udp-plain"):
    print(f"UDP 64 B median sent: iperf3 {m['iperf-udp']:,.0f}/s (loss {statistics.median(l['iperf-udp']):.2f}%), "
          f"{t} {m[t]:,.0f}/s (loss {statistics.median(l[t]):.2f}%); ratio {m[t] / m['iperf-udp']:.2f}")
PY
