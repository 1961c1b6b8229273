#!/usr/bin/env bash
# `--packets udp serve` under a flood, its stdout a FIFO nobody reads (the
# slowest output there is): two python senders of 1-byte datagrams for
# SECONDS (default 4) to 127.0.0.1, the server's resident memory (VmRSS,
# /proc) read every 0.1 s, then SIGINT and how long the server takes to end
# (it is killed after 10 s). Prints the peak memory, the time to end, and
# the server's last lines (its totals). Needs root (CAP_NET_RAW). The
# measurement docs/capture.md quotes ("Under a flood"); tests/suite/capture_faults.rs
# runs the same set-up and holds the memory under its stated bound.
#
# Usage: scripts/flood-packets.sh [NETPLAY] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=flood-packets
. scripts/lib.sh

NETPLAY=${1:-target/debug/netplay}
SECONDS_OF_FLOOD=${2:-4}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkfifo "$dir/out"
# Opened for reading and writing, never read: the server's writes block
# once the pipe is full.
exec 3<>"$dir/out"
port=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$NETPLAY" --packets --color never udp serve --port "$port" >"$dir/out" 2>"$dir/err" &
server=$!
for _ in $(seq 1 500); do
  ss -Hlun "sport = :$port" | grep -q . && break
  sleep 0.01
done
for _ in 1 2; do
  python3 -c "
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
end, n = time.time() + $SECONDS_OF_FLOOD, 0
while time.time() < end:
    s.sendto(b'x', ('127.0.0.1', $port)); n += 1
print('$BENCH: a sender sent', n, 'datagrams')" &
done
peak=0
for _ in $(seq 1 $((SECONDS_OF_FLOOD * 10))); do
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$server/status")
  [ "$rss" -gt "$peak" ] && peak=$rss
  sleep 0.1
done
echo "$BENCH: peak resident memory $peak KiB ($(load) load)"
start=$(now)
kill -INT "$server"
for _ in $(seq 1 100); do
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$server" 2>/dev/null; then
  echo "$BENCH: still running 10 s after SIGINT ($(awk '/VmRSS/ {print $2}' "/proc/$server/status") KiB); killed"
  kill -9 "$server"
else
  echo "$BENCH: ended $(python3 -c "print(f'{$(now) - $start:.2f}')") s after SIGINT"
fi
wait
tail -n 4 "$dir/err"
