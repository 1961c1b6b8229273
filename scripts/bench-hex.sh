#!/usr/bin/env bash
# Benchmarks netplay's hex dump against its peers, side by side in one run:
#   offline: at each width (8, 16, 32 bytes a line), `netplay hex --width W
#            --color always` with each renderer this CPU runs (AVX-512 and
#            portable, forced with NETPLAY_HEX_RENDERER: a renderer the CPU
#            cannot run is refused, so the label is what ran), `xxd -c W`
#            and `hexyl --panels W/8 --color always` on 64 MiB of random
#            bytes and 64 MiB of base64 text, output to /dev/null;
#   live:    64 MiB of random bytes sent with nc to `netplay tcp serve --once
#            --color always > dump.txt` and to `ncat -l --hex-dump FILE`;
#   memory:  max RSS of netplay hex on 16 MiB and 64 MiB (it must not grow).
# Each round runs every tool once per case, in turn, netplay first in odd
# rounds and last in even ones; the report gives medians, the ratios of the
# medians (peer / netplay: above 1, netplay is faster), the 1-minute load
# average seen before the runs of each row (the machine may be shared), and
# before and after each round. The first lines name the CPU, its family and
# the flags the renderers use. Then it checks that the live dump is the
# offline dump plus per-chunk headers (scripts/compare-dumps.py).
#
# usage: scripts/bench-hex.sh [ROUNDS]      (default 5)
# env:   WIDTHS="8 16 32"   the widths to measure
#        RENDERERS="avx512 portable"  netplay's renderers to measure (default:
#              those this CPU runs; the live dump takes the first)
#        COLORS="always"    add never to measure without colour too (against
#              the same xxd, which has none)
#        ONE_CORE=1         also the CPU time of each offline run pinned to one
#              core (taskset -c 1, perf stat's task-clock, all threads): what
#              the other helpers' load on a shared machine barely moves
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
COLORS=${COLORS:-always}
LIVE=${LIVE:-1}
if [[ -z ${NETPLAY:-} ]]; then
  cargo build --release --quiet
  NETPLAY=${CARGO_TARGET_DIR:-target}/release/netplay
fi
if [[ -z ${RENDERERS:-} ]]; then
  RENDERERS=
  for r in avx512 portable; do
    NETPLAY_HEX_RENDERER=$r "$NETPLAY" hex /dev/null 2>/dev/null && RENDERERS+="$r "
  done
fi
read -ra renderers <<<"$RENDERERS"
for r in "${renderers[@]}"; do
  NETPLAY_HEX_RENDERER=$r "$NETPLAY" hex /dev/null || { echo "bench-hex: netplay cannot run the $r renderer here" >&2; exit 1; }
done
needed=(xxd python3)
[[ ${ONE_CORE:-} == 1 ]] && needed+=(perf taskset)
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

# Milliseconds of CPU time a command takes pinned to one core (all its
# threads, kernel time included), its output dropped.
cpu_ms() {
  perf stat -x, -e task-clock -- taskset -c 1 "$@" 2>&1 >/dev/null | awk -F, '/task-clock/ {print $1}'
}

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
  NETPLAY_HEX_RENDERER=${renderers[0]} "$NETPLAY" tcp serve --once --port "$port" --color always >"$dir/dump.txt" 2>&1 &
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

declare -A times rowload
loads=
record() { times[$1]+="$2 "; }

# One offline case: width $1, input $2, colour $3 (always|never), every tool
# once, netplay's renderers first or last ($4: first|last). xxd has no
# colour: the same xxd run is the peer with colour on and off.
offline_case() {
  local w=$1 input=$2 color=$3 order=$4 f=${file[$2]}
  local -a tools=() netplays=()
  for r in "${renderers[@]}"; do netplays+=("netplay:$r"); done
  tools=(xxd)
  [[ -n ${HEXYL:-} ]] && tools+=(hexyl)
  [[ -n ${BASELINE:-} ]] && tools+=(baseline)
  if [[ $order == first ]]; then tools=("${netplays[@]}" "${tools[@]}"); else tools+=("${netplays[@]}"); fi
  rowload[$w-$input-$color]+="$(load) "
  local -a cmd
  for tool in "${tools[@]}"; do
    case $tool in
      netplay:*) cmd=(env "NETPLAY_HEX_RENDERER=${tool#netplay:}" "$NETPLAY" hex --width "$w" --color "$color" "$f") ;;
      xxd) cmd=(xxd -c "$w" "$f") ;;
      hexyl) cmd=("$HEXYL" --panels "$((w / 8))" --color "$color" "$f") ;;
      baseline) cmd=("$BASELINE" hex --width "$w" --color "$color" "$f") ;;
    esac
    local name=${tool#netplay:}
    record "$name-$w-$input-$color" "$(elapsed "${cmd[@]}")"
    # An if, not `&&`: as the loop's last command a false test would be the
    # function's status, and set -e would end the script (it did, with
    # BASELINE as the last tool of a round).
    if [[ ${ONE_CORE:-} == 1 ]]; then record "cpu-$name-$w-$input-$color" "$(cpu_ms "${cmd[@]}")"; fi
  done
}

echo "netplay: $NETPLAY ($("$NETPLAY" --version))${BASELINE:+; baseline: $BASELINE}"
echo "peers: xxd $(xxd -v 2>&1 | awk '{print $2}')${HEXYL:+; $("$HEXYL" --version) ($HEXYL)}$([[ $LIVE == 1 ]] && echo "; $(ncat --version 2>&1 | head -1)")"
cpu_field() { grep -m1 "^$1" /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'; }
cpu_flags=$(cpu_field flags)
flags_used=
for flag in avx512f avx512bw avx512vl avx512vbmi avx512_vbmi2 bmi2 popcnt; do
  [[ " $cpu_flags " == *" $flag "* ]] && flags_used+="$flag " || flags_used+="(no $flag) "
done
echo "machine: $(nproc) cores, $(cpu_field 'model name') ($(cpu_field vendor_id), family $(cpu_field 'cpu family') model $(cpu_field model)), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "cpu flags the renderers use: ${flags_used% }"
auto=portable
NETPLAY_HEX_RENDERER=avx512 "$NETPLAY" hex /dev/null 2>/dev/null && auto=avx512
echo "renderers measured: ${renderers[*]} (forced with NETPLAY_HEX_RENDERER; by default netplay takes $auto here)"
echo "$ROUNDS rounds, ${SIZE_MB} MiB inputs, widths $WIDTHS, colour $COLORS, $(date '+%Y-%m-%d %H:%M')"
for round in $(seq "$ROUNDS"); do
  before=$(load)
  order=first
  ((round % 2 == 0)) && order=last
  for w in $WIDTHS; do
    for input in random base64; do
      for color in $COLORS; do
        offline_case "$w" "$input" "$color" "$order"
      done
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
span() { python3 -c 'import sys; v = list(map(float, sys.argv[1:])); print(f"{min(v):.2f}-{max(v):.2f}")' "$@"; }
echo "load average (1 min) before-after each round: $loads"
echo
echo "offline, output to /dev/null (median of $ROUNDS rounds, seconds; ratio = peer / netplay with that renderer):"
echo
header="| width | input  | colour | xxd -c W |"
rule="|------:|--------|--------|---------:|"
for r in "${renderers[@]}"; do
  header+=$(printf ' %8s | xxd / %-8s |' "$r" "$r")
  rule+="---------:|---------------:|"
done
if [[ -n ${HEXYL:-} ]]; then
  header+=" hexyl --panels W/8 | hexyl / ${renderers[0]} |"
  rule+="-------------------:|----------------:|"
fi
if [[ -n ${BASELINE:-} ]]; then
  header+=" baseline | baseline / ${renderers[0]} |"
  rule+="---------:|-------------------:|"
fi
header+=" load (1 min) |"
rule+="-------------:|"
echo "$header"
echo "$rule"
for w in $WIDTHS; do
  for input in random base64; do
    for color in $COLORS; do
      key=$w-$input-$color
      row=$(printf '| %5s | %-6s | %-6s | %8s |' "$w" "$input" "$([[ $color == always ]] && echo on || echo off)" "$(med "xxd-$key")")
      for r in "${renderers[@]}"; do
        row+=$(printf ' %8s | %14s |' "$(med "$r-$key")" "$(ratio "xxd-$key" "$r-$key")")
      done
      if [[ -n ${HEXYL:-} ]]; then
        row+=$(printf ' %18s | %15s |' "$(med "hexyl-$key")" "$(ratio "hexyl-$key" "${renderers[0]}-$key")")
      fi
      if [[ -n ${BASELINE:-} ]]; then
        row+=$(printf ' %8s | %18s |' "$(med "baseline-$key")" "$(ratio "baseline-$key" "${renderers[0]}-$key")")
      fi
      row+=$(printf ' %12s |' "$(span ${rowload[$key]})")
      echo "$row"
    done
  done
done

if [[ ${ONE_CORE:-} == 1 ]]; then
  echo
  echo "offline on one core (taskset -c 1): CPU time in ms, all threads (median of $ROUNDS rounds; ratio = xxd / netplay with that renderer):"
  echo
  header="| width | input  | colour | xxd -c W |"
  rule="|------:|--------|--------|---------:|"
  for r in "${renderers[@]}"; do
    header+=$(printf ' %8s | xxd / %-8s |' "$r" "$r")
    rule+="---------:|---------------:|"
  done
  if [[ -n ${BASELINE:-} ]]; then
    header+=" baseline | baseline / ${renderers[0]} |"
    rule+="---------:|-------------------:|"
  fi
  echo "$header"
  echo "$rule"
  for w in $WIDTHS; do
    for input in random base64; do
      for color in $COLORS; do
        key=$w-$input-$color
        row=$(printf '| %5s | %-6s | %-6s | %8.0f |' "$w" "$input" "$([[ $color == always ]] && echo on || echo off)" "$(med "cpu-xxd-$key")")
        for r in "${renderers[@]}"; do
          row+=$(printf ' %8.0f | %14s |' "$(med "cpu-$r-$key")" "$(ratio "cpu-xxd-$key" "cpu-$r-$key")")
        done
        if [[ -n ${BASELINE:-} ]]; then
          row+=$(printf ' %8.0f | %18s |' "$(med "cpu-baseline-$key")" "$(ratio "cpu-baseline-$key" "cpu-${renderers[0]}-$key")")
        fi
        echo "$row"
      done
    done
  done
fi

if [[ $LIVE == 1 ]]; then
  echo
  echo "live, ${SIZE_MB} MiB random with nc, until the server has written its dump (median, seconds):"
  printf '  netplay tcp serve --color always > dump.txt (%s) %6s   ncat --hex-dump %6s (%s)\n' "${renderers[0]}" \
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
