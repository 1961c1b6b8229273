#!/usr/bin/env bash
# A pipe as the relay's input, every sender into the same receiver:
#   cat FILE | netplay --raw tcp connect 127.0.0.1 PORT
#   cat FILE | nc -N 127.0.0.1 PORT
# into `netplay --raw tcp serve --once > /dev/null` (RECV=nc: `nc -l`), SIZE
# bytes of random data in /dev/shm, the senders alternating within each
# round in an order that rotates; the floor is `cat FILE | cat > /dev/null`.
# (scripts/bench-relay.sh's pipe case gives each tool its own receiver.)
# Prints the CPU, the load, the way netplay's client took (from its note),
# each round, the medians and nc / sender (above 1: the sender is faster).
#
# usage: scripts/bench-pipe.sh [ROUNDS] [SIZE]      e.g. scripts/bench-pipe.sh 9 1G
# env:   NETPLAY=path to a release netplay (default: build one)
#        BASELINE=path to another build (say, main's), one more sender
#        WAYS="splice copy": also netplay with NETPLAY_SEND forced to each
#        RECV=nc: nc -l as the receiver instead of netplay
set -euo pipefail
cd "$(dirname "$0")/.."
BENCH=bench-pipe
. scripts/lib.sh

ROUNDS=${1:-7}
SIZE=${2:-1G}
RECV=${RECV:-netplay}
for tool in nc ss python3; do
  command -v "$tool" >/dev/null || { echo "bench-pipe: $tool is not installed" >&2; exit 1; }
done
if [[ -z ${NETPLAY:-} ]]; then
  cargo build --release --quiet
  NETPLAY=$PWD/target/release/netplay
fi
SHM=/dev/shm/netplay-bench-pipe-$$
mkdir -p "$SHM"
trap 'rm -rf "$SHM"' EXIT
head -c "$SIZE" /dev/urandom >"$SHM/random"
SENDERS="netplay${BASELINE:+ baseline}"
for way in ${WAYS:-}; do SENDERS="$SENDERS netplay-$way"; done
SENDERS="$SENDERS nc floor"

# One transfer by sender $1 into the receiver, what arrives going to $2
# (default /dev/null); prints the seconds from the start of cat to the
# end of both ends. netplay's client notes go to $SHM/notes.
round() {
  local sender=$1 out=${2:-/dev/null} port server start end bin=$NETPLAY send=
  case "$sender" in
    baseline) bin=$BASELINE ;;
    netplay-*) send=${sender#netplay-} ;;
  esac
  if [ "$sender" != floor ]; then
    port=$(free_port)
    if [ "$RECV" = nc ]; then
      nc -l 127.0.0.1 "$port" </dev/null >"$out" &
    else
      "$NETPLAY" --raw tcp serve --port "$port" --once </dev/null >"$out" 2>/dev/null &
    fi
    server=$!
    wait_listening "$port"
  fi
  start=$(now)
  case "$sender" in
    nc) cat "$SHM/random" | nc -N 127.0.0.1 "$port" >/dev/null ;;
    floor) cat "$SHM/random" | cat >"$out" ;;
    *) cat "$SHM/random" | NETPLAY_SEND=$send "$bin" --raw tcp connect 127.0.0.1 "$port" >/dev/null 2>"$SHM/notes" ;;
  esac
  [ "$sender" = floor ] || wait "$server"
  end=$(now)
  python3 -c "print(f'{$end - $start:.4f}')"
}

echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) vCPUs; kernel $(uname -r)"
echo "$SIZE of random bytes through a pipe, into $RECV; $ROUNDS rounds; load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "byte-exact check (sha256), and the way netplay's client took:"
want=$(sha256sum "$SHM/random" | cut -d' ' -f1)
for sender in $SENDERS; do
  round "$sender" "$SHM/out" >/dev/null
  got=$(sha256sum "$SHM/out" | cut -d' ' -f1)
  rm -f "$SHM/out"
  [ "$got" = "$want" ] || { echo "  $sender: DIFFERS ($got, want $want)" >&2; exit 1; }
  way=
  case "$sender" in
    nc | floor) ;;
    *) way=$(grep -o 'sent with [a-z()0-9]*\( and send(2)\)\?' "$SHM/notes" | head -1 || true)
       way=" (${way:-no note})" ;;
  esac
  echo "  $sender: byte-exact$way"
done

RESULTS=$SHM/results
: >"$RESULTS"
for i in $(seq 1 "$ROUNDS"); do
  order=$(echo $SENDERS | tr ' ' '\n' | awk -v r="$i" '{a[NR]=$0} END {for (k=0; k<NR; k++) print a[(k + r) % NR + 1]}')
  line="round $i (load $(load)):"
  for sender in $order; do
    t=$(round "$sender")
    echo "$sender $t" >>"$RESULTS"
    line="$line $sender=$t"
  done
  echo "$line"
done
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$RESULTS" "$SENDERS" <<'EOF'
import collections, statistics, sys
times = collections.defaultdict(list)
for row in open(sys.argv[1]):
    sender, t = row.split()
    times[sender].append(float(t))
nc = statistics.median(times["nc"])
print()
print("| sender | median (s) | rounds (s) | nc / sender |")
print("|---|---:|---|---:|")
for sender in sys.argv[2].split():
    med = statistics.median(times[sender])
    spread = f"{min(times[sender]):.2f}-{max(times[sender]):.2f}"
    print(f"| {sender} | {med:.3f} | {spread} | {nc / med:.2f} |")
EOF
