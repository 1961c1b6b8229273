#!/usr/bin/env bash
# Measures netplay's --half-close choices against the peers a netcat user
# meets, on loopback: an upload (netplay sends 8 MiB, then the peer must
# see its end) and a download (netplay sends nothing, the peer sends 8 MiB
# and stops when it reads EOF). Prints, for each mode and peer, the bytes
# that arrived or "hang" (no end within 5 s). Usage: scripts/half-close.sh [NETPLAY]
set -u
NP=${1:-target/debug/netplay}
dir=$(mktemp -d); trap 'rm -rf "$dir"' EXIT
head -c 8388608 /dev/urandom > "$dir/in.bin"
port=40190
next() { port=$((port + 1)); }
wait_port() { for _ in $(seq 100); do ss -Hltn "sport = :$1" | grep -q . && return; sleep 0.05; done; }
size() { stat -c %s "$1" 2>/dev/null || echo 0; }
result() { # $1: rc of the measured side, $2: bytes
  if [ "$1" = 124 ]; then echo "hang"; else echo "$2"; fi; }
printf '%-8s %-34s %s\n' mode peer "bytes that arrived (of 8388608)"
for mode in data never always; do
  # Upload: netplay tcp connect < 8 MiB → a server that reads to EOF.
  for peer in "nc -l 127.0.0.1 @P@" "ncat -l 127.0.0.1 @P@" "socat -u TCP-LISTEN:@P@,bind=127.0.0.1 -" \
              "python3 -c import socket,sys;l=socket.create_server(('127.0.0.1',@P@));c,_=l.accept();[sys.stdout.buffer.write(b) for b in iter(lambda:c.recv(65536),b'')]"; do
    next; cmd=${peer//@P@/$port}
    if [[ $cmd == python3* ]]; then timeout 5 python3 -c "${cmd#python3 -c }" < /dev/null > "$dir/out" & else timeout 5 $cmd < /dev/null > "$dir/out" & fi
    pid=$!; wait_port $port
    timeout 5 "$NP" --raw -q tcp connect 127.0.0.1 $port --half-close $mode < "$dir/in.bin" > /dev/null; rc=$?
    wait $pid; prc=$?
    [ $prc = 124 ] && rc=124
    printf '%-8s upload to %-24s %s\n' $mode "${peer%% *}" "$(result $rc $(size "$dir/out"))"
  done
  # Download: netplay tcp connect < /dev/null ← a server that sends 8 MiB.
  for peer in "nc -N -l 127.0.0.1 @P@" "ncat -l --send-only 127.0.0.1 @P@" "socat -u FILE:IN TCP-LISTEN:@P@,bind=127.0.0.1"; do
    next; cmd=${peer//@P@/$port}; cmd=${cmd//IN/$dir/in.bin}
    timeout 5 $cmd < "$dir/in.bin" > /dev/null & pid=$!; wait_port $port
    timeout 5 "$NP" --raw -q tcp connect 127.0.0.1 $port --half-close $mode < /dev/null > "$dir/out"; rc=$?
    wait $pid
    printf '%-8s download from %-20s %s\n' $mode "${peer%% *}" "$(result $rc $(size "$dir/out"))"
  done
  # curl fetching from tcp serve --raw --once < an HTTP/1.0 answer without
  # Content-Length: the body ends with the server's FIN.
  next
  printf 'HTTP/1.0 200 OK\r\n\r\n' > "$dir/answer"; cat "$dir/in.bin" >> "$dir/answer"
  timeout 5 "$NP" --raw -q tcp serve --port $port --once --half-close $mode < "$dir/answer" > /dev/null & pid=$!
  wait_port $port
  timeout 5 curl -s -o "$dir/out" "http://127.0.0.1:$port/"; rc=$?
  kill $pid 2>/dev/null; wait $pid 2>/dev/null
  printf '%-8s curl from tcp serve %-16s %s\n' $mode "" "$(result $rc $(size "$dir/out"))"
done
