# Helpers the bench scripts share; source it: . "$(dirname "$0")/lib.sh"
# Each script sets BENCH (its name, for messages) before it sources this.

# A TCP port free on 127.0.0.1 now (the OS's choice, through port 0).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Waits until something listens on 127.0.0.1:$1, without connecting to it
# (a probe connection would use up a one-client server); 5 s at most.
wait_listening() {
  for _ in $(seq 1 500); do
    ss -Hltn "sport = :$1" | grep -q . && return 0
    sleep 0.01
  done
  echo "${BENCH:-bench}: nothing listens on port $1" >&2
  return 1
}

# Seconds since the epoch, to the nanosecond.
now() { date +%s.%N; }

# The 1-minute load average.
load() { cut -d' ' -f1 /proc/loadavg; }
