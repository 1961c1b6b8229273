#!/usr/bin/env bash
# Benchmarks netplay's hex dump against its peers, side by side in one run:
#   offline: at each width (8, 16, 32 bytes a line), `netplay hex --width W
#            --color always`, `xxd -c W` and `hexyl --panels W/8 --color
#            always` on 64 MiB of random bytes and 64 MiB of base64 text,
#            output to /dev/null;
#   live:    64 MiB of random bytes sent with nc to `netplay tcp serve --once
#            --color always > dump.txt` and to `ncat -l --hex-dump FILE`;
#   memory:  max RSS of netplay hex on 16 MiB and 64 MiB (it must not grow).
# Each round runs every tool once per case, in turn, netplay first in odd
# rounds and last in even ones; the report gives medians, the ratios of the
# medians (peer / netplay: above 1, netplay is faster), and the load average
# before and after each round. Then it checks that the live dump is the
# offline dump plus per-chunk headers (scripts/compare-dumps.py).
#
# usage: scripts/bench-hex.sh [ROUNDS]      (default 5)
# env:   WIDTHS="8 16 32"   the widths to measure
#        LIVE=0             skip the live dump (and ncat, nc)
#        HEXYL=path to hexyl 0.17 or later (default: hexyl on PATH, then
#              /work/tools/bin/hexyl; without one, the hexyl columns are left
#              out: cargo install hexyl --version 0.17.0)
#        NETPLAY=path to a release netplay (default: build one)
#        BASELINE=path to another netplay build (say, main's), measured in
#              the same rounds as one more column: before and after a change
#        SIZE_MB=64, KEEP=1 to keep the temporary directory
# needs: xxd, python3; for the live part, nc (OpenBSD) and ncat.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=bench-hex
. scripts/lib.sh

ROUNDS=${1:-5}
SIZE_MB=${SIZE_MB:-64}
WIDTHS=${WIDTHS:-8 16 32}
LIVE=${LIVE:-1}
if [[ -z ${NETPLAY:-} ]]; then
  cargo build --release --quiet
  NETPLAY=${CARGO_TARGET_DIR:-target}/release/netplay
fi
needed=(xxd python3)
[[ $LIVE == 1 ]] && needed+=(ncat nc ss)
for tool in "${needed[@]}"; do
  command -v "$tool" >/dev/null || { echo "bench-hex: $tool not found" >&2; exit 1; }
done

# hexyl before 0.17 is several times slower: comparing with it would flatter
# netplay, so an older one is left out, with a word.
hexyl_ok() { [[ -x $1 ]] && "$1" --version 2>/dev/null | grep -Eq '^hexyl (0\.(1[7-9]|[2-9][0-9])|[1-9])'; }
if [[ -z ${HEXYL:-} ]]; then
  for candidate in "$(command -v hexyl || true)" /work/tools/bin/hexyl; do
    if hexyl_ok "$candidate"; then HEXYL=$candidate; break; fi
  done
fi
if [[ -n ${HEXYL:-} ]] && ! hexyl_ok "$HEXYL"; then
  echo "bench-hex: $HEXYL is not hexyl 0.17 or later; leaving hexyl out" >&2
  HEXYL=
fi
[[ -z ${HEXYL:-} ]] && echo "bench-hex: no hexyl 0.17 or later found; leaving hexyl out (cargo install hexyl --version 0.17.0)" >&2

dir=$(mktemp -d)
trap '[[ -n ${KEEP:-} ]] && echo "kept $dir" || rm -rf "$dir"' EXIT
head -c "${SIZE_MB}M" /dev/urandom >"$dir/random.bin"
# base64 wraps at 76 columns, like a mail attachment; the last head cuts the
# pipe short on purpose.
(set +o pipefail; head -c "$((SIZE_MB * 3 / 4 + 1))M" /dev/urandom | base64 | head -c "${SIZE_MB}M" >"$dir/base64.txt")
declare -A file=([random]=$dir/random.bin [base64]=$dir/base64.txt)

# Seconds (microsecond resolution) taken by a command, its output dropped.
elapsed() {
  local start=$EPOCHREALTIME
  "$@" >/dev/null
  local end=$EPOCHREALTIME
  python3 -c "print(f'{$end - $start:.4f}')"
}

median() { python3 -c 'import statistics,sys; print(f"{statistics.median(map(float, sys.argv[1:])):.3f}")' "$@"; }
fastest() { python3 -c 'import sys; print(f"{min(map(float, sys.argv[1:])):.3f}")' "$@"; }

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
loads=
record() { times[$1]+="$2 "; }

# One offline case: width $1, input $2, every tool once, netplay first or
# last ($3: first|last).
offline_case() {
  local w=$1 input=$2 order=$3 f=${file[$2]}
  local -a tools=(netplay xxd)
  [[ -n ${HEXYL:-} ]] && tools+=(hexyl)
  [[ -n ${BASELINE:-} ]] && tools+=(baseline)
  if [[ $order == last ]]; then tools=("${tools[@]:1}" netplay); fi
  for tool in "${tools[@]}"; do
    case $tool in
      netplay) record "netplay-$w-$input" "$(elapsed "$NETPLAY" hex --width "$w" --color always "$f")" ;;
      xxd) record "xxd-$w-$input" "$(elapsed xxd -c "$w" "$f")" ;;
      hexyl) record "hexyl-$w-$input" "$(elapsed "$HEXYL" --panels "$((w / 8))" --color always "$f")" ;;
      baseline) record "baseline-$w-$input" "$(elapsed "$BASELINE" hex --width "$w" --color always "$f")" ;;
    esac
  done
}

echo "netplay: $NETPLAY ($("$NETPLAY" --version))${BASELINE:+; baseline: $BASELINE}"
echo "peers: xxd $(xxd -v 2>&1 | awk '{print $2}')${HEXYL:+; $("$HEXYL" --version) ($HEXYL)}$([[ $LIVE == 1 ]] && echo "; $(ncat --version 2>&1 | head -1)")"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$ROUNDS rounds, ${SIZE_MB} MiB inputs, widths $WIDTHS, $(date '+%Y-%m-%d %H:%M')"
for round in $(seq "$ROUNDS"); do
  before=$(load)
  order=first
  ((round % 2 == 0)) && order=last
  for w in $WIDTHS; do
    for input in random base64; do
      offline_case "$w" "$input" "$order"
    done
  done
  if [[ $LIVE == 1 ]]; then
    if [[ $order == first ]]; then
      record netplay-live "$(live_netplay)"
      record ncat-live "$(live_ncat)"
    else
      record ncat-live "$(live_ncat)"
      record netplay-live "$(live_netplay)"
    fi
    # What writing a new file of the live dump's size costs here, from
    # memory, with nothing to render: a floor for any tool writing that dump.
    rm -f "$dir/floor.txt"
    sync
    record write-floor "$(elapsed dd if=/dev/zero of="$dir/floor.txt" bs=1M count="$(($(stat -c %s "$dir/dump.txt") >> 20))" status=none)"
    rm -f "$dir/floor.txt"
  fi
  loads+="$before-$(load) "
  echo "round $round done (load $before before, $(load) after)" >&2
done

med() { median ${times[$1]}; }
ratio() { python3 -c "print(f'{$(med "$1") / $(med "$2"):.1f}x')"; }
echo "load average (1 min) before-after each round: $loads"
echo
echo "offline, colour on, output to /dev/null (median of $ROUNDS rounds, seconds; ratio = peer / netplay):"
echo
header="| width | input  | netplay | xxd -c W | xxd / netplay |"
rule="|------:|--------|--------:|---------:|--------------:|"
if [[ -n ${HEXYL:-} ]]; then
  header+=" hexyl --panels W/8 | hexyl / netplay |"
  rule+="-------------------:|----------------:|"
fi
if [[ -n ${BASELINE:-} ]]; then
  header+=" baseline | baseline / netplay |"
  rule+="---------:|-------------------:|"
fi
echo "$header"
echo "$rule"
for w in $WIDTHS; do
  for input in random base64; do
    row=$(printf '| %5s | %-6s | %7s | %8s | %13s |' "$w" "$input" "$(med "netplay-$w-$input")" \
      "$(med "xxd-$w-$input")" "$(ratio "xxd-$w-$input" "netplay-$w-$input")")
    if [[ -n ${HEXYL:-} ]]; then
      row+=$(printf ' %18s | %15s |' "$(med "hexyl-$w-$input")" "$(ratio "hexyl-$w-$input" "netplay-$w-$input")")
    fi
    if [[ -n ${BASELINE:-} ]]; then
      row+=$(printf ' %8s | %18s |' "$(med "baseline-$w-$input")" "$(ratio "baseline-$w-$input" "netplay-$w-$input")")
    fi
    echo "$row"
  done
done

if [[ $LIVE == 1 ]]; then
  echo
  echo "live, ${SIZE_MB} MiB random with nc, until the server has written its dump (median, seconds):"
  printf '  netplay tcp serve --color always > dump.txt %6s   ncat --hex-dump %6s (%s)\n' \
    "$(med netplay-live)" "$(med ncat-live)" "$(ratio ncat-live netplay-live)"
  # Writing a big file here sometimes takes 1 s instead of 0.16 s, for any
  # writer: the floor is the fastest round, not the median.
  printf '  (the dump is %s MB; dd writes that many zeros to a new file in %s at best; ncat/20 is %s)\n' \
    "$(($(stat -c %s "$dir/dump.txt") / 1000000))" "$(fastest ${times[write-floor]})" \
    "$(python3 -c "print(f'{$(med ncat-live) / 20:.3f}')")"
fi

echo
echo "memory, max RSS of netplay hex --color always (KiB):"
for mb in 16 "$SIZE_MB"; do
  head -c "${mb}M" "$dir/random.bin" >"$dir/part.bin"
  rss=$( { /usr/bin/time -f %M "$NETPLAY" hex --color always "$dir/part.bin" >/dev/null; } 2>&1 )
  printf '  %3s MiB: %s\n' "$mb" "$rss"
done

if [[ $LIVE == 1 ]]; then
  echo "live dump against netplay hex of the same bytes:"
  "$NETPLAY" hex --color always "$dir/random.bin" >"$dir/offline.txt"
  python3 scripts/compare-dumps.py "$dir/dump.txt" "$dir/offline.txt" | sed 's/^/  /'
fi
