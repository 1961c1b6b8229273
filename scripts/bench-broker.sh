#!/usr/bin/env bash
# Benchmark of `netplay tcp serve --broadcast` against `ncat --broker`, side
# by side in one run, with the load generator examples/loadgen.rs. Loopback
# only; every server and client it starts, it ends by its PID.
#
#   scripts/bench-broker.sh                 everything (about 10 minutes)
#   scripts/bench-broker.sh --runs 1 --skip-probe
#   scripts/bench-broker.sh --sections 1 --runs 5
#   BASELINE=/path/to/old/netplay scripts/bench-broker.sh --sections 1
#       section 1 also runs that build at --clients, in the same rounds
#       (before and after a change)
#
# Sections:
#   1. fan-out: one client sends 100-byte messages one at a time; the time
#      until all the other clients have one is its fan-out time. p50 and p99
#      over the messages, server peak RSS, and the time the load generator
#      took to connect every client (256 connects in flight; where the
#      server accepts more slowly, its accept queue overflows and SYNs are
#      retried after 1 s). netplay at --clients, netplay
#      and ncat at --ncat-clients (ncat's select() cannot go past 1018).
#   2. idle: server RSS with the clients connected and silent.
#   3. stopped client: one client is SIGSTOPped while others keep sending;
#      server RSS sampled every second, for --slow disconnect and drop.
#   4. probe: ncat at 1018 and 1019 clients, to show where it stops.
#   5. lossless flood: one `nc -N` sender of --flood-mib MiB and four
#      `nc -d` readers that read at full speed: bytes each reader got (and
#      whether they are the sender's), the time until all had everything,
#      and server peak RSS; netplay's default policy (wait) beside ncat.
#
# Medians over --runs runs; ratios are ncat / netplay at the same count.
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=bench-broker
. scripts/lib.sh

CLIENTS=10000
NCAT_CLIENTS=1000
MESSAGES=100
RUNS=3
FLOOD_CLIENTS=200
FLOOD_SECONDS=20
PROBE=1
NCAT=1
FLOOD_MIB=64
SECTIONS=1,2,3,4,5
while [[ $# -gt 0 ]]; do
  case "$1" in
    --clients) CLIENTS=$2; shift 2 ;;
    --ncat-clients) NCAT_CLIENTS=$2; shift 2 ;;
    --messages) MESSAGES=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --flood-clients) FLOOD_CLIENTS=$2; shift 2 ;;
    --flood-seconds) FLOOD_SECONDS=$2; shift 2 ;;
    --flood-mib) FLOOD_MIB=$2; shift 2 ;;
    --skip-probe) PROBE=0; shift ;;
    --sections) SECTIONS=$2; shift 2 ;;
    --skip-ncat) NCAT=0; PROBE=0; shift ;;
    *) echo "unknown option $1 (see the comment at the top)" >&2; exit 2 ;;
  esac
done

TARGET=${CARGO_TARGET_DIR:-target}
cargo build --release --quiet --bin netplay --example loadgen
NETPLAY=$TARGET/release/netplay
LOADGEN=$TARGET/release/examples/loadgen
OUT=$(mktemp -d /tmp/bench-broker.XXXXXX)
echo "raw output in $OUT"
echo "machine: $(nproc) cores, $(uptime | sed 's/.*load average/load average/'), ulimit -n $(ulimit -n) (hard $(ulimit -Hn))"
ncat --version 2>&1 | head -1

SERVER_PID=""
cleanup() {
  if [[ -n $SERVER_PID ]]; then kill -- "-$SERVER_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT

# start_server KIND PORT LOG [netplay flags...]: in its own process group.
start_server() {
  local kind=$1 port=$2 log=$3
  shift 3
  if [[ $kind == netplay || $kind == baseline ]]; then
    local bin=$NETPLAY
    if [[ $kind == baseline ]]; then bin=$BASELINE; fi
    setsid "$bin" tcp serve --broadcast --port "$port" "$@" </dev/null >"$log" 2>&1 &
  else
    # ncat's default --max-conns is 100.
    setsid ncat --broker -l 127.0.0.1 "$port" --max-conns 100000 </dev/null >"$log" 2>&1 &
  fi
  SERVER_PID=$!
  wait_listening "$port"
}

# stop_server KIND: netplay on SIGINT (it prints its totals), ncat on SIGTERM.
stop_server() {
  if [[ $1 != ncat ]]; then kill -INT "$SERVER_PID" 2>/dev/null || true; else kill -- "-$SERVER_PID" 2>/dev/null || true; fi
  for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.05; done
  kill -9 -- "-$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

status_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

field() { tr ' ' '\n' <<<"$1" | awk -F= -v k="$2" '$1 == k {print $2}'; }

median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print "nan"; else if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# ncat accepts slowly (1 s SYN retransmissions every few connections with
# its listen backlog of 10), so its clients connect one at a time.
batch_for() { if [[ $1 == ncat ]]; then echo 1; else echo 256; fi; }

# fanout KIND N RUN: one fan-out run; appends "kind n p50 p99 hwm_kb" to results.
fanout() {
  local kind=$1 n=$2 run=$3 port log line
  port=$(free_port)
  log=$OUT/fanout-$kind-$n-$run.log
  start_server "$kind" "$port" "$log" -q
  line=$("$LOADGEN" --addr "127.0.0.1:$port" --clients "$n" --messages "$MESSAGES" --size 100 \
    --connect-batch "$(batch_for "$kind")" 2>>"$OUT/loadgen.err") || line="failed"
  local hwm
  hwm=$(status_kb "$SERVER_PID" VmHWM)
  stop_server "$kind"
  echo "$kind $n run$run: $line hwm_kb=$hwm" | tee -a "$OUT/fanout.txt"
  echo "$kind $n $(field "$line" p50_ms) $(field "$line" p99_ms) $(field "$line" max_ms) $hwm $(field "$line" incomplete) $(field "$line" connect_s)" >>"$OUT/fanout.tsv"
}

section() { [[ ",$SECTIONS," == *",$1,"* ]]; }

if section 1; then
echo
echo "== 1. fan-out of one 100-byte message, $MESSAGES messages, $RUNS run(s)"
for run in $(seq "$RUNS"); do
  fanout netplay "$CLIENTS" "$run"
  if [[ -n ${BASELINE:-} ]]; then fanout baseline "$CLIENTS" "$run"; fi
  if [[ $NCAT == 1 ]]; then
    fanout netplay "$NCAT_CLIENTS" "$run"
    fanout ncat "$NCAT_CLIENTS" "$run"
  fi
done

summary_fanout() {
  local kind=$1 n=$2
  local rows
  rows=$(awk -v k="$kind" -v n="$n" '$1 == k && $2 == n' "$OUT/fanout.tsv")
  [[ -z $rows ]] && return
  local p50 p99 mx hwm conn
  p50=$(awk '{print $3}' <<<"$rows" | median)
  p99=$(awk '{print $4}' <<<"$rows" | median)
  mx=$(awk '{print $5}' <<<"$rows" | median)
  hwm=$(awk '{print $6}' <<<"$rows" | median)
  conn=$(awk '{print $8}' <<<"$rows" | median)
  printf '| %-8s | %6s | %8s | %8s | %8s | %10s | %8s |\n' "$kind" "$n" "$p50" "$p99" "$mx" "$((hwm / 1024)) MB" "$conn"
  eval "P99_${kind}_${n}=$p99; HWM_${kind}_${n}=$hwm"
}

echo
echo "| server  | clients | p50 ms | p99 ms | max ms | peak RSS | connect s |"
echo "|---|---|---|---|---|---|---|"
summary_fanout netplay "$CLIENTS"
summary_fanout baseline "$CLIENTS"
summary_fanout netplay "$NCAT_CLIENTS"
summary_fanout ncat "$NCAT_CLIENTS"
if [[ $NCAT == 1 ]]; then
  a="P99_netplay_$NCAT_CLIENTS"
  b="P99_ncat_$NCAT_CLIENTS"
  awk -v a="${!a}" -v b="${!b}" -v n="$NCAT_CLIENTS" \
    'BEGIN {if (a > 0) printf "ratio at %d clients, p99 ncat / netplay: %.2f\n", n, b / a}'
fi
fi

# idle KIND N: RSS with N silent clients connected.
idle() {
  local kind=$1 n=$2 port log fifo
  port=$(free_port)
  log=$OUT/idle-$kind-$n.log
  fifo=$OUT/hold.fifo
  rm -f "$fifo"
  mkfifo "$fifo"
  start_server "$kind" "$port" "$log" -q
  "$LOADGEN" --addr "127.0.0.1:$port" --clients "$n" --mode hold --hold 600s \
    --connect-batch "$(batch_for "$kind")" <"$fifo" >"$OUT/idle-loadgen-$kind.out" 2>>"$OUT/loadgen.err" &
  local lg=$!
  exec 3>"$fifo"
  for _ in $(seq 3000); do
    grep -q ready "$OUT/idle-loadgen-$kind.out" 2>/dev/null && break
    kill -0 "$lg" 2>/dev/null || break
    sleep 0.1
  done
  sleep 1
  local rss
  rss=$(status_kb "$SERVER_PID" VmRSS)
  exec 3>&-
  wait "$lg" || true
  stop_server "$kind"
  printf '| %-8s | %6s | %8s | %s |\n' "$kind" "$n" "$((rss / 1024)) MB" "$(tr '\n' ' ' <"$OUT/idle-loadgen-$kind.out")"
}

if section 2; then
  echo
  echo "== 2. idle clients: server RSS once all are connected and served"
  echo "| server  | clients | RSS | loadgen |"
  echo "|---|---|---|---|"
  idle netplay "$CLIENTS"
  if [[ $NCAT == 1 ]]; then idle ncat "$NCAT_CLIENTS"; fi
fi

# stopped KIND [netplay flags]: one client SIGSTOPped while others send.
stopped() {
  local kind=$1 port log
  shift
  port=$(free_port)
  log=$OUT/stopped-$kind-${*// /_}.log
  start_server "$kind" "$port" "$log" --json "$@"
  # The stopped client: nc reading nothing from stdin (-d), then stopped.
  nc -d 127.0.0.1 "$port" >/dev/null &
  local stopped_pid=$!
  sleep 0.3
  kill -STOP "$stopped_pid"
  local before samples=""
  before=$(status_kb "$SERVER_PID" VmRSS)
  "$LOADGEN" --addr "127.0.0.1:$port" --clients "$FLOOD_CLIENTS" --mode flood --senders 10 --rate 1000 \
    --size 1000 --duration "${FLOOD_SECONDS}s" --connect-batch "$(batch_for "$kind")" \
    >"$OUT/stopped-loadgen.out" 2>>"$OUT/loadgen.err" &
  local lg=$!
  while kill -0 "$lg" 2>/dev/null; do
    samples="$samples $(($(status_kb "$SERVER_PID" VmRSS) / 1024))"
    sleep 1
  done
  wait "$lg" || true
  kill -CONT "$stopped_pid" 2>/dev/null || true
  kill "$stopped_pid" 2>/dev/null || true
  wait "$stopped_pid" 2>/dev/null || true
  local alive="yes"
  kill -0 "$SERVER_PID" 2>/dev/null || alive="no (it died)"
  stop_server "$kind"
  local drops=""
  if [[ $kind == netplay ]]; then
    drops=$(grep '"event":"summary"' "$log" | sed 's/.*"drops":\([0-9]*\),"slow_disconnects":\([0-9]*\),"stalls":\([0-9]*\).*/drops=\1 slow_disconnects=\2 stalls=\3/')
  fi
  echo "| $kind $* | $((before / 1024)) MB | ${samples# } | $(cat "$OUT/stopped-loadgen.out") $drops | server alive: $alive |"
}

if section 3; then
  echo
  echo "== 3. one client SIGSTOPped; $FLOOD_CLIENTS clients, 10 of them send 1000 B messages, 1000/s in all, ${FLOOD_SECONDS}s"
  echo "| server | RSS before | RSS each second (MB) | loadgen | server alive |"
  echo "|---|---|---|---|---|"
  stopped netplay
  stopped netplay --slow disconnect
  stopped netplay --slow drop
  if [[ $NCAT == 1 ]]; then stopped ncat; fi
fi

if [[ $PROBE == 1 ]] && section 4; then
  echo
  echo "== 4. how many clients ncat --broker survives"
  for n in 1018 1019; do
    port=$(free_port)
    start_server ncat "$port" "$OUT/probe-$n.log"
    result=$("$LOADGEN" --addr "127.0.0.1:$port" --clients "$n" --mode hold --hold 2s --connect-batch 1 \
      </dev/null 2>&1 | tail -1) || true
    alive="alive"
    kill -0 "$SERVER_PID" 2>/dev/null || alive="exited"
    stop_server ncat
    echo "ncat at $n clients: $alive; loadgen: $result; ncat said: $(head -c 200 "$OUT/probe-$n.log")"
  done
fi

# lossless KIND: a --flood-mib MiB sender and four full-speed readers.
lossless() {
  local kind=$1 port log data want
  data=$OUT/flood.bin
  [[ -f $data ]] || head -c "$((FLOOD_MIB << 20))" /dev/urandom >"$data"
  want=$(sha256sum <"$data" | cut -d' ' -f1)
  port=$(free_port)
  log=$OUT/lossless-$kind.log
  # --raw -q: relayed bytes go to /dev/null and nothing is printed, as
  # ncat prints nothing: the servers are compared on moving bytes.
  start_server "$kind" "$port" "$log" --raw -q
  local readers=() files=()
  for i in 1 2 3 4; do
    files+=("$OUT/reader-$kind-$i.bin")
    nc -d 127.0.0.1 "$port" >"${files[-1]}" &
    readers+=($!)
  done
  sleep 0.5
  local start end
  start=$(date +%s.%N)
  nc -N 127.0.0.1 "$port" <"$data" >/dev/null &
  local sender=$!
  # Until every reader has everything, or nothing moved for 10 s.
  local last=-1 still=0 total
  while true; do
    total=0
    for f in "${files[@]}"; do total=$((total + $(stat -c %s "$f"))); done
    [[ $total -ge $((4 * (FLOOD_MIB << 20))) ]] && break
    if [[ $total == "$last" ]]; then still=$((still + 1)); else still=0; fi
    [[ $still -ge 100 ]] && break
    last=$total
    sleep 0.1
  done
  end=$(date +%s.%N)
  local hwm
  hwm=$(status_kb "$SERVER_PID" VmHWM)
  kill "${readers[@]}" "$sender" 2>/dev/null || true
  wait "${readers[@]}" "$sender" 2>/dev/null || true
  stop_server "$kind"
  local got="" whole=0
  for f in "${files[@]}"; do
    got="$got $(($(stat -c %s "$f") >> 20)) MiB"
    [[ $(sha256sum <"$f" | cut -d' ' -f1) == "$want" ]] && whole=$((whole + 1))
  done
  printf '| %-7s | %s | %d of 4 | %.2f s | %s MB |\n' "$kind" "${got# }" "$whole" \
    "$(echo "$end - $start" | bc)" "$((hwm / 1024))"
}

if section 5; then
  echo
  echo "== 5. lossless flood: one sender of $FLOOD_MIB MiB (nc -N), four readers (nc -d)"
  echo "| server | bytes each reader got | readers with every byte (sha256) | time | peak RSS |"
  echo "|---|---|---|---|---|"
  lossless netplay
  if [[ $NCAT == 1 ]]; then lossless ncat; fi
fi
