#!/usr/bin/env bash
# Checks that two netplay builds print the same things: a refactoring must
# not change a byte of what people or programs read. It runs a fixed set of
# runs with each build (the demo; a tcp serve/connect exchange; a udp
# serve/send exchange; hex; tcp and udp bench --local at tiny sizes; --help of
# every subcommand in en and fr; the man page), each as JSON, as --raw and as
# human output (NO_COLOR, --columns 80), masks what differs from one run to
# the next (times, durations, ports, rates), and diffs the two sets.
#
# usage: scripts/same-output.sh BASE NEW     (two netplay binaries)
#   e.g. cargo build --release && cp target/release/netplay /tmp/base/netplay
#        (on main), then after the change:
#        scripts/same-output.sh /tmp/base/netplay target/release/netplay
# env:   KEEP=1 keeps the directory of outputs (its path is printed)
#        ROUNDS=N runs BASE N times against itself first (default 0), to see
#              which lines are noise (thread interleaving in the demo)
# Exit status: 0 when every masked output is identical or has the same lines
# in another order (threads interleaved: listed), 1 otherwise (the diff is
# printed). Some lines measure the run itself (the demo's table: how many
# recv() calls TCP needed; bench counts): ROUNDS=1 shows which.
# needs: python3, ss; only loopback is used.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=same-output
. scripts/lib.sh

BASE=${1:?usage: scripts/same-output.sh BASE NEW}
NEW=${2:?usage: scripts/same-output.sh BASE NEW}
BASE=$(realpath "$BASE")
NEW=$(realpath "$NEW")
DIR=$(mktemp -d /tmp/same-output.XXXXXX)
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$DIR"' EXIT

export NO_COLOR=1
unset CLICOLOR_FORCE COLUMNS
# The bounds of every run: nothing here should take more than a few seconds.
T="timeout 30"

# Times, durations, rates and ports change from run to run: masked. A port is
# any number of 4 or 5 digits after a colon or the word port(s), the client's
# ephemeral port wherever it is repeated, and JSON's *port / *_us / *_ms / *_ns
# fields.
# French writes a no-break space between a number and its unit.
NB=$(printf '\xc2\xa0')
mask() {
  sed -E \
    -e 's/"tcp_info":\{[^}]*\}/"tcp_info":{…}/g' \
    -e 's/"(time_us|[a-z_]*_(us|ms|ns|s)|[a-z_]*port|[a-z_]*per_second|[a-z_]*rate[a-z_]*|[a-z_]*elapsed[a-z_]*|seconds|duration[a-z_]*)":[0-9.e+-]+/"\1":N/g' \
    -e 's/(TCP_INFO .*:).*/\1 …/' \
    -e 's/^( *)[0-9]* ?segments in, .* acked$/\1…/' \
    -e 's/^( *)(in|segments in), [0-9]+ out, .* acked$/\1…/' \
    -e 's/[0-9]+ (recv|send|recvfrom|sendto|recvmmsg|sendmmsg)\(\) calls/N \1() calls/g' \
    -e 's/"calls":[0-9]+/"calls":N/g' \
    -e 's/(:|port |ports |port: )[0-9]{4,5}\b/\1P/g' \
    -e 's/\b[3-6][0-9]{4}\b/P/g' \
    -e 's/[+]?[0-9]+([.,][0-9]+)?( |'"$NB"')?(ns|µs|us|ms|s|min)\b/T/g' \
    -e 's/[0-9][0-9,. ]*\/s\b/N\/s/g' \
    -e 's/[0-9]+([.,][0-9]+)?( |'"$NB"')?[KMGT]?i?(B|b|bit|byte|o|bits)\/s/R/g' \
    -e 's/[0-9]+([.,][0-9]+)?( |'"$NB"')?[KMGT]?i?(bps|pps)/R/g'
}

# Waits for a UDP socket bound on 127.0.0.1:$1.
wait_udp() {
  for _ in $(seq 1 500); do
    ss -Hlun "sport = :$1" | grep -q . && return 0
    sleep 0.01
  done
  echo "same-output: nothing bound on udp port $1" >&2
  return 1
}

# record BIN OUT: every run of the set, with BIN, into OUT/NAME.{out,err,rc}.
record() {
  local bin=$1 out=$2 mode name port
  mkdir -p "$out"
  printf 'Bonjour serveur !\n\x00\x01\x7f\xff fête\n' > "$out/../input.bin"
  local input=$out/../input.bin
  run() { # run NAME CMD...: stdout, stderr and exit status, masked
    local n=$1; shift
    local rc=0
    "$@" > "$out/$n.out.raw" 2> "$out/$n.err.raw" < "${STDIN:-/dev/null}" || rc=$?
    mask < "$out/$n.out.raw" > "$out/$n.out"
    mask < "$out/$n.err.raw" > "$out/$n.err"
    rm -f "$out/$n.out.raw" "$out/$n.err.raw"
    echo "$rc" > "$out/$n.rc"
  }
  for mode in human json raw; do
    local flags=(--columns 80)
    [ $mode = json ] && flags+=(--json)
    [ $mode = raw ] && flags+=(--raw)
    # The demo: TCP, UDP and the table, in one process.
    [ $mode = raw ] || run "demo.$mode" $T "$bin" "${flags[@]}" demo
    [ $mode = human ] && run "demo-fr.$mode" $T "$bin" "${flags[@]}" --lang fr demo
    [ $mode = human ] && run "demo-explain.$mode" $T "$bin" "${flags[@]}" --explain demo
    # tcp serve --once, and a client sending the input file.
    port=$(free_port)
    $T "$bin" "${flags[@]}" tcp serve -p "$port" --once \
      > "$out/tcp-serve.$mode.out.raw" 2> "$out/tcp-serve.$mode.err.raw" < /dev/null &
    local spid=$!
    wait_listening "$port"
    STDIN=$input run "tcp-connect.$mode" $T "$bin" "${flags[@]}" tcp connect 127.0.0.1 "$port"
    local src=0; wait $spid || src=$?
    echo $src > "$out/tcp-serve.$mode.rc"
    for s in out err; do
      mask < "$out/tcp-serve.$mode.$s.raw" > "$out/tcp-serve.$mode.$s"
      rm -f "$out/tcp-serve.$mode.$s.raw"
    done
    # tcp serve --echo --once with --explain and --decode: the replies.
    port=$(free_port)
    $T "$bin" "${flags[@]}" --explain --decode '>h' tcp serve -p "$port" --once --echo \
      > "$out/tcp-echo.$mode.out.raw" 2> "$out/tcp-echo.$mode.err.raw" < /dev/null &
    spid=$!
    wait_listening "$port"
    STDIN=$input run "tcp-echo-client.$mode" $T "$bin" "${flags[@]}" --explain tcp connect 127.0.0.1 "$port"
    src=0; wait $spid || src=$?
    echo $src > "$out/tcp-echo.$mode.rc"
    for s in out err; do
      mask < "$out/tcp-echo.$mode.$s.raw" > "$out/tcp-echo.$mode.$s"
      rm -f "$out/tcp-echo.$mode.$s.raw"
    done
    # udp serve (one datagram, answered) and udp send --wait.
    port=$(free_port)
    $T "$bin" "${flags[@]}" udp serve -p "$port" --once --echo \
      > "$out/udp-serve.$mode.out.raw" 2> "$out/udp-serve.$mode.err.raw" < /dev/null &
    spid=$!
    wait_udp "$port"
    STDIN=$input run "udp-send.$mode" $T "$bin" "${flags[@]}" udp send 127.0.0.1 "$port" --wait 1s
    src=0; wait $spid || src=$?
    echo $src > "$out/udp-serve.$mode.rc"
    for s in out err; do
      mask < "$out/udp-serve.$mode.$s.raw" > "$out/udp-serve.$mode.$s"
      rm -f "$out/udp-serve.$mode.$s.raw"
    done
    # hex (a file; --decode; the legend).
    [ $mode = json ] || run "hex.$mode" $T "$bin" "${flags[@]}" hex "$input"
    [ $mode = json ] || run "hex-decode.$mode" $T "$bin" "${flags[@]}" --decode '>h' hex "$input"
    # bench, both ends in one process, tiny sizes.
    run "tcp-bench.$mode" $T "$bin" "${flags[@]}" tcp bench --local -n 64K --size 4K
    run "udp-bench.$mode" $T "$bin" "${flags[@]}" udp bench --local --count 64 --size 1K
    # Errors people meet first: a refused connection, a bad port.
    port=$(free_port)
    run "refused.$mode" $T "$bin" "${flags[@]}" tcp connect 127.0.0.1 "$port"
    run "bad-port.$mode" $T "$bin" "${flags[@]}" tcp serve -p 70000
  done
  run legend "$bin" --legend
  run man "$bin" man
  for lang in en fr; do
    for sub in "" demo tcp udp hex completions man "tcp serve" "tcp connect" \
      "tcp bench" "udp serve" "udp send" "udp bench"; do
      # shellcheck disable=SC2086
      run "help-$lang-${sub// /-}" "$bin" --lang $lang $sub --help
    done
  done
}

# Noise first, when asked: BASE against itself.
for r in $(seq 1 "${ROUNDS:-0}"); do
  record "$BASE" "$DIR/noise$r/a"
  record "$BASE" "$DIR/noise$r/b"
  echo "== noise, round $r (BASE against BASE):"
  diff -rq "$DIR/noise$r/a" "$DIR/noise$r/b" || true
done

record "$BASE" "$DIR/base"
record "$NEW" "$DIR/new"
# A file is identical, or has the same lines in another order (two threads'
# lines interleaved otherwise: the demo's server and client; said, not a
# failure), or differs.
same=0 order=0 differ=0
for f in "$DIR"/base/*; do
  n=$(basename "$f")
  if cmp -s "$f" "$DIR/new/$n"; then
    same=$((same + 1))
  elif [ -f "$DIR/new/$n" ] && cmp -s <(sort "$f") <(sort "$DIR/new/$n"); then
    order=$((order + 1))
    echo "order only: $n"
  else
    differ=$((differ + 1))
    diff "$f" "$DIR/new/$n" || true
    echo "differs: $n"
  fi
done
echo "same-output: $same identical, $order same lines in another order, $differ differ (masked)${KEEP:+; kept in $DIR}"
[ $differ = 0 ]
