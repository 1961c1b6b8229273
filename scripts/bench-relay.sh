#!/usr/bin/env bash
# Relay throughput: SIZE bytes (default 1 GiB) of zeros and of random bytes,
# read from files in /dev/shm, over loopback, in both directions:
#   c2s  netplay tcp connect --raw < file  →  netplay tcp serve --raw --once > /dev/null
#   s2c  netplay tcp serve --raw --once < file  →  netplay tcp connect --raw > /dev/null
# and the same transfer by nc (netcat-openbsd), ncat and socat, beside two
# floors: iperf3 -n SIZE (memory to memory; -R for s2c) and a bare pipe
# (cat file | cat > /dev/null, the same bytes through one pipe, no socket).
#
# Each round runs every tool once per case, alternating, in an order that
# rotates from round to round. Before the timed rounds, each tool moves each
# case once into a file in /dev/shm whose sha256 must match the input's
# (iperf3 moves no file: it is not checked). Prints each round, the medians,
# and per case the ratios: tool / netplay above 1 means netplay is faster;
# netplay / iperf3 at most 1.05 is the target of issue 15.
#
# A third direction, pipe, is c2s with the client reading a pipe
# (`cat file | netplay tcp connect --raw`, `cat file | nc -N`): issue 24's
# pipe input. netplay grows the pipe to 1 MiB and reads it (read+send), or
# splices it with NETPLAY_SEND=splice (WAYS="splice" runs both).
#
# It prints the CPU it runs on, and which way each netplay end moved the
# bytes in the byte-exact round, from netplay's own notes on stderr:
# sendfile, mmap (send(2) from a mapping, kept after the planner's trials:
# src/tcp/plan.rs), splice, read+send (a pipe read through a buffer), or
# copy (no note: read and write).
#
# Usage: scripts/bench-relay.sh [ROUNDS] [SIZE]     e.g. scripts/bench-relay.sh 7 1G
# env:   NETPLAY=path to a release netplay (default: build one)
#        BASELINE=path to another netplay build (say, main's), relayed in the
#              same rounds as one more tool: before and after a change
#        WAYS="sendfile mmap trials splice": also netplay with NETPLAY_SEND
#              forced to each way, as tools of their own (netplay-sendfile,
#              ...; trials: the planner's trials even on loopback);
#              a file's ways do not apply to a pipe, nor splice to a file
#        DIRS="pipe": only these directions (default: c2s s2c pipe)
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=bench-relay
. scripts/lib.sh

ROUNDS=${1:-5}
SIZE=${2:-1G}
SHM=/dev/shm/netplay-bench-$$
WAY_TOOLS=""
for way in ${WAYS:-}; do WAY_TOOLS="$WAY_TOOLS netplay-$way"; done
TOOLS="netplay${BASELINE:+ baseline}$WAY_TOOLS nc ncat socat iperf3 pipe"
DIRS=${DIRS:-c2s s2c pipe}
NOTES=/dev/shm/netplay-bench-notes-$$

for tool in nc ncat socat iperf3 ss python3; do
  command -v "$tool" >/dev/null || { echo "bench-relay: $tool is not installed" >&2; exit 1; }
done
if [[ -z ${NETPLAY:-} ]]; then
  cargo build --release --quiet
  NETPLAY=$PWD/target/release/netplay
fi

mkdir -p "$SHM"
trap 'rm -rf "$SHM" "$NOTES".*' EXIT
head -c "$SIZE" /dev/zero >"$SHM/zeros"
head -c "$SIZE" /dev/urandom >"$SHM/random"
BYTES=$(stat -c %s "$SHM/zeros")

# One transfer of $3 (zeros|random) by $1 in direction $2 (c2s|s2c); what
# is received goes to $4 (default /dev/null). Prints the seconds from the
# start of the client to the end of both ends.
# netplay's stderr goes to $NOTES.server and $NOTES.client: its notes say
# which way it took (see `ways` below).
round() {
  local tool=$1 dir=$2 file=$SHM/$3 out=${4:-/dev/null} port server start end bin=$NETPLAY send=
  [ "$tool" = baseline ] && { tool=netplay; bin=$BASELINE; }
  case "$tool" in netplay-*) send=${tool#netplay-}; tool=netplay ;; esac
  local piped=
  # The pipe direction is c2s with a pipe as the client's input (iperf3
  # reads no input: its c2s is the floor).
  if [ "$dir" = pipe ] && [ "$tool" != pipe ]; then dir=c2s; piped=1; fi
  port=$(free_port)
  case "$tool/$dir" in
    netplay/c2s) "$bin" --raw tcp serve --port "$port" --once </dev/null >"$out" 2>"$NOTES.server" & ;;
    netplay/s2c) NETPLAY_SEND=$send "$bin" --raw tcp serve --port "$port" --once <"$file" >/dev/null 2>"$NOTES.server" & ;;
    nc/c2s) nc -l 127.0.0.1 "$port" </dev/null >"$out" & ;;
    nc/s2c) nc -N -l 127.0.0.1 "$port" <"$file" >/dev/null & ;;
    ncat/c2s) ncat -l --recv-only 127.0.0.1 "$port" </dev/null >"$out" & ;;
    ncat/s2c) ncat -l --send-only 127.0.0.1 "$port" <"$file" >/dev/null & ;;
    socat/c2s) socat -u TCP-LISTEN:"$port",bind=127.0.0.1,reuseaddr - </dev/null >"$out" & ;;
    socat/s2c) socat -u - TCP-LISTEN:"$port",bind=127.0.0.1,reuseaddr <"$file" >/dev/null & ;;
    iperf3/*) iperf3 -s -1 -B 127.0.0.1 -p "$port" >/dev/null 2>&1 & ;;
    pipe/*) ;;
  esac
  server=$!
  [ "$tool" = pipe ] || wait_listening "$port"
  start=$(now)
  case "$tool/$dir" in
    netplay/c2s) if [ -n "$piped" ]; then
        cat "$file" | NETPLAY_SEND=$send "$bin" --raw tcp connect 127.0.0.1 "$port" >/dev/null 2>"$NOTES.client"
      else
        NETPLAY_SEND=$send "$bin" --raw tcp connect 127.0.0.1 "$port" <"$file" >/dev/null 2>"$NOTES.client"
      fi ;;
    netplay/s2c) "$bin" --raw tcp connect 127.0.0.1 "$port" </dev/null >"$out" 2>"$NOTES.client" ;;
    nc/c2s) if [ -n "$piped" ]; then cat "$file" | nc -N 127.0.0.1 "$port" >/dev/null; else nc -N 127.0.0.1 "$port" <"$file" >/dev/null; fi ;;
    nc/s2c) nc -d 127.0.0.1 "$port" >"$out" ;;
    ncat/c2s) if [ -n "$piped" ]; then cat "$file" | ncat --send-only 127.0.0.1 "$port" >/dev/null; else ncat --send-only 127.0.0.1 "$port" <"$file" >/dev/null; fi ;;
    ncat/s2c) ncat --recv-only 127.0.0.1 "$port" </dev/null >"$out" ;;
    socat/c2s) if [ -n "$piped" ]; then cat "$file" | socat -u - TCP:127.0.0.1:"$port" >/dev/null; else socat -u - TCP:127.0.0.1:"$port" <"$file" >/dev/null; fi ;;
    socat/s2c) socat -u TCP:127.0.0.1:"$port" - </dev/null >"$out" ;;
    iperf3/c2s) iperf3 -c 127.0.0.1 -p "$port" -n "$BYTES" >/dev/null ;;
    iperf3/s2c) iperf3 -c 127.0.0.1 -p "$port" -n "$BYTES" -R >/dev/null ;;
    pipe/*) cat "$file" | cat >"$out" ;;
  esac
  [ "$tool" = pipe ] || wait "$server"
  end=$(now)
  python3 -c "print(f'{$end - $start:.4f}')"
}

# Which way one netplay end took, from its notes: "sendfile", "mmap"
# (kept after the trials, or forced), "mmap (peer on this machine)" (the
# rule, no trials), "sendfile+mmap trials", "splice",
# "read+send (1.00 MiB a call)" (a pipe), "copy" (no note).
ways() {
  local notes=$1 verb=$2
  if grep -q "$verb with sendfile(2)" "$notes" && grep -q "in the trials that chose" "$notes"; then
    echo "sendfile (after mmap trials)"
  elif grep -q "the way for a peer on this machine" "$notes"; then echo "mmap (peer on this machine)"
  elif grep -q "$verb with send(2) from an mmap(2)" "$notes"; then
    grep -q "$verb with sendfile(2)" "$notes" && echo "mmap (after sendfile trials)" || echo mmap
  elif grep -q "$verb with sendfile(2)" "$notes"; then echo sendfile
  elif grep -q "$verb with splice(2)" "$notes"; then echo splice
  elif grep -q "$verb with read(2) and send(2)" "$notes"; then
    echo "read+send ($(sed -n 's/.*read up to \(.*\) a call.*/\1/p' "$notes" | head -1) a call)"
  else echo copy
  fi
}

echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) vCPUs;" \
  "AVX-512: $(grep -qw avx512f /proc/cpuinfo && echo yes || echo no); kernel $(uname -r)"
echo "relay of $SIZE ($BYTES bytes) over loopback, $ROUNDS rounds; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "netplay: $NETPLAY${BASELINE:+; baseline: $BASELINE}"
echo "byte-exact check (sha256 of what arrived against the input's), once per case:"
for data in zeros random; do
  want=$(sha256sum "$SHM/$data" | cut -d' ' -f1)
  for dir in $DIRS; do
    paths=""
    for tool in $TOOLS; do
      [ "$tool" = iperf3 ] && continue
      round "$tool" "$dir" "$data" "$SHM/out" >/dev/null
      got=$(sha256sum "$SHM/out" | cut -d' ' -f1)
      rm -f "$SHM/out"
      if [ "$got" != "$want" ]; then
        echo "  $tool $dir $data: DIFFERS ($got, want $want)" >&2
        exit 1
      fi
      case "$tool" in
        netplay*|baseline)
          if [ "$dir" = s2c ]; then
            paths="$paths; $tool: server $(ways "$NOTES.server" sent), client $(ways "$NOTES.client" received)"
          else
            paths="$paths; $tool: client $(ways "$NOTES.client" sent), server $(ways "$NOTES.server" received)"
          fi ;;
      esac
    done
    echo "  $data $dir: every tool byte-exact${paths}"
  done
done

RESULTS=$SHM/results
: >"$RESULTS"
for i in $(seq 1 "$ROUNDS"); do
  # Rotate the order: no tool always runs first (or right after another).
  order=$(echo $TOOLS | tr ' ' '\n' | awk -v r="$i" '{a[NR]=$0} END {for (k=0; k<NR; k++) print a[(k + r) % NR + 1]}')
  line="round $i:"
  for data in zeros random; do
    for dir in $DIRS; do
      for tool in $order; do
        t=$(round "$tool" "$dir" "$data")
        echo "$data $dir $tool $t" >>"$RESULTS"
        line="$line $data/$dir/$tool=$t"
      done
    done
  done
  echo "$line"
done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$RESULTS" "$TOOLS" <<'EOF'
import collections, statistics, sys
times = collections.defaultdict(list)
for row in open(sys.argv[1]):
    data, direction, tool, t = row.split()
    times[(data, direction, tool)].append(float(t))
tools = sys.argv[2].split()
peers = [t for t in tools if t != "netplay"]
print()
print("median seconds; in brackets: tool / netplay (above 1: netplay is faster)")
print("| case | " + " | ".join(tools) + " | netplay / iperf3 | nc / netplay |")
print("|---" * (len(tools) + 3) + "|")
for data in ("zeros", "random"):
    for direction in ("c2s", "s2c", "pipe"):
        if not times[(data, direction, "netplay")]:
            continue
        med = {t: statistics.median(times[(data, direction, t)]) for t in tools}
        np = med["netplay"]
        cells = [f"{np:.3f}"] + [f"{med[t]:.3f} ({med[t] / np:.2f})" for t in peers]
        print(f"| {data} {direction} | " + " | ".join(cells)
              + f" | {np / med['iperf3']:.2f} | {med['nc'] / np:.2f} |")
EOF
