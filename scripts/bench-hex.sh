#!/usr/bin/env bash
# Benchmarks netplay's hex dump against its peers, side by side in one run:
#   offline: netplay hex --color always, hexyl --color always, xxd, on 64 MiB
#            of random bytes and 64 MiB of base64 text, output to /dev/null;
#   live:    64 MiB of random bytes sent with nc to `netplay tcp serve --once
#            --color always > dump.txt` and to `ncat -l --hex-dump FILE`;
#   memory:  max RSS of netplay hex on 16 MiB and 64 MiB (it must not grow).
# Each round runs every tool once, in turn; the report gives medians and the
# ratios of the medians. Then it checks that the live dump is the offline
# dump plus per-chunk headers (scripts/compare-dumps.py).
#
# usage: scripts/bench-hex.sh [ROUNDS]      (default 5)
# env:   HEXYL=path to hexyl 0.17 (default: hexyl on PATH or /work/tools/bin)
#        NETPLAY=path to a release netplay (default: build one)
#        SIZE_MB=64, KEEP=1 to keep the temporary directory
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${1:-5}
SIZE_MB=${SIZE_MB:-64}
HEXYL=${HEXYL:-$(command -v hexyl || echo /work/tools/bin/hexyl)}
if [[ -z ${NETPLAY:-} ]]; then
  cargo build --release --quiet
  NETPLAY=${CARGO_TARGET_DIR:-target}/release/netplay
fi
for tool in "$HEXYL" xxd ncat nc python3; do
  command -v "$tool" >/dev/null || { echo "bench-hex: $tool not found" >&2; exit 1; }
done
if ! "$HEXYL" --version | grep -q '^hexyl 0\.1[7-9]'; then
  echo "bench-hex: $HEXYL is $("$HEXYL" --version); want 0.17 (cargo install hexyl --version 0.17.0)" >&2
  exit 1
fi

dir=$(mktemp -d)
trap '[[ -n ${KEEP:-} ]] && echo "kept $dir" || rm -rf "$dir"' EXIT
head -c "${SIZE_MB}M" /dev/urandom >"$dir/random.bin"
# base64 wraps at 76 columns, like a mail attachment; the last head cuts the
# pipe short on purpose.
(set +o pipefail; head -c "$((SIZE_MB * 3 / 4 + 1))M" /dev/urandom | base64 | head -c "${SIZE_MB}M" >"$dir/base64.txt")

# Seconds (microsecond resolution) taken by a command, its output dropped.
elapsed() {
  local start=$EPOCHREALTIME
  "$@" >/dev/null
  local end=$EPOCHREALTIME
  python3 -c "print(f'{$end - $start:.4f}')"
}

median() { python3 -c 'import statistics,sys; print(f"{statistics.median(map(float, sys.argv[1:])):.3f}")' "$@"; }
fastest() { python3 -c 'import sys; print(f"{min(map(float, sys.argv[1:])):.3f}")' "$@"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Waits until something listens on 127.0.0.1:$1 (without connecting to it).
wait_listening() {
  for _ in $(seq 200); do
    ss -Hltn "sport = :$1" | grep -q . && return 0
    sleep 0.02
  done
  echo "bench-hex: nothing listens on port $1" >&2
  return 1
}

# Each live run writes a new file. Truncating and rewriting an existing one
# costs more than the tool does on ext4: at close, auto_da_alloc starts the
# writeback of the whole file (measured here: 0.5 s instead of 0.22 s for
# the same run), whichever tool wrote it. And each starts with no dirty
# pages (sync, untimed), so one run's writeback does not slow the next.
live_netplay() {
  local port
  port=$(free_port)
  rm -f "$dir/dump.txt"
  sync
  "$NETPLAY" tcp serve --once --port "$port" --color always >"$dir/dump.txt" 2>&1 &
  local server=$!
  wait_listening "$port"
  elapsed bash -c "nc -N 127.0.0.1 $port < '$dir/random.bin'; while kill -0 $server 2>/dev/null; do sleep 0.001; done"
  wait "$server" || true
}

live_ncat() {
  local port
  port=$(free_port)
  rm -f "$dir/ncat.txt"
  sync
  ncat -l 127.0.0.1 "$port" --hex-dump "$dir/ncat.txt" >/dev/null &
  local server=$!
  wait_listening "$port"
  elapsed bash -c "nc -N 127.0.0.1 $port < '$dir/random.bin'; while kill -0 $server 2>/dev/null; do sleep 0.001; done"
  wait "$server" || true
}

declare -A times
record() { times[$1]+="$2 "; }

echo "netplay: $NETPLAY; $("$HEXYL" --version); xxd $(xxd -v 2>&1 | awk '{print $2}'); $(ncat --version 2>&1 | head -1)"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $ROUNDS rounds, ${SIZE_MB} MiB inputs"
for round in $(seq "$ROUNDS"); do
  for input in random base64; do
    file=$dir/$input.bin
    [[ $input == base64 ]] && file=$dir/base64.txt
    record "netplay-$input" "$(elapsed "$NETPLAY" hex --color always "$file")"
    record "hexyl-$input" "$(elapsed "$HEXYL" --color always "$file")"
    record "xxd-$input" "$(elapsed xxd "$file")"
  done
  record netplay-live "$(live_netplay)"
  record ncat-live "$(live_ncat)"
  # What writing a new file of the live dump's size costs here, from
  # memory, with nothing to render: a floor for any tool writing that dump.
  rm -f "$dir/floor.txt"
  sync
  record write-floor "$(elapsed dd if=/dev/zero of="$dir/floor.txt" bs=1M count="$(($(stat -c %s "$dir/dump.txt") >> 20))" status=none)"
  rm -f "$dir/floor.txt"
  echo "round $round done (load $(cut -d' ' -f1 /proc/loadavg))" >&2
done

med() { median ${times[$1]}; }
ratio() { python3 -c "print(f'{$(med "$1") / $(med "$2"):.1f}')"; }
echo
echo "offline, output to /dev/null (median of $ROUNDS, seconds):"
for input in random base64; do
  printf '  %-7s netplay %6s   hexyl %6s (%sx)   xxd %6s (%sx)\n' "$input" \
    "$(med netplay-$input)" "$(med hexyl-$input)" "$(ratio hexyl-$input netplay-$input)" \
    "$(med xxd-$input)" "$(ratio xxd-$input netplay-$input)"
done
echo "live, ${SIZE_MB} MiB random with nc, until the server has written its dump (median, seconds):"
printf '  netplay tcp serve --color always > dump.txt %6s   ncat --hex-dump %6s (%sx)\n' \
  "$(med netplay-live)" "$(med ncat-live)" "$(ratio ncat-live netplay-live)"
# Writing a big file here sometimes takes 1 s instead of 0.16 s, for any
# writer: the floor is the fastest round, not the median.
printf '  (the dump is %s MB; dd writes that many zeros to a new file in %s at best; ncat/20 is %s)\n' \
  "$(($(stat -c %s "$dir/dump.txt") / 1000000))" "$(fastest ${times[write-floor]})" \
  "$(python3 -c "print(f'{$(med ncat-live) / 20:.3f}')")"

echo "memory, max RSS of netplay hex --color always (KiB):"
for mb in 16 "$SIZE_MB"; do
  head -c "${mb}M" "$dir/random.bin" >"$dir/part.bin"
  rss=$( { /usr/bin/time -f %M "$NETPLAY" hex --color always "$dir/part.bin" >/dev/null; } 2>&1 )
  printf '  %3s MiB: %s\n' "$mb" "$rss"
done

echo "live dump against netplay hex of the same bytes:"
"$NETPLAY" hex --color always "$dir/random.bin" >"$dir/offline.txt"
python3 scripts/compare-dumps.py "$dir/dump.txt" "$dir/offline.txt" | sed 's/^/  /'
