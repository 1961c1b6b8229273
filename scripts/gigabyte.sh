#!/usr/bin/env bash
# Issue 19, "try it as a netcat user would": 1 GiB of random bytes through
# netplay's raw paths against nc, ncat, socat and curl on loopback, each
# way and both at once, with the sha256 of what arrived (first 16 digits)
# and the exit codes of both ends. Not a benchmark: a check by hand, whose
# last run is in docs/conformance.md ("By hand").
# Usage: scripts/gigabyte.sh [NETPLAY]   (default: target/release/netplay,
# else target/debug/netplay)
set -u
cd "$(dirname "$0")/.."
NP=${1:-target/release/netplay}
[ -x "$NP" ] || NP=target/debug/netplay
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
F=$dir/1g.bin
head -c 1G /dev/urandom > "$F"
want=$(sha256sum < $F | cut -c1-16)
echo "want $want"
# Waits (at most 10 s) until something listens on TCP port $1.
listening() { for _ in $(seq 200); do ss -Hltn "sport = :$1" | grep -q . && return; sleep 0.05; done; echo "nothing listens on $1" >&2; }
port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
# 1. netplay serve receives from nc -N
p=$(port); $NP --raw -q tcp serve --port $p --once > $dir/r1.bin < /dev/null & s=$!
listening $p; nc -N 127.0.0.1 $p < $F; c=$?; wait $s; echo "serve<-nc: client $c server $? got $(sha256sum < $dir/r1.bin | cut -c1-16)"
# 2. netplay connect sends to ncat -l
p=$(port); ncat -l 127.0.0.1 $p > $dir/r2.bin & s=$!
listening $p; $NP --raw -q tcp connect 127.0.0.1 $p < $F > /dev/null; c=$?; wait $s; echo "connect->ncat: client $c server $? got $(sha256sum < $dir/r2.bin | cut -c1-16)"
# 3. netplay connect downloads from socat, pipe stdout
p=$(port); socat -u FILE:$F TCP-LISTEN:$p,bind=127.0.0.1,reuseaddr & s=$!
listening $p; $NP --raw -q tcp connect 127.0.0.1 $p < /dev/null | sha256sum | cut -c1-16 > $dir/r3.txt; c=${PIPESTATUS[0]}; wait $s; echo "connect<-socat: client $c server $? got $(cat $dir/r3.txt)"
# 4. both ways at once: netplay serve with stdin file, nc client with file, 1 GiB each way
p=$(port); $NP --raw -q tcp serve --port $p --once < $F > $dir/r4s.bin & s=$!
listening $p; nc -N 127.0.0.1 $p < $F > $dir/r4c.bin; c=$?; wait $s; echo "both: client $c server $? server got $(sha256sum < $dir/r4s.bin | cut -c1-16) client got $(sha256sum < $dir/r4c.bin | cut -c1-16)"
# 5. curl downloads 1 GiB HTTP from tcp serve
p=$(port); (printf 'HTTP/1.0 200 OK\r\n\r\n'; cat $F) | $NP --raw -q tcp serve --port $p --once > /dev/null & s=$!
listening $p; curl -s http://127.0.0.1:$p/ | sha256sum | cut -c1-16 > $dir/r5.txt; c=${PIPESTATUS[0]}; wait $s; echo "curl<-serve: curl $c server $? got $(cat $dir/r5.txt)"
