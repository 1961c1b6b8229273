# netplay's words in English: the default, and the fallback for any message
# another catalogue lacks. One message a line. Every message here has its
# twin in locales/fr/netplay.ftl with the same placeholders (tests/suite/catalogues.rs).
# Python lines, socket calls and flags are not translated: they are what a
# person types.

## Socket steps (src/report/human.rs)

step-socket = socket({ $family }, { $socktype })   { $family_name } { $proto } socket
step-setsockopt = setsockopt({ $name }, { $set })   read back: { $value }
step-reuseaddr-default = (netplay's default for a TCP server: a restart binds despite TIME_WAIT)
step-read-option = { $name } = { $value }   ({ $why })
step-reuseaddr-off = left off (--no-reuse-addr): a restart fails while old connections wait in TIME_WAIT
step-option-default = the OS default, left as is
step-v6only-dual = the system's default: dual-stack, IPv4 peers reach this socket too, as ::ffff:a.b.c.d
step-v6only-only = the system's default: IPv6 peers only, IPv4 peers cannot reach this socket
step-bind = bind({ $addr })
step-listen = listen({ $backlog })
step-listen-capped = listen({ $backlog })   the kernel caps it at { $effective } ({ $setting })
step-resolve = resolve { $host } → { $addrs }
step-connect = connect({ $addr })
port-note-zero = port 0: the OS will choose
port-note-service = port { $port } is { $service }'s well-known port (0-1023 are reserved)
port-note-reserved = port { $port } is reserved (0-1023 are the well-known ports)
step-no-listen = no listen(), no accept()
step-no-listen-why = UDP has no connections: every datagram, from anyone, comes to this one socket

## The server is ready

listening-tcp = ● listening on { $local } (TCP)
listening-udp = ● bound to { $local } (UDP)
reach-every-interface = { $ip } means every interface: other machines can now { $proto ->
        [tcp] connect to
       *[udp] send to
    } port { $port }.
reach-ipv6-loopback = { $ip } is the IPv6 loopback: only this machine can { $proto ->
        [tcp] connect
       *[udp] send to it
    }, and only over IPv6: a client of 127.0.0.1 does not reach it (IPV6_V6ONLY matters only for ::, which takes IPv4 too when 0); --host :: opens it to others.
reach-loopback = { $ip } is loopback: only this machine can { $proto ->
        [tcp] connect
       *[udp] send to it
    }; --host 0.0.0.0 opens it to others.
reach-ipv6-loopback-nc = { $ip } is the IPv6 loopback: only this machine can { $proto ->
        [tcp] connect
       *[udp] send to it
    }, and only over IPv6: a client of 127.0.0.1 does not reach it (IPV6_V6ONLY matters only for ::, which takes IPv4 too when 0); `{ $command }` opens it to others.
reach-loopback-nc = { $ip } is loopback: only this machine can { $proto ->
        [tcp] connect
       *[udp] send to it
    }; `{ $command }` opens it to others.
accept-queue-empty = ⧗ accept queue empty: accept() has taken every waiting connection
accept-queue-full = ⧗ accept queue full: { $queued } connections wait for accept(), listen({ $backlog }) (Linux keeps backlog + 1); the kernel now drops new clients' SYNs: they retry, and their connect() waits
accept-queue = ⧗ accept queue: { $queued } { $queued ->
        [one] connection
       *[other] connections
    } completed by the kernel, waiting for accept() (listen({ $backlog }))

## UDP client's socket

udp-connected-socket = ● connected UDP socket { $local } → { $peer }
udp-sending-from = ● sending from { $local } to { $peer } (UDP, not connected)
udp-port-asked = port { $port } is the one asked for (--source-port)
udp-port-at-bind = port { $port } is ephemeral: the OS chose it at bind()
udp-port-at-connect = port { $port } is ephemeral: the OS chose it at connect()
udp-port-at-sendto = port { $port } is ephemeral: the OS chose it at the first sendto(), the socket had none
udp-connected-what = connect() sent nothing: it fixed the peer, so the kernel drops datagrams from any other address, and an ICMP port unreachable from the peer shows as 'connection refused'
udp-unconnected-what = each sendto() names its destination; nothing tells the sender whether anyone receives a datagram
udp-unbound = { $local_ip } means the socket is bound to no address of its own: each datagram leaves with the address of the interface its route takes, so { $peer_ip } sees { $seen }
udp-unbound-route = this machine's address on that route
note-sentence = { $note }.

## Datagrams

datagram-in = ← datagram #{ $seq } from { $peer }
datagram-out = → datagram #{ $seq } to { $peer }
datagram-cut = { $arrived } bytes arrived, { $kept } kept, { $discarded } discarded (longer than --recv-size { $recv_size })
datagram-head = { $head }: { $size }   { $when }
datagram-whole = one datagram is one message, whole: each is dumped from offset 0 (TCP shows recv() chunks of one stream)
udp-done = done at { $when }: { $sent } { $sent ->
        [one] datagram
       *[other] datagrams
    } sent ({ $bytes_out }), { $received } { $received ->
        [one] datagram
       *[other] datagrams
    } received ({ $bytes_in })
udp-serve-summary = { $received } { $received ->
        [one] datagram
       *[other] datagrams
    } in ({ $bytes_in }), { $sent } out ({ $bytes_out })
udp-nothing-back = nothing came back, and that proves nothing: UDP has no acknowledgement, so a datagram may have been received, lost, or dropped with no socket bound there; --wait DUR listens for replies
udp-refused-untold = nothing came back: the ICMP port unreachable above is the system at { $host } refusing the datagram, as no socket is bound to its port { $port }; this socket is not connected, so it is never told (its sendto() succeeded); with --connect the next call would fail with ECONNREFUSED
udp-nothing-back-within = nothing came back within { $wait }, and that proves nothing: UDP has no acknowledgement, so a datagram may have been received, lost, or dropped with no socket bound there
serve-withheld = { $n } { $n ->
        [one] answer
       *[other] answers
    } not sent (own or forged address, --answer-rate, or 3x what the peer sent)
serve-ignored = { $n } { $n ->
        [one] datagram
       *[other] datagrams
    } ignored (--allow / --deny)
serve-kernel-drops = { $n } { $n ->
        [one] datagram
       *[other] datagrams
    } dropped by the kernel: they arrived while the receive buffer was full (SO_RXQ_OVFL)
serve-scripts = script: { $passed } { $passed ->
        [one] run
       *[other] runs
    } passed, { $failed } failed

## TCP connections

accepted = accepted { $peer }
accepted-line = { $tag } { $text } at { $when }   (local { $local }; { $port } is the client's ephemeral port)
connected-to = connected to { $peer }
connected-line = { $tag } { $text } at { $when }   from { $local } ({ $origin })
origin-ephemeral = ephemeral port { $port } chosen by the OS
origin-asked = port { $port } as asked with --source-port, not an ephemeral one
bytes = { $n } { $n ->
        [one] byte
       *[other] bytes
    }
recv-head = ← recv { $bytes }
send-head = → send { $bytes }
datagram-in-head = ← datagram { $bytes }
datagram-out-head = → datagram { $bytes }
chunk-detail = chunk { $chunk }, { $when }
chunk-detail-at = chunk { $chunk } at offset { $offset }, { $when }
decode-first = { $label }{ $format } on the first { $size } of { $len } bytes:{" "}
decode-note = { $label }note:{" "}
chunk-label = { $tag } chunk { $chunk }:{" "}
relay-head = ⇉ relay { $bytes } to { $to } { $to ->
        [one] client
       *[other] clients
    }
dropped-drop = { $bytes } from { $from } dropped for it (--slow drop)
dropped-disconnect = disconnecting it (--slow disconnect); { $bytes } from { $from } not sent
dropped-more = … and { $n } more { $n ->
        [one] message
       *[other] messages
    } ({ $bytes }) dropped for it since (--slow drop)
falling-behind = falling behind ({ $queued } waiting, its queue is full): { $what }
stopped-by = ■ stopped by { $signal } at { $when }
summary-connections = { $n } { $n ->
        [one] connection
       *[other] connections
    } ({ $rejected } rejected)
summary-in = { $bytes } in
summary-out = { $bytes } out
summary-relays = { $n } { $n ->
        [one] relay
       *[other] relays
    }
summary-drops = { $n } { $n ->
        [one] drop
       *[other] drops
    }
summary-slow = { $n } { $n ->
        [one] slow client
       *[other] slow clients
    } disconnected
summary-stalls = { $n } { $n ->
        [one] client
       *[other] clients
    } cut for taking no data
summary-scripts = script: { $passed } passed, { $failed } failed
list-separator = ,{" "}
closed = closed at { $when }, { $duration } after { $since }: { $bytes_in } in, { $bytes_out } out
closed-why = closed at { $when }, { $duration } after { $since }: { $bytes_in } in, { $bytes_out } out ({ $reason })
connect-failed = ✗ { $addr }: { $error }
all-sent-wait = … all sent; listening { $wait } for replies (--wait)
all-sent-wait-nc = … all sent; listening { $wait } for replies (-q)
all-sent-replies = … all sent; waiting for { $n } { $n ->
        [one] reply
       *[other] replies
    }, { $wait } at most
eof = ← EOF: the peer finished sending (recv returned 0 bytes)
shutdown = → shutdown(SHUT_WR): nothing more to send (FIN)
rejected = ✗ rejected { $peer }: { $reason }
rejected-line = { $text }   (accepted and closed at once)
joins = joins the broadcast: { $clients } { $clients ->
        [one] client
       *[other] clients
    }
leaves = leaves the broadcast: { $clients } { $clients ->
        [one] client
       *[other] clients
    } left
note = note: { $message }
error = error: { $message }
stdin = stdin
ipv4-mapped = { $addr } (IPv4-mapped: the IPv4 peer { $v4 })

## The demo (src/report/human.rs, src/report/tables.rs)

demo-part-tcp = TCP, the connected mode: the course's exchange
demo-part-udp = UDP, the non-connected mode: the same exchange
demo-part-table = What differed, measured in this run
demo-part-head = ━━ { $number }/3  { $title } ━━
demo-pause = … press Enter for part { $number }/3 (Ctrl-D: go on without pausing)
demo-label-server = server
demo-label-client = client

## Benchmarks

bench-received = received
bench-sent = sent
bench-datagrams = ({ $n } datagrams)
bench-head = ● { $proto } bench { $route }
bench-head-udp = ● UDP bench { $route }, { $size }-byte datagrams
bench-head-udp-fast = ● UDP bench { $route }, { $size }-byte datagrams, as fast as possible
bench-head-udp-rate = ● UDP bench { $route }, { $size }-byte datagrams, at most { $rate }

## --explain: what each call does (src/report/explain.rs). The Python
## lines are built in the code and are the same in every language.

explain-socket = { $family } means { $version } addresses; { $mode }
explain-socket-tcp = SOCK_STREAM means TCP, the connected mode: a reliable, ordered byte stream between two ends.
explain-socket-udp = SOCK_DGRAM means UDP, the non-connected mode: separate datagrams, no connection, no delivery guarantee.
explain-listen = The socket becomes a server socket: the kernel completes clients' connections by itself and keeps them in a queue until accept() takes them, up to { $backlog } (Linux keeps one more); past that it drops their SYNs, and the clients retry and wait. --accept-delay shows the queue filling.
explain-resolve = A host name becomes one or more addresses (IPv4 and/or IPv6): a TCP client tries them in order until one connects; a UDP datagram, which brings no answer to judge by, goes to the first.
explain-connect-tcp = connect() blocks until TCP's handshake (SYN, SYN-ACK, ACK) with the server is done, or fails; the OS gives the socket an ephemeral local port if none was bound.
explain-connect-udp = On a UDP socket connect() sends nothing and waits for nothing: it records the peer, so send() needs no address, the kernel drops datagrams from any other address, and an ICMP port unreachable from the peer comes back as ECONNREFUSED on a later send() or recv().
python-comment-no-listen = no sock.listen(), no sock.accept(): the next call is sock.recvfrom()
python-comment-returns = returns { $n }
explain-no-listen = listen() and accept() exist for connections, and UDP has none: no handshake to complete, no queue of clients waiting, no socket per client. Every datagram, from anyone, lands on this one bound socket; recvfrom() says who sent it, and sendto() answers that address.
explain-udp-port = A datagram needs a source port, so the first { $call } gave the socket a free one; replies come back to it.
explain-udp-port-range = A datagram needs a source port, so the first { $call } gave the socket a free one (from its ephemeral range { $low }-{ $high }); replies come back to it.
explain-udp-unspecified = The address stays { $ip }: a socket that is not connected may send through any interface, and each datagram leaves from the one its route uses.
explain-recvfrom = recvfrom() returns one datagram, whole, and its sender's address: UDP keeps message boundaries, where TCP's recv() returns any part of a stream. A datagram longer than { $recv_size } bytes is cut, and the rest discarded.
explain-udp-recv-connected = On a connected UDP socket recv() returns one datagram, whole, and only from the connected peer: the kernel drops the others.
explain-sendto = sendto() hands one datagram to the network and returns: no connection, no acknowledgement, so nothing tells the sender whether anyone received it.
explain-udp-send-connected = send() on a connected UDP socket sends one datagram to the connected peer; it fails with ECONNREFUSED when an earlier one brought back an ICMP port unreachable.
explain-truncated = recvfrom({ $recv_size }) takes one whole datagram from the queue: what does not fit in { $recv_size } bytes is discarded, not kept for the next call as TCP would. The kernel's MSG_TRUNC tells the real length.
explain-accept = accept() takes the next connection from the queue and returns a new socket just for this client; the listening socket goes on listening.
explain-ephemeral = Why { $local } and not { $peer }? The server's port names the service; the client's end of each connection needs a port too, so the client's OS picked a free one. The pair of addresses and ports identifies this connection.
explain-ephemeral-range = Why { $local } and not { $peer }? The server's port names the service; the client's end of each connection needs a port too, so the client's OS picked a free one from its ephemeral range { $low }-{ $high }. The pair of addresses and ports identifies this connection.
explain-recv = recv() returns what has arrived so far, at most { $recv_size } bytes: TCP carries a stream of bytes, not messages, so one send() may arrive in several chunks and several sends in one.
explain-recv-not-1024 = recv() returns what has arrived so far, at most { $recv_size } bytes: TCP carries a stream of bytes, not messages, so one send() may arrive in several chunks and several sends in one. netplay asks { $recv_size } bytes a call where the course asks 1024: a bigger buffer takes the same bytes in fewer calls; --recv-size 1024 does as the course does.
explain-send = send() copies the bytes into the kernel's send buffer and returns how many it took; TCP delivers them in order, but the peer's recv() may cut them differently.
explain-sendall = sendall() calls send() until every byte is in the kernel's send buffer; TCP delivers them in order, but the peer's recv() may cut them differently.
explain-decode-cut = The chunk ends inside a character: UTF-8 writes it in several bytes, and recv() cut the stream between them. Decode once all of its bytes have arrived (keep the tail for the next recv(), or use codecs.getincrementaldecoder).
explain-eof = recv() returned b'': the peer called shutdown(SHUT_WR) or close(); no more bytes will come from it.
explain-shutdown = shutdown(SHUT_WR) sends a FIN: once the peer has read everything before it, its recv() returns b''. Reading still works in the other direction (a half-close).
explain-close-server = close() releases this connection's socket only: the listening socket is another one, and its port is not affected.
explain-close-client = close() releases the socket.
explain-time-wait-ours = This end sent the first FIN, so the kernel keeps the connection (its pair of addresses and ports) in TIME_WAIT for { $seconds }s, so that no late packet of it is taken for a new connection's (`{ $command }` shows it).
explain-time-wait-ours-while = This end sent the first FIN, so the kernel keeps the connection (its pair of addresses and ports) in TIME_WAIT for a while, so that no late packet of it is taken for a new connection's (`{ $command }` shows it).
explain-time-wait-theirs = The peer sent the first FIN, so TIME_WAIT is on its side, not here.
explain-so-reuseport = SO_REUSEPORT lets several sockets bind the same address and port; the kernel spreads the traffic among them.
explain-v6only-off = IPV6_V6ONLY = 0 is dual-stack: an IPv6 socket bound to :: also receives IPv4 peers, shown as IPv4-mapped addresses ::ffff:a.b.c.d.
explain-v6only-on = IPV6_V6ONLY = 1: this socket speaks IPv6 only; IPv4 peers cannot reach it.
explain-so-rcvbuf = SO_RCVBUF is the socket's receive queue, in bytes (Linux doubles what is asked, for its own bookkeeping, up to net.core.rmem_max twice): a datagram that arrives while it is full is dropped, and nobody is told.
explain-so-rxq-ovfl = SO_RXQ_OVFL (40 on Linux; Python's socket module has no name for it) makes each datagram received carry, in a control message, how many datagrams the kernel has dropped for this socket because its receive buffer was full: the only way the receiver learns of those losses.
explain-udp-segment = UDP_SEGMENT (GSO): one send() of a long buffer becomes datagrams of this size, cut by the kernel; far fewer calls for the same datagrams.
explain-udp-gro = UDP_GRO: datagrams of one sender that arrive together may come out of one recvmsg(), glued, with their size in a control message.
explain-option = A socket option.
explain-bind = bind() attaches the socket to an address and a port: { $host }; { $port }.
explain-bind-any = { $ip } means every interface of the machine
explain-bind-loopback = { $ip } is the loopback address: only this machine can reach it
explain-bind-local = { $ip } is one address of this machine
explain-bind-port-zero = port 0 asks the OS to choose a free port
explain-bind-port = port { $port } is where peers will find the socket
explain-reuseaddr-linux = SO_REUSEADDR lets bind() take a port that only connections hold, such as those an earlier server closed, which wait in TIME_WAIT for 60s: on Linux only if that server had set it too (TIME_WAIT keeps its setting). It does not let two sockets listen on one address and port. netplay's TCP servers set it by default, as Rust's std, tokio and Python's asyncio do; --no-reuse-addr shows the failed restart.
explain-reuseaddr-unix = SO_REUSEADDR lets bind() take a port that connections of an earlier server still hold in TIME_WAIT, so a restarted server does not fail with 'address already in use'. netplay's TCP servers set it by default, as Rust's std and tokio do.
explain-reuseaddr-windows = On Windows SO_REUSEADDR lets a socket bind a port another socket uses, even one that listens (the other socket's traffic may then go to it), so netplay leaves it off: without it a restarted server still binds beside its old connections in TIME_WAIT. SO_EXCLUSIVEADDRUSE is the stricter option: no other socket may bind the port, not even after a restart while old connections remain.

## The demo's table (src/report/tables.rs)

row-boundaries = message boundaries: { $sends } sends of { $size } bytes
row-boundaries-tcp = { $calls }. { $verdict }
row-boundaries-tcp-fewer = One stream: where each send ended is gone.
row-boundaries-tcp-equal = One recv() per send this time, by timing alone: TCP keeps no boundaries.
row-boundaries-tcp-more = More pieces than sends: a stream is cut anywhere.
row-boundaries-udp = { $datagrams } datagrams, { $calls }: each send is one message, whole.
row-recvfrom-each = { $calls } recvfrom() calls of { $size } bytes each
row-never-came = { $n } never came.
row-truncation = one { $message }-byte message, a { $buffer }-byte buffer
row-truncation-tcp = { $calls }: all of it; what did not fit waited for the next recv().
row-truncation-udp = 1 recvfrom({ $buffer }): { $arrived } bytes arrived, { $kept } kept, { $discarded } discarded by the kernel; nothing is left for a next call.
row-truncation-udp-other = { $calls }; { $discarded } bytes discarded.
row-closed-port = a closed port: { $port }, nothing bound there
row-closed-port-tcp = connect(): { $attempt }
row-closed-port-udp = sendto(), not connected: { $unconnected } connect() then send() and recv(): { $connected }
row-ports = addresses and ports
row-ports-range = addresses and ports (ephemeral range { $low }-{ $high })
row-ports-tcp = server { $server }: its port from bind(port 0). Client { $client }: an ephemeral port, chosen at connect().
row-ports-udp = server { $server }: its port from bind(port 0). Client { $client }: an ephemeral port, chosen at the first sendto().
row-netem = through netem: { $loss }% loss, { $delay } ms delay
row-netem-skipped = skipped: { $reason }
row-netem-tcp = { $delivery }; lost packets were sent again: late, never lost.
row-netem-udp = { $delivery }; nothing sends a lost datagram again.
row-calls-none = no { $call } call returned data
row-calls-one = 1 { $call } call: all { $bytes } bytes at once
row-calls = { $calls } { $call } calls: { $list } = { $bytes } bytes
attempt-refused = refused ({ $error }) after { $after }.
attempt-silent = no error, and nothing came back in { $after }.
attempt-answered = something answered after { $after }.
attempt-failed = failed after { $after }: { $error }.
attempt-failed-unknown = failed after { $after }: unknown error.
delivery = { $delivered } of { $sent } { $what ->
        [messages] messages
       *[datagrams] datagrams
    } arrived ({ $lost } lost), { $order ->
        [in] in order
       *[out] out of order
    }, the last after { $duration }

## Benchmark summaries (src/report/tables.rs)

bench-label-sent = sent
bench-label-received = received
bench-label-lost = lost
bench-moved = { $label } { $bytes } in { $duration } = { $rate }
bench-tcp-sent = { $moved }   { $calls } send() calls
bench-tcp-sent-of = { $moved }   { $calls } send() calls of { $size }
bench-tcp-received = { $moved }   { $calls } recv() calls
bench-tcp-no-count = { $label } (the receiver sent no count back: not a netplay bench server?)
bench-udp-no-report = { $label } (the receiver's report never came back: is a netplay udp bench --serve running there?)
bench-datagrams-line = { $label } { $n } datagrams in { $duration } = { $per_second }/s, { $rate }
bench-lost = { $label } { $lost } { $of } ({ $percent }%), reordered { $reordered }, duplicated { $duplicated }
bench-lost-of = of { $sent } sent
bench-lost-uncounted = (the sender's count never came: counted up to the last sequence number seen)

## What the TCP server tells (src/tcp/serve.rs, src/tcp/hub.rs, src/net/limits.rs, src/net/access.rs)

notice-open-files-not-raised = open-file limit not raised: { $error }
notice-open-files-raised = open-file limit raised from { $before } to { $after } (the hard limit): each client takes one open file
notice-max-conns-above-files = --max-conns { $max } is above the open-file limit ({ $limit }): that limit will refuse clients first
notice-accept-queue-unseen = the accept queue cannot be shown here: { $error }
notice-stdin-no-thread = stdin is not read: no thread for it
notice-stdin-broadcast = each line typed here is sent to every connected client
notice-no-client = no client is connected: this line ({ $bytes }) was not sent
reject-max-conns = --max-conns { $max } reached: { $max } clients are connected
reject-denied = denied by --deny { $rule }
reject-not-allowed = not in --allow { $rules }
reason-server-stopping = the server is stopping
reason-closed-by-server = closed by the server
reason-idle = idle: nothing received for { $after } ({ $flag })
reason-quit-after = time up: stdin had ended, and the client had all of it { $after } ago (--quit-after)
reason-probe = closed at once: the probe only asked whether something listens
error-scan-none-open = no port of { $ports } on { $host } took a connection
reason-stalled = took no data for { $after } with { $waiting } waiting (--stall-timeout)
reason-fell-behind = disconnected: it fell behind, { $waiting } waiting (--slow disconnect)
error-accept = accept on { $local }: { $error }
error-recv = recv: { $error }
error-send-stalled = send to { $peer }: { $reason }
reason-input-shrank = { $what } shrank while it was sent: { $size } when sending began, { $sent } sent
error-input-shrank = { $what } shrank while it was sent: it had { $size } when sending began and ended after { $sent }; the peer got a cut stream, not the file (the connection was reset so it knows)
notice-cut-unacknowledged = the connection was cut with a RST: { $total } given to the socket had not been acknowledged and are not counted out ({ $flight } were on their way, which the peer may still read; { $unsent } never left)
limit-open-files = the open-file limit of this process ({ $soft }, `ulimit -n`) is reached: each client takes one descriptor; { $raise }
limit-raise-soft = raise it with `ulimit -n { $hard }` (the hard limit) before starting netplay
limit-at-hard = it is already the hard limit; raise that (`ulimit -Hn` as root, LimitNOFILE= in a systemd unit, nofile in /etc/security/limits.conf), or cap clients with --max-conns below { $below }
limit-system-files = the system-wide open-file limit is reached; raise it with `sysctl -w fs.file-max=N` (as root)
limit-socket-memory = the kernel has no memory left for sockets; close other connections or raise net.ipv4.tcp_mem


## The raw relay's direct path (src/tcp/direct.rs): what the kernel moved.
## $call is sendfile(2) or splice(2); $input is stdin or --file PATH.

direct-kind-pipe = a pipe
direct-kind-file = a file
direct-kind-terminal = a terminal
direct-kind-socket = a socket
direct-kind-device = a device
direct-path-out = socket → stdout ({ $kind })
direct-path-via-pipe = socket → pipe → stdout ({ $kind })
direct-path-in = { $input } ({ $kind }) → socket
direct-part = { $kernel } of the { $total }
notice-direct-received = { $amount } received with { $call }, { $path }: moved by the kernel, never copied through netplay's memory
notice-direct-sent = { $amount } sent with { $call }, { $path }: moved by the kernel, never copied through netplay's memory
notice-direct-mapped-kept = { $amount } sent with send(2) from an mmap(2) of { $path }: copied once, by the kernel, from the file's pages into the socket (faster here than sendfile in the trials on the first MiBs)
notice-direct-mapped-kept-local = { $amount } sent with send(2) from an mmap(2) of { $path }: copied once, by the kernel, from the file's pages into the socket (the way for a peer on this machine, whose receiver takes a copy's bytes, in larger fragments than sendfile's pages, with less work; NETPLAY_SEND=trials times both ways instead)
notice-direct-mapped-trials = { $amount } sent with send(2) from an mmap(2) of { $path } in the trials that chose the way: sendfile was not slower here, and sent the rest
notice-direct-mapped-forced = { $amount } sent with send(2) from an mmap(2) of { $path } (NETPLAY_SEND=mmap): copied once, by the kernel, from the file's pages into the socket
notice-direct-pipe-read = { $amount } sent with read(2) and send(2), { $path }: read up to { $size } a call (the pipe's size), copied through netplay's memory

## Errors (src/net/mod.rs): what failed, where

net-resolve = cannot resolve host '{ $host }': { $error }
net-no-address-in-family = host '{ $host }' has no { $family } address
net-bind-family = host '{ $host }' has no { $family } address, and --bind { $bind } is { $family }: a socket reaches only addresses of its own family
net-bind-family-nc = host '{ $host }' has no { $family } address, and -s { $bind } is { $family }: a socket reaches only addresses of its own family
net-socket = { $op } { $addr }: { $error }
net-all-attempts = connect to { $host } port { $port }: { $errors }
net-idle = { $op } { $addr }: nothing for { $after }
net-unsent = send to { $addr }: { $error } after { $sent } of the input had been sent
net-in-use = bind { $addr }: address already in use
op-socket = socket for
op-bind = bind
op-listen = listen on
op-accept = accept on
op-getsockname = getsockname for
op-getpeername = getpeername for
op-set-nonblocking = set non-blocking
op-clone-socket = clone socket for
op-dup = dup
op-register = register
op-set-timeout = set timeout for
op-shutdown = shutdown to
op-close = close
op-recv = recv from
op-send = send to
op-recvfrom = recvfrom on
op-sendto = sendto
op-recvmsg = recvmsg on
op-recv-connected-udp = recv (connected UDP) from
op-send-connected-udp = send (connected UDP) to
op-recvfrom-sending = recvfrom on the socket sending to
op-read-count = read the count from
op-set-option = set { $option } for
op-read-option = read { $option } for
os-connection-refused = connection refused
os-connection-reset = connection reset by peer
os-connection-aborted = connection aborted
os-broken-pipe = broken pipe: the peer closed the connection
os-addr-in-use = address already in use
os-addr-not-available = address not available on this machine
os-permission-denied = permission denied
os-timed-out = timed out
os-host-unreachable = host unreachable
os-network-unreachable = network unreachable
os-not-found = no such file or directory
op-waiting-data = waiting for data from
op-waiting-datagrams = waiting for datagrams on
op-waiting-datagrams-from = waiting for datagrams from
op-connect-udp = connect (UDP) to

## What the UDP server tells (src/udp/serve.rs, src/udp/guard.rs)

notice-udp-typing = what is typed here is not sent: UDP has no connection to send it on; a reply goes to each sender with --reply TEXT or --echo
notice-udp-stdin = stdin goes to the sender of the last datagram, a datagram per read, unchanged; it is read only once a datagram has come (as nc -u -l does): what comes before waits
notice-ignored = datagrams from { $from } are ignored, not shown and not answered: { $why } (said once per sender)
notice-not-answering = not answering { $peer }: { $why } (said once per peer; the count is in the summary)
notice-drops-uncounted = this system gives no count of the datagrams it drops for a full receive buffer (Linux does, with SO_RXQ_OVFL): losses here stay invisible
notice-kernel-dropped = the kernel dropped { $new } more { $new ->
        [one] datagram
       *[other] datagrams
    } ({ $total } in all): they arrived while this socket's receive buffer (SO_RCVBUF) was full, and UDP tells no one, not the sender either
error-recvfrom = recvfrom: { $error }
error-sendto = sendto { $peer }: { $error }
withheld-own-address = that is this server's own address and port (a forged source): the answer would come back here and be answered again, forever
withheld-impossible = { $why }: no real sender has it (a forged source)
source-port-zero = port 0 is nobody's port
source-unspecified = the unspecified address (0.0.0.0 or ::) is nobody's; an answer sent there goes to this machine
source-multicast = a multicast address is a group, not a sender
source-broadcast = the broadcast address is everyone, not a sender
withheld-rate = it sends faster than --answer-rate { $rate } answers a second; the ones over are not answered. That ends a loop with another server that answers everything (two --echo servers) and bounds a flood toward a forged address; --answer-rate 0 lifts the limit
withheld-amplification = { $answer } bytes more would make { $total } bytes sent for { $received } received (IP and UDP headers counted), more than { $times } times: a UDP source address is not proven, and a tiny forged datagram must not make this server send much more to someone else (amplification)
withheld-too-many-peers = more than { $max } senders in the last { $seconds }s (forged sources?): new senders are not answered until some have been quiet that long

## Clients and the demo (src/tcp/connect.rs, src/udp/send.rs, src/demo/*)

notice-tcp-type-lines = type lines to send them, each with one send(); Ctrl-D ends your input: shutdown(SHUT_WR), and the server reads EOF
notice-udp-type-lines = type lines to send them, each as one datagram; Ctrl-D ends your input
notice-udp-many-addresses = { $host } has { $count } addresses; a datagram brings no answer that would tell which one works, so all go to the first, { $peer } (-4 or -6 picks the family)
notice-udp-connect-first = UDP's connect() asks nothing of the peer, so it succeeds on { $addr } whether or not anything listens there; the other addresses of { $host } are not tried (-4 or -6 picks the family)
notice-step-no-terminal = --step: stdin is not a terminal, so nobody can press Enter: the demo goes on without pausing
netem-thread-panicked = the namespace's thread panicked
netem-needs-root = a network namespace of its own needs root (unshare: { $error })
netem-run-failed = the run in the namespace failed: { $error }
netem-tool-missing = `{ $name }` is not installed (it comes with iproute2)
netem-tool-no-start = `{ $command }` could not start: { $error }
netem-tool-failed = `{ $command }` failed: { $said }
netem-no-netem = `{ $command }` failed: { $said }; this kernel has no netem (sch_netem is neither built in nor a module)
notice-raw-in-turn = --raw: clients are served one at a time, as nc -lk does, so their bytes never mix on stdout; the next waits in the accept queue (--broadcast relays them together instead)
notice-reuse-addr-default = --reuse-addr changes nothing now: tcp serve sets SO_REUSEADDR by default (--no-reuse-addr leaves it off)
table-cell-tcp = TCP (SOCK_STREAM): { $text }
table-cell-udp = UDP (SOCK_DGRAM): { $text }

## The one line a failure prints (src/exit.rs)

error-line = netplay: { $what }
error-with-hint = { $error }; { $hint }
error-cause-separator = :{" "}
error-writing-output = writing output: { $error }
error-input-cut = stdout was closed (its reader left) before the input was all sent: { $sent } of the input had been sent, and the connection was cut with a RST so that the peer knows its stream is not whole
error-input-unacknowledged = stdout was closed (its reader left) before the peer had the whole input: all { $sent } of it had been given to the socket, but { $owed } of that were not acknowledged, and the connection was cut with a RST that throws them away, so that the peer knows its stream is not whole
error-input-unread = stdout was closed (its reader left) before the peer had read the whole input: all { $sent } of it had been given to the socket and acknowledged, but { $unread } of that still waited unread in the peer's socket when the connection was closed with a RST (the peer's bytes left unread here), and a peer that meets the reset may stop reading them: OpenBSD nc does
notice-stdout-given-up = stdout took nothing when the run stopped: the rest of the report is here, on stderr
notice-not-shown = { $n } { $n ->
        [one] event was
       *[other] events were
    } not shown (data, datagrams, packets): the run was stopping, and the output was behind them
error-payload-unwritten = stdout took nothing when the run stopped: { $bytes } received did not reach it
error-payload-unwritten-about = stdout took nothing when the run stopped: of what was received, { $least } to { $most } did not reach it (its last write took an unknown part)
error-payload-passed-over = stdout was behind when the run stopped: { $bytes } received were passed over and did not reach it, so that the stop ends within its bound
hint-resolve = check the spelling, or give an IP address such as 127.0.0.1
hint-no-address-in-family = drop -4/-6, or give an address of the other family
hint-bind-family-v4 = bind an IPv6 address (--bind ::), or give a host that has an IPv4 address
hint-bind-family-v6 = bind an IPv4 address (--bind 0.0.0.0), or give a host that has an IPv6 address
hint-bind-family-v4-nc = bind an IPv6 address (-s ::), or give a host that has an IPv4 address
hint-bind-family-v6-nc = bind an IPv4 address (-s 0.0.0.0), or give a host that has an IPv6 address
hint-idle = raise { $flag }, or check that the peer sends anything
hint-privileged = ports below 1024 are privileged: binding them needs root or CAP_NET_BIND_SERVICE; try --port 12345
hint-privileged-service = ports below 1024 are privileged ({ $port } is { $service }'s): binding them needs root or CAP_NET_BIND_SERVICE; try --port 12345
hint-privileged-nc = ports below 1024 are privileged: binding them needs root or CAP_NET_BIND_SERVICE; try `{ $command }`
hint-privileged-service-nc = ports below 1024 are privileged ({ $port } is { $service }'s): binding them needs root or CAP_NET_BIND_SERVICE; try `{ $command }`
hint-not-this-machine = that address is not one of this machine's; try 127.0.0.1, 0.0.0.0 or ::
hint-udp-refused = an ICMP port unreachable came back: no socket is bound to UDP port { $port } at { $ip }; is the server running, and on this port?
hint-tcp-refused = nothing listens on TCP port { $port } at { $ip }: is the server running, and on this port?
hint-tcp-refused-here = nothing listens on TCP port { $port }: is the server running, and on this port?
hint-other-protocol-udp = no TCP socket listens on port { $port }, but a UDP socket is bound to it{ $by }: TCP and UDP ports are separate. To send it a datagram: `{ $command }`
hint-other-protocol-tcp = no UDP socket is bound to port { $port }, but a TCP server listens on it{ $by }: TCP and UDP ports are separate. To connect to it: `{ $command }`
hint-other-family = nothing listens on { $proto } port { $port } at { $ip }, but { $proto ->
        [TCP] a TCP server listens on
       *[UDP] a UDP socket is bound to
    } { $holder }{ $by }: IPv6's loopback and IPv4's are two different addresses. To reach it: `{ $command }`
hint-by-program = {" "}(`{ $command }`, pid { $pid })
hint-timed-out = no answer within --timeout: check the address, or raise --timeout
hint-timed-out-nc = no answer within the -w timeout: check the address, or raise -w
hint-reset = the peer reset the connection (RST): a peer resets when it closes while bytes it has not read are waiting (a server that accepts and closes without recv(), as the course's first server does), or when its program dies; make the peer read everything it is sent before it closes, then try again
hint-other-port = choose another --port (0 lets the OS choose)
hint-other-source-port = choose another --source-port, or none (the OS then picks a free one)
hint-other-port-nc = choose another port (`{ $command }` lets the OS choose one, and -v shows which)
hint-other-source-port-nc = choose another source port (-p), or none (the OS then picks a free one)
hint-program = `{ $command }` (pid { $pid })
hint-another-program = another program (which one, this user may not see: as root, `ss -lntup` names it)
hint-in-use-tcp-listens = { $program } listens on TCP port { $port }: stop it, or { $other }
hint-in-use-udp-bound = { $program } has a socket bound to UDP port { $port } (UDP has no TIME_WAIT: the port is free as soon as that socket closes): stop it, or { $other }
hint-in-use-open = { $open } open { $open ->
        [one] connection uses
       *[other] connections use
    } port { $port } (a client's port, or connections of an earlier server still open): close them, or { $other }
hint-time-wait-server = { $n } { $n ->
        [one] connection an earlier server closed waits
       *[other] connections an earlier server closed wait
    } in TIME_WAIT
hint-time-wait-server-len = { $n } { $n ->
        [one] connection an earlier server closed waits in TIME_WAIT (TIME_WAIT lasts { $len }s on this system; it ends
       *[other] connections an earlier server closed wait in TIME_WAIT (TIME_WAIT lasts { $len }s on this system; the last of them ends
    } within { $left }s)
hint-time-wait-client = { $n } { $n ->
        [one] earlier connection from this port waits
       *[other] earlier connections from this port wait
    } in TIME_WAIT
hint-time-wait-client-len = { $n } { $n ->
        [one] earlier connection from this port waits in TIME_WAIT (TIME_WAIT lasts { $len }s on this system; it ends
       *[other] earlier connections from this port wait in TIME_WAIT (TIME_WAIT lasts { $len }s on this system; the last of them ends
    } within { $left }s)
hint-time-wait-no-reuse = { $what }, and this socket did not set SO_REUSEADDR (--no-reuse-addr): drop --no-reuse-addr (then bind() may take the port beside them, if that server had set it too), wait, or { $other }
hint-time-wait-reuse = { $what }, left by a socket that had not set SO_REUSEADDR (TIME_WAIT keeps that setting), so this one must wait although it sets it: wait, or { $other }
hint-time-wait-wait = { $what }: wait, or { $other }
hint-in-use-tcp-unknown = another socket holds TCP port { $port }, or connections of an earlier server wait in TIME_WAIT: stop it, wait, or { $other }
hint-in-use-udp-unknown = another socket is bound to UDP port { $port } (UDP has no TIME_WAIT): stop it, or { $other }

## A bad command line (src/net/addr.rs, src/units.rs, src/cli.rs, src/input.rs)

port-out-of-range = port { $port } is out of range: a port is a 16-bit number, from 0 to 65535
port-not-a-number = port '{ $text }' is not a number: a port is a 16-bit number, from 0 to 65535
target-port-zero = port 0 cannot be connected or sent to: 0 only means "let the OS choose" when a server binds; give the port the server printed ("listening on 127.0.0.1:PORT")
target-swapped = '{ $first } { $port }' looks swapped: the host comes first, then the port: { $port } { $first }
target-host-missing = '{ $first }' looks like a port, and the host is missing: give HOST PORT, such as 127.0.0.1 { $first }
target-no-bracket = '{ $first }' has '[' without ']'; write [::1]:12345
target-v6-no-port = '{ $first }' has no port; write [{ $host }]:PORT or give the port after it
target-v6 = '{ $first }' is an IPv6 address without a port: an IPv6 address with a port is written in brackets, [{ $first }]:PORT, or give the port as a second argument
target-v6-guess = '{ $first }' is an IPv6 address without a port, or { $ip } and port { $last }: with a port, an IPv6 address goes in brackets, [{ $first }]:PORT; if { $last } is the port, write [{ $ip }]:{ $last } or give it apart: { $ip } { $last }
target-v6-port = '{ $first }' is not an address (a group of an IPv6 address has at most 4 hex digits): if { $last } is the port, write [{ $ip }]:{ $last } or give it apart: { $ip } { $last }
target-not-v6 = '{ $first }' is neither an IPv6 address nor HOST:PORT: an IPv6 address has at most 8 groups of 1 to 4 hex digits (::1, fe80::1%eth0), and with a port it goes in brackets: [::1]:12345
target-no-port = '{ $first }' has no port; give HOST PORT or HOST:PORT
host-with-port = '{ $host }' is an address and a port where only an address goes: { $ip }, and port { $port } apart
host-bad-ipv4 = '{ $host }' is not an IPv4 address: write four numbers from 0 to 255, as 127.0.0.1 (a host name has letters too)
host-bad-ipv6 = '{ $host }' is not an IPv6 address: write one as ::1, 2001:db8::1 or fe80::1%eth0
host-empty-zone = '{ $host }' has an empty zone after %; write fe80::1%eth0 or fe80::1%2
host-bad-zone = '{ $host }': { $why }
host-bad-name = '{ $host }' is not a host name: a name has letters, digits, '-', '_' and dots (an international name is written in its xn-- form)
target-port-twice = '{ $first }' has its port ({ $own }) and { $port } is given too: give it once, { $first } or { $ip } { $port }
usage-bind-with-port = --bind '{ $host }' has a port: --bind takes an address ({ $ip }); a local port goes in --source-port
usage-host-with-port = --host '{ $host }' has a port: --host takes an address ({ $ip }); the port goes in --port
duration-negative = '{ $text }' is not a duration: it must be 0 or more
duration-too-big = '{ $text }' is not a duration a clock can count; try 500ms, 2s or 1m
duration-bad = '{ $text }' is not a duration; try 500ms, 2s or 1m
duration-bad-in = '{ $text }' is not a duration: use { $low } to { $high }, written like 500ms, 2s or 1m
duration-too-long = '{ $text }' is too long: use { $low } to { $high }
duration-too-short = '{ $text }' is too short: use { $low } to { $high }
size-below = { $size } bytes is out of range: use { $low } or more
size-out-of-range = { $size } bytes is out of range: use { $low } to { $high }
size-overflow = '{ $text }' is more bytes than a 64-bit count holds (16 EiB less 1 byte)
size-bad-hex = '{ $text }' is not a hexadecimal size; try 0x100
size-bad = '{ $text }' is not a size; try 1024, 64K or 1MiB
rate-bad = '{ $text }' is not a rate; try 0 (as fast as possible), 500K, 100M or 1G (bits per second)
usage-needs-protocol = '{ $first }' needs its protocol first: `{ $tcp }` (TCP, the connected mode) or `{ $udp }` (UDP, the non-connected mode)
usage-one-dash-port = '-p{ $text }' is read as -p '{ $text }': one dash is for one-letter flags; write --port 12345 or -p 12345
usage-delay-too-long = '{ $text }' is too long a delay: use 0 to 1000 (milliseconds)
usage-delay-bad = '{ $text }' is not a delay: use 0 to 1000 (milliseconds)
usage-queue-zero = a queue of 0 bytes could hold nothing; use 1 byte to 1GiB
usage-count-zero = --count 0 would send nothing; use 1 or more
usage-count-bad = '{ $text }' is not a count: use a whole number, 1 or more
usage-percent-bad = '{ $text }' is not a percentage from 0 to 100
usage-bytes-literal = { $text } looks like a Python bytes literal, but { $why }
usage-width-bad = '{ $text }' is not a line width; use 8, 16 or 32
usage-decode-empty = '{ $text }' describes no bytes; give at least one code, such as '>h'
usage-answer-rate-bad = '{ $text }' is not an answer rate: use a whole number from 0 (no limit) to { $max }
usage-recv-size-zero = a receive size of 0 would read nothing; use 1 byte to 16MiB
usage-send-size-zero = a send size of 0 would send nothing; use 1 byte to 16MiB
usage-no-command = no command given; try `netplay demo` first, then `netplay tcp serve` (see netplay --help)
usage-tip-udp-connect = UDP has no connection to open: udp send sends datagrams, and with --connect from a connected UDP socket: `{ $command }`
usage-tip-tcp-send = a TCP client connects first, then sends: `{ $command }`
usage-tip-serve = a server is `serve`: `{ $command }`
usage-tip-message = to send it, give it after -m: `{ $command }`
usage-tip-message-split = the shell cut '{ $words }' at its spaces: quote it, after -m: `{ $command }`
usage-tip-family-after = { $flag } belongs to the subcommand; only output options (--json, --lang, --explain…) may come before it: `{ $command }`
usage-tip-nc = { $habit }; `netplay nc` takes nc's flags as nc does
nc-habit-listen = nc's -l listens: here a server is `{ $command }`
nc-habit-listen-serve = serve listens already: leave -l out
nc-habit-udp = nc's -u is UDP: here `{ $command }`
nc-habit-udp-already = udp is UDP already: leave -u out
nc-habit-keep = nc's -k keeps listening: tcp serve goes on after each client unless --once, and --sequential serves them one at a time, as nc -lk does
nc-habit-zero = nc's -z only checks that a port takes a connection, which no native subcommand does alone
nc-habit-wait-connect = nc's -w SECONDS: here --timeout DUR (--timeout 5s) gives up connecting, and ends when nothing moves, after DUR
nc-habit-wait-serve = nc's -w SECONDS: here --idle-timeout DUR (--idle-timeout 5s) closes a client that sent nothing for DUR
nc-habit-wait-send = nc's -w SECONDS: here --wait DUR (--wait 1s) keeps taking replies for DUR
nc-habit-shutdown = nc's -N sends a FIN when the input ends: here --half-close always
nc-habit-source-port = nc's -p is the client's source port: here --source-port PORT
nc-habit-verbose = nc's -v tells the connection: netplay tells every step already (-q hides them)
nc-habit-other = { $flag } is one of nc's flags
nc-habit-quit = -q is netplay's --quiet and takes no number; nc's -q SECONDS (end that long after the input) is `netplay nc -q SECONDS`, and its FIN at the input's end --half-close always
nc-habit-quit-port = { $quit }. Here { $value } would be taken for the port; quiet, on port { $value }: `{ $command }`
usage-hex-json-raw = --json and --raw are for tcp and udp; netplay hex always writes a dump
usage-renderer-unavailable = this CPU cannot run the { $name } hex dump renderer (it needs AVX-512 VBMI2); try auto or portable (--hex-renderer or NETPLAY_HEX_RENDERER)
usage-demo-raw = --raw does not apply to the demo: it shows reports, not a payload; try --json
usage-v6only-ipv4 = --v6only applies to IPv6 sockets, and { $ip } is IPv4; add -6 or --host ::
usage-not-whole = not a whole number: use one from { $low } to { $high }
usage-out-of-range = out of range: use { $low } to { $high }
usage-count-stdin = --count { $count } repeats an input that ends (-m, --hex, --file or --stdin-datagram); stdin lines are sent once, as they come
usage-bench-serve-only = { $flag } is for the receiver (--serve); a sender takes HOST PORT, and --local chooses its own port
usage-bench-which-end = which end? give HOST PORT to send, --serve to receive, or --local for both in this process
usage-bench-size = --size { $size } is out of range: a bench datagram carries its { $header }-byte header and at most { $max } bytes in all
usage-datagram-too-long = { $what } is { $size } over { $family } ({ $why }); it was not sent: shorten or split it, or use tcp for a stream
max-datagram-v4 = 65535 less the 20-byte IPv4 header and the 8-byte UDP header
max-datagram-v6 = 65535 less the 8-byte UDP header
too-long-exact = { $len } bytes, more than the { $max } a datagram may carry
too-long-stream = longer than the { $max } bytes a datagram may carry
input-message = message { $n }
input-file = --file { $path }
input-stdin-line = stdin line { $n }
input-read = read { $what }
input-read-file = read --file { $path }
input-read-stdin = read stdin
input-open-file = open --file { $path }
input-read-reply-file = read --reply-file { $path }
input-reply-file-is-dir = --reply-file { $path } is a directory; give the path of a file to reply with
input-file-is-dir = --file { $path } is a directory; give the path of a file to send
hex-not-digit = --hex '{ $text }': '{ $c }' at position { $at } is not a hex digit; write bytes like "01 02 ff"
hex-odd = --hex '{ $text }': { $n } hex digits is an odd count; each byte takes two (write 0f, not f)
input-stdin-datagram = stdin (--stdin-datagram)

## netplay alone (src/cli.rs), and a bad command line in French: clap
## writes its own errors in English; these are used for the other languages.

greeting = netplay shows every socket step, address, port and byte of a TCP or UDP exchange.
    {""}
    Try first:
      netplay demo                     TCP and UDP side by side, in one command
      netplay demo --explain           the same, with the course's Python under each step
    {""}
    Then, in two terminals:
      netplay tcp serve                the course's server on 127.0.0.1:12345
      netplay tcp connect 127.0.0.1 12345 -m 'Hello serveur !'
    {""}
    Every command and flag: netplay --help
    {""}
clap-error = { $what }
clap-invalid-value = invalid value '{ $value }' for '{ $arg }'
clap-value-required = '{ $arg }' needs a value, and none was given
clap-value-validation = invalid value '{ $value }' for '{ $arg }': { $why }
clap-unknown-argument = unexpected argument '{ $arg }'
clap-conflict = '{ $arg }' cannot be used with '{ $prior }'
clap-missing = missing { $args }
clap-invalid-subcommand = unrecognized subcommand '{ $word }'
clap-possible-values = possible values: { $values }
clap-tip-argument = a similar argument exists: '{ $arg }'
clap-tip-subcommand = a similar subcommand exists: '{ $word }'
clap-tip = { $tip }
clap-usage = usage: { $usage }
clap-more = see `{ $command } --help`

## The hex dump's legend (src/hexdump.rs, netplay --legend)

legend-title = Byte categories in the hex dump (colour, glyph in the text panel):
legend-name-null = Null
legend-name-printable = Printable
legend-name-control = Control
legend-name-non-ascii = NonAscii
legend-null = NUL byte (0), not printable
legend-printable = printable ASCII (32-126), shown as itself; a space as a space
legend-control =
    the other bytes that are not printable (1-31, 127), each as its
    control picture, as ␉ TAB (9), ␊ LF (10), ␍ CR (13), ␡ DEL (127)
legend-non-ascii =
    non-ASCII (128-255); a UTF-8 character shows as itself, unless
    it could hide, join or move cells (format, mark, right-to-left)

## netplay hex and --decode (src/hex.rs, src/decode.rs)

hex-skip = skip { $n } bytes of { $name }
hex-has-bytes = { $name } has { $size } bytes
hex-ended-after = { $name } ended after { $size } bytes
hex-nothing-to-show = nothing to show: { $what }, and --skip starts at byte { $skip }
hex-numbering-ends = the dump stops at offset { $offset }, the last byte a 64-bit offset can number
hex-read = read { $name }
hex-open = open { $name }
hex-at-the-end = at the end of the input:
decode-too-short = format '{ $format }' needs { $needed } bytes, got { $got }
format-bad = bad struct format '{ $format }': { $problem } at position { $position }; { $hint }
format-unknown-code = unknown code '{ $code }'
format-native-only = code '{ $code }' needs native sizes
format-misplaced-order = byte-order character '{ $code }' not at the start
format-count-without-code = repeat count not directly followed by a code
format-too-large = total size over the { $limit } MiB limit
format-hint-codes = valid codes are x c b B ? h H i I l L q Q e f d s p, and n N P without a byte-order prefix
format-hint-native = n, N and P exist only in native mode: drop the prefix or use '@'
format-hint-order = only the first character may set byte order, e.g. '<hh', not 'h<h'
format-hint-count = write the code right after its count, e.g. '4s' or '3h'
format-hint-smaller = use smaller repeat counts

## Packets (--packets: src/report/packets.rs, src/capture/ladder.rs, src/packets.rs, src/demo/*)

demo-label-wire = wire
tcp-info = rtt { $rtt } (±{ $rtt_var }), cwnd { $cwnd }, { $retransmits } retransmitted, { $segs_in } { $segs_in ->
        [one] segment
       *[other] segments
    } in, { $segs_out } out, { $acked } acked
tcp-info-close = rtt { $rtt } (±{ $rtt_var }), cwnd { $cwnd }, { $retransmits } retransmitted
tcp-info-line = TCP_INFO at its last reading: { $info }
wire-total = on the wire, { $from } → { $to }: { $segments } { $segments ->
        [one] segment
       *[other] segments
    }, { $data } of data, { $acked } acknowledged
bench-tcp-info = { $label } in { $state }: { $info }
bench-progress-tcp-info = rtt { $rtt } cwnd { $cwnd } retr { $retransmits }
ladder-unscaled = (unscaled)
ladder-for = for { $what }
ladder-fragments = in { $n } IP fragments
notice-packets-loopback-only = --packets watches { $interface } only: the packets of clients on other machines come through another interface and are not shown
notice-capture-drops = packet capture: the kernel dropped { $n } packets (the capture's queue was full): the packets shown miss them
notice-capture-kernel-dropped = packet capture: the kernel dropped { $new } more packets ({ $total } in all): the capture's queue was full, and the packets shown miss them
notice-capture-unshown = packet capture: { $new } more packets not shown ({ $total } in all): they came faster than they can be shown
notice-capture-unshown-pcap = packet capture: { $new } more packets not shown ({ $total } in all): they came faster than they can be shown; the pcap file has them
notice-capture-unshown-total = packet capture: { $n } packets were not shown: they came faster than they can be shown (at most { $limit } wait for it)
notice-capture-unshown-total-pcap = packet capture: { $n } packets were not shown: they came faster than they can be shown (at most { $limit } wait for it); the pcap file has them
notice-pcap-fifo-waits = --pcap { $path } is a FIFO: waiting here for a reader to open it (tcpdump -r { $path }, or wireshark -k -i { $path }) before going on
pcap-create-failed = --pcap { $path }: { $error }
pcap-write-failed = --pcap { $path }: writing failed: { $error }; the packets after it are not in the file, and the run will end with exit code 1
pcap-write-failed-end = --pcap { $path }: writing the last packets failed: { $error }; the file is cut
notice-demo-private-netns = --packets: the demo runs in a network namespace of its own (an unprivileged user namespace), where it may capture its packets without root; 127.0.0.1 there is this process alone
usage-packets-where = --packets and --pcap are for tcp serve, tcp connect, udp serve, udp send and demo
attempt-and-wire = { $attempt } { $wire }
wire-pieces = On the wire: { $pieces }.
wire-pieces-none = no { $what ->
        [segment] data segment
       *[datagram] datagram
    }
wire-pieces-same = { $n } { $what ->
        [segment] { $n ->
            [one] data segment
           *[other] data segments
        }
       *[datagram] { $n ->
            [one] datagram
           *[other] datagrams
        }
    } of { $size } bytes
wire-pieces-list = { $n } { $what ->
        [segment] { $n ->
            [one] data segment
           *[other] data segments
        }
       *[datagram] { $n ->
            [one] datagram
           *[other] datagrams
        }
    }: { $list } bytes
wire-segments-joined = On the wire: { $pieces }, one per send(): the receiving socket's buffer joined them, recv() took them together.
wire-segments-each = On the wire: { $pieces }, one per send().
wire-segments-fewer = On the wire: { $pieces }: the sending kernel joined sends into fewer segments.
wire-segments-more = On the wire: { $pieces }: the sending kernel cut the stream into more segments than sends.
wire-datagrams-each = On the wire: { $pieces }, one per sendto().
wire-whole = On the wire: 1 datagram of { $length } bytes, whole: recvfrom({ $buffer }) cut it, at the receiver.
wire-answered = On the wire: { $what ->
        [syn] the SYN
       *[datagram] the datagram
    }, answered by { $answer }.
wire-nothing-back = On the wire: { $what ->
        [syn] the SYN
       *[datagram] the datagram
    }; nothing came back.
wire-unconnected-told = On the wire: the datagram, answered by { $answer }, never told to the unconnected socket.
wire-connected-told = On the wire: the same { $answer }, matched to the connected socket: the { $error }.
explain-packet-syn = SYN: connect() sends this first segment of the three-way handshake; it carries the client's initial sequence number (random, shown as 0) and its options: the largest segment it takes (MSS: 65495 bytes on IPv4 loopback, 65476 on IPv6: the 65536-byte MTU less the headers), SACK, timestamps and window scaling.
explain-packet-syn-ack = SYN,ACK: the server's kernel answers the SYN by itself, before any accept(): its own initial sequence number and ack 1: the client's SYN took sequence number 0 and carries no byte, so the first byte of data is number 1. Once the client's ACK arrives the connection waits in the listen() backlog until accept() takes it.
explain-packet-ack = ACK: a segment with no data that says "I have every byte before this number"; the client's first one completes the three-way handshake, which is when connect() returns.
explain-packet-data = PSH,ACK with bytes: a segment carrying data. Linux sets PSH ("hand this to the application now") on the last segment of each send(), so a small send() usually goes out as one PSH segment (Nagle's algorithm may hold it back and merge it with the next while earlier bytes are unacknowledged); the receiver acknowledges with the number of the next byte it expects.
explain-packet-fin = FIN: shutdown(SHUT_WR) or close() says "I will send no more"; it takes one sequence number, the peer acknowledges it, and the peer's recv() returns b'' (end of stream) once it has read the bytes before it. Each direction is closed by its own FIN.
explain-packet-rst = RST: the connection is refused or torn down. A SYN to a port where nothing listens is answered by RST,ACK and connect() fails with ECONNREFUSED (Connection refused); close() with unread bytes in the receive buffer sends RST too, and the peer's next send() or recv() fails with ECONNRESET.
explain-packet-icmp-port-unreachable = ICMP port unreachable (type 3, code 3): the kernel's answer to a UDP datagram for a port where no socket is bound; it quotes the start of that datagram. A connected UDP socket is told (its next send() or recv() fails with ECONNREFUSED); an unconnected one never is, so its sendto() seems to succeed.
explain-packet-icmpv6-port-unreachable = ICMPv6 destination unreachable, port unreachable (type 1, code 4): IPv6's answer to a UDP datagram for a port where no socket is bound; as in IPv4, only a connected UDP socket is told (ECONNREFUSED).
explain-packet-icmp = ICMP: the network's error and control messages; an error quotes the start of the datagram it is about.
explain-packet-udp = UDP datagram: one send() or sendto() is one datagram on the wire, with an 8-byte header (ports, length, checksum) and no handshake, no acknowledgement, no retransmission; recv() gets it whole or, if its buffer is smaller, its start, and the rest is discarded.
capture-not-permitted = packet capture needs CAP_NET_RAW (root): run as root, or grant it once with `sudo setcap cap_net_raw+ep "$(command -v netplay)"`
capture-skipped = { $why }; this run goes on without packets
capture-unsupported = packet capture (--packets, --pcap) is Linux-only for now
capture-unknown-interface = packet capture: no network interface named '{ $name }' (see `ip link`)
capture-no-interface = packet capture: no network interface holds the address { $address }
capture-io = packet capture on { $interface }: { $op }: { $error }
capture-too-many-ports = packet filter: { $count } ports to watch, at most { $max } fit in one kernel filter
netns-refused = a private network namespace needs unprivileged user namespaces, which this system refuses ({ $errno }: { $error }); run as root, or give netplay CAP_NET_RAW
netns-refused-because = a private network namespace needs unprivileged user namespaces, which this system refuses ({ $errno }: { $error }: { $why }); run as root, or give netplay CAP_NET_RAW
netns-restricted-apparmor = kernel.apparmor_restrict_unprivileged_userns = 1: AppArmor (Ubuntu 23.10 and later) gives a user namespace no capabilities
netns-threaded = a private network namespace must be entered before the process starts a second thread
netns-setup = private network namespace: { $what }: { $error }
netns-loopback-down = private network namespace: cannot bring lo up ({ $error }); stopping, as nothing can connect
netns-unsupported = a private network namespace is Linux-only

## What differs by system (src/sys/)

step-reuseaddr-off-windows = left off, the safe choice on Windows: a restart binds beside old connections without it, and with it another socket could take the port
udp-connected-what-windows = connect() sent nothing: it fixed the peer, so the system drops datagrams from any other address, and an ICMP port unreachable from the peer shows as 'connection reset' (WSAECONNRESET) on a later recv()
udp-unconnected-what-windows = each sendto() names its destination; nothing tells the sender that a datagram arrived, though Windows reports an ICMP port unreachable as 'connection reset' (WSAECONNRESET) on a later recvfrom()
explain-listen-macos = The socket becomes a server socket: the kernel completes clients' connections by itself and keeps them in a queue until accept() takes them, up to { $backlog }; past that it drops their SYNs, and the clients retry and wait.
explain-listen-windows = The socket becomes a server socket: the system completes clients' connections by itself and keeps them in a queue until accept() takes them, up to { $backlog }; past that new clients are refused at once (WSAECONNREFUSED).
explain-connect-udp-windows = On a UDP socket connect() sends nothing and waits for nothing: it records the peer, so send() needs no address and the system drops datagrams from any other address. An ICMP port unreachable from the peer comes back as WSAECONNRESET on a later recv(); on Windows a socket that is not connected is told too.
explain-udp-send-connected-windows = send() on a connected UDP socket sends one datagram to the connected peer; when an earlier one brought back an ICMP port unreachable, the next recv() fails with WSAECONNRESET.
explain-truncated-peek = recvfrom({ $recv_size }) takes one whole datagram from the queue: what does not fit in { $recv_size } bytes is discarded, not kept for the next call as TCP would. netplay learns the real length from a peek just before, into room for the largest datagram (65,536 bytes).
explain-so-reuseport-other = SO_REUSEPORT lets several sockets bind the same address and port; unlike Linux, this system does not spread the traffic among them.
explain-so-rcvbuf-macos = SO_RCVBUF is the socket's receive queue, in bytes (macOS keeps what is asked, up to kern.ipc.maxsockbuf): a datagram that arrives while it is full is dropped, and nobody is told.
explain-so-rcvbuf-other = SO_RCVBUF is the socket's receive queue, in bytes: a datagram that arrives while it is full is dropped, and nobody is told.
notice-reuseaddr-windows = SO_REUSEADDR on Windows lets another socket bind this port while this one uses it, and take its traffic; netplay sets it only because --reuse-addr asked
limit-at-hard-macos = it is already the hard limit; raise that (`sudo launchctl limit maxfiles N N`, within kern.maxfilesperproc), or cap clients with --max-conns below { $below }
limit-system-files-macos = the system-wide open-file limit is reached; raise it with `sudo sysctl -w kern.maxfiles=N`
limit-socket-memory-macos = the kernel has no memory left for sockets; close other connections
limit-socket-memory-windows = Windows has no resources left for more sockets (WSAENOBUFS); close other connections or programs
hint-privileged-macos = ports below 1024 are privileged when bound on one address: that needs root (sudo); on the wildcard address (--host 0.0.0.0) any user may bind them; try --port 12345
hint-privileged-service-macos = ports below 1024 are privileged ({ $port } is { $service }'s) when bound on one address: that needs root (sudo); on the wildcard address (--host 0.0.0.0) any user may bind them; try --port 12345
hint-privileged-windows = Windows reserves ranges of ports (see `netsh int ipv4 show excludedportrange protocol=tcp`), and a program may hold a port with SO_EXCLUSIVEADDRUSE; try another --port, such as 12345
hint-privileged-macos-nc = ports below 1024 are privileged when bound on one address: that needs root (sudo); on the wildcard address (`{ $wildcard }`) any user may bind them; try `{ $command }`
hint-privileged-service-macos-nc = ports below 1024 are privileged ({ $port } is { $service }'s) when bound on one address: that needs root (sudo); on the wildcard address (`{ $wildcard }`) any user may bind them; try `{ $command }`
hint-privileged-windows-nc = Windows reserves ranges of ports (see `netsh int ipv4 show excludedportrange protocol=tcp`), and a program may hold a port with SO_EXCLUSIVEADDRUSE; try another port, such as `{ $command }`
hint-udp-refused-windows = an ICMP port unreachable came back (Windows reports it as WSAECONNRESET, even without --connect): no socket is bound to UDP port { $port } at { $ip }; is the server running, and on this port?
hint-udp-refused-windows-nc = an ICMP port unreachable came back (Windows reports it as WSAECONNRESET): no socket is bound to UDP port { $port } at { $ip }; is the server running, and on this port?
netem-not-here = network namespaces and netem are Linux's: this system has no private loopback to impair
notice-offload-unavailable = UDP offloads (UDP_SEGMENT, UDP_GRO) are Linux's: here one send() and one recv() per datagram, as with --no-offload
notice-reuseport-unavailable = --reuse-port: this system has no SO_REUSEPORT (it is Linux's and BSD's); the socket is bound without it
pack-count = the format packs { $expected } values, { $got } given (struct.error: pack expected { $expected } items for packing)
pack-range = '{ $code }' format requires { $low } <= number <= { $high }
pack-kind = value { $position } must be { $wanted ->
    [bytes] bytes (b'...')
    [float] a number
   *[other] an integer
}
pack-char = char format requires a bytes object of length 1
pack-float-too-large = float too large to pack with { $code } format

## Scripts (--script; src/script, docs/scripts.md)
script-error = { $file }:{ $line }:{ $column }: { $problem }
script-place = { $file }:{ $line }
script-failed = { $place }: the peer did not follow the script: { $why }
script-needs = `{ $step }` needs what it acts on, as in `{ $usage }`
script-takes-nothing = `{ $step }` takes nothing after it: write `{ $usage }` alone
script-unknown-step = unknown step `{ $word }`: a step starts with > (send), < (expect), <regex, <bytes, <struct, <eof, >struct, shutdown, close, reset, sleep, timeout, repeat or end; # starts a comment
script-arrow-space-expect = unknown step `{ $word }`: to expect the text, put a space after < (`< { $rest }`)
script-arrow-space-send = unknown step `{ $word }`: to send the text, put a space after > (`> { $rest }`)
script-trailing-space = the line ends with a space or a tab, which would be sent or expected unseen: remove it, or write it as \x20 (\t for a tab)
script-escape-unknown = { $escape } is not an escape Python knows in bytes: write \\ for a backslash; escapes are \n \r \t \\ \' \" \xhh \ooo
script-escape-x = \x{ $hex } needs two hex digits, as in \x0a
script-escape-octal = \{ $digits } is more than a byte (the most is \377)
script-lone-backslash = the line ends with a lone backslash: write \\ for a backslash
script-literal-quote = a { $quote } inside the literal ends it: write \{ $quote }
script-literal-ascii = '{ $char }' is not ASCII: a b'...' literal takes ASCII only (in Python too); write its bytes, e.g. \x{ $hex }, or drop the b'...' to send text as UTF-8
script-literal-unclosed = this b{ $quote }...{ $quote } literal has no closing { $quote }
script-undefined = `{ $name }` is not defined yet: a variable is bound by `as { $name }` or a regex group (?P<{ $name }>...) on an earlier line (for braces themselves, write {"{{"} and {"}}"})
script-var-kind = `{ $name }` holds { $kind ->
    [bytes] bytes
    [float] a float
   *[other] an integer
} (bound on line { $line }), and this step needs { $want ->
    [bytes] bytes
    [float] a float
   *[other] an integer
}
script-name-bad = `{ $text }` is not a name: a name is letters, digits and _, not starting with a digit, as in Python
script-count-bad = `{ $text }` is not a count: write a number of bytes (4) or a variable bound by <struct (n)
script-count-big = a step takes at most { $max } bytes
script-value-bad = `{ $text }` is not a value: write a number (258, 0x102, 1.5), True, False, b'...', a variable, or len(variable)
script-struct-names = '{ $format }' unpacks { $count } { $count ->
    [one] value
   *[other] values
}, and { $names } { $names ->
    [one] name is
   *[other] names are
} given after `as`
script-regex-bad = bad pattern: { $why }
script-regex-big = the pattern is too large to follow byte by byte (over 20,000 states): make it simpler
script-timeout-zero = a step needs some time to wait: give a timeout of 1ms or more
script-repeat-bad = `repeat { $text }`: write `repeat until eof` or `repeat N` (N from 1)
script-repeat-open = this repeat has no `end`
script-end-alone = `end` closes a `repeat`, and none is open
script-after-close = nothing can follow the close on line { $line }: the socket is closed
script-close-in-loop = a close in a repeat would leave the next pass a closed socket: put it after the `end`
script-loop-reads-nothing = `repeat until eof` needs an expect step in its body: a pass that reads nothing would never reach the EOF
script-loop-empty = this repeat has no step
script-empty = the script has no step: write one a line, as `> Hello serveur !` (send) or `< Bonjour client !` (expect)
script-expect-empty = expecting no bytes checks nothing: to expect the peer's EOF, write <eof
script-stream-only = `{ $step }` is for TCP only: UDP has no connection to shut down, reset or end (EOF)
script-bytes-shown = { $repr } ({ $n } { $n ->
    [one] byte
   *[other] bytes
})
script-expected-regex = bytes matching rb'{ $pattern }'
script-expected-bytes = { $n } { $n ->
    [one] byte
   *[other] bytes
}
script-expected-struct = struct.calcsize('{ $format }') = { $n } { $n ->
    [one] byte
   *[other] bytes
}
script-expected-eof = EOF (recv returning 0 bytes)
script-why-differs = expected { $expected }, came { $came }: they differ at offset { $offset }
script-why-other = expected { $expected }, came { $came }
script-why-nomatch = expected { $expected }, came { $came }, which cannot match from offset { $offset } on
script-why-length = expected a datagram of { $expected }, came one of { $came }
script-why-eof = expected { $expected }; the peer closed its side (EOF) after { $came }
script-why-timeout = expected { $expected }; in { $timeout }, only { $came } came
script-why-open = expected { $expected }; in { $timeout }, { $came } came and matches so far, but more bytes could still lengthen the match: end the pattern with what ends the message (\n, a length)
script-why-reset = the peer reset the connection ({ $error })
script-why-send-timeout = the peer took none of the bytes for { $timeout } (its receive window is full)
script-why-count = `{ $name }` is { $n }: a step takes 0 to { $max }
script-why-too-much = more than { $max } came without deciding the step
script-why-loop-silent = nothing came in { $timeout }, neither bytes for another pass nor the EOF that ends the loop
script-why-loop-stuck = a pass took no bytes from the peer: the loop would never reach the EOF
script-why-no-peer = nothing has come yet: a datagram goes to the sender of the last one received
script-why-unknown = the step failed
script-step-passed = ✓ line { $line }: { $text }
script-step-failed = ✗ line { $line }: { $text }
script-pass = (pass { $n })
script-diff-expected = expected
script-diff-came = came
script-diff-nothing = (nothing)
script-end-passed = ✓ { $file }: played to its end, every step as written
script-end-failed = ✗ { $file }: the peer did not follow the script at line { $line } (exit code 9)
script-end-failed-client = ✗ { $file }: the client did not follow the script at line { $line }
script-end-failed-run = ✗ { $file }, run { $run }: the peer did not follow the script at line { $line }
script-end-passed-run = ✓ { $file }, run { $run }: played to its end, every step as written
script-clients-failed = { $failed } of { $played } { $played ->
        [one] client
       *[other] clients
    } did not follow the script { $file } (each one's step is shown above)
script-runs-failed = { $failed } of { $played } { $played ->
        [one] run
       *[other] runs
    } of the script { $file } failed (each one's step is shown above)
script-read = reading the script { $file }
closed-script-failed = the script stopped at line { $line }

## The session as a picture (src/report/html, --html, --svg)

usage-html-where = --html and --svg are for tcp serve, tcp connect, udp serve, udp send and demo
html-title = netplay { $command }: the session
html-part = { $number }/3  { $title }
html-running = Still running: this page is written again every second until the run ends.
html-over = The run is over: this page is complete.
html-failed = The run ended with an error: { $error }
html-started = Started { $date } (UTC).
html-hide-bytes = Hide the bytes
html-show-bytes = Show the bytes
html-head-time = time
html-head-beside = what each step returned
html-lane-others = { $n } other peers
html-fold = × { $n }, { $bytes } in all, until { $until }
html-fold-count = × { $n }, until { $until }
html-dump-cut = the first { $shown } of its { $total } bytes; { $left } not dumped
html-python-left-out = the Python line that sends these { $bytes } bytes is left out of the page (its literal alone takes { $chars } characters): --explain prints it whole in the terminal
html-gap = { $rows } { $rows ->
        [one] row
       *[other] rows
    } left out here ({ $events } { $events ->
        [one] event
       *[other] events
    }, from { $from } to { $to }): a part keeps its first { $head } rows and its last { $tail }.
html-left-out-title = What this page leaves out
html-left-out-nothing = Nothing: every event of the run has its row.
html-left-out-folded = { $n } { $n ->
        [one] event
       *[other] events
    } ({ $bytes }) folded into rows with a count: after { $repeats } alike in a row (the same call or packet on the same lifeline), the next ones share one row, until something else happens.
html-left-out-rows = { $rows } { $rows ->
        [one] row
       *[other] rows
    } ({ $events } { $events ->
        [one] event
       *[other] events
    }) between the first { $head } and the last { $tail } of a part.
html-left-out-bytes = { $bytes } of the chunks shown are not dumped: a chunk shows its first { $chunk } bytes, and the page { $total } in all.
html-left-out-peers = { $n } { $n ->
        [one] peer
       *[other] peers
    } drawn on a shared lifeline: a part draws { $max } lifelines of peers at most.
html-left-out-packets = { $n } { $n ->
        [one] packet
       *[other] packets
    } not between two lifelines of this page.
html-bound = So that the page stays easy to open whatever the run moved (5 MB at most, as for a 1 GiB transfer).
html-footer = Written by netplay { $version }. One file: nothing is fetched from elsewhere; the diagram is SVG, its text can be selected and searched.


## --help, built at run time from these messages (src/cli.rs): one per
## subcommand (about-PATH) and flag (help-FLAG, or help-PATH-FLAG where
## the same flag says different things), the examples under each, the
## exit codes. Completions and the man page are made from the English.

about-netplay = See every socket step and every byte: a TCP/UDP playground and a netcat-class tool
help-color = When to colour: auto (on a terminal, unless NO_COLOR is set, CLICOLOR=0 or TERM=dumb; CLICOLOR_FORCE=1 colours a pipe too), always, never
help-json = One JSON object per line per event on stdout (see docs/json-events.md)
help-raw = Write only the received payload to stdout, unchanged, like nc. Unlike nc, the socket steps and notes still go to stderr (-q: errors only). tcp serve serves clients in turn, udp send sends stdin unchanged, a datagram per read, and udp serve sends it so to the sender of the last datagram, reading it only once one has come, as nc -u -l does (not with --echo, --reply or --script)
help-explain = Under each socket step, the Python line of the course and what it does
help-packets = Under the socket steps, the packets they put on the wire (SYN, ACK, FIN, RST, ICMP), as a ladder between client and server; with --json, `packet` events. Linux, with CAP_NET_RAW
help-pcap = Write the packets of the run, whole, to FILE as pcap (tcpdump -r FILE, Wireshark)
help-html = When the run ends, and every second while it runs, write the session to FILE as one HTML page: a sequence diagram of the socket calls (and packets, with --packets), each chunk's hex dump beside the call that moved it, the Python of each step with --explain. Nothing in it is fetched from elsewhere
help-svg = Write the sequence diagram alone to FILE as SVG (for slides), when the run ends and every second while it runs
help-quiet = Only connections, data and errors: no socket steps, no notes (with --raw: errors only)
help-decode = Decode bytes with a Python struct format, as struct.unpack does: '>h' reads b'\x01\x02' as (258,). Live, each chunk or datagram is decoded from its start; `netplay hex` decodes consecutive records. Codes: x c b B ? h H i I l L q Q e f d s p (n N P native only), after an optional byte order @ = < > !, with repeat counts like 4s or 3h
help-columns = Fit every line in N columns, as in a terminal that wide; a hex dump line keeps 8 bytes at least (45 columns; 54 in the demo, with its label) (default: the terminal's width; in a pipe, COLUMNS if set, else whole lines, but --packets lines are cut at 80 columns with …)
help-lang = The language of what people read: en or fr (default: LC_ALL, LC_MESSAGES or LANG; English unless French). --json and --raw output are the same in every language
help-hex-renderer = The code that draws the hex dump: auto (the fastest this CPU runs), avx512 or portable. Both draw the same bytes; benchmarks set it (docs/benchmarks.md), so it is not shown
help-legend = Print the colours and glyphs of the hex dump, and exit
help-help = Print help
help-version = Print version
about-help = Print this message or the help of the given subcommand(s)
about-demo = TCP and UDP side by side in one command: the course's exchange over each, then a table of what differed, measured on the spot
help-loss = Add a row to the table: the same messages through a loopback that loses PCT% of packets (netem, in a network namespace of the demo's own; needs root, ip and tc)
help-delay = With that row: each packet is delayed by MS milliseconds (a bare number is milliseconds; 0.1s works too), at most 1000
help-step = Pause before each part until Enter is pressed (when stdin is a terminal; otherwise the demo says so and goes on)
about-tcp = TCP, the connected mode: a byte stream between two ends
about-tcp-serve = Listen for TCP connections; show each step, each client and each byte
help-tcp-serve-host = Address to bind: 127.0.0.1 (this machine only; the default), 0.0.0.0 (every IPv4 interface), ::1, :: (every IPv6 interface; also IPv4 when dual-stack)
help-tcp-serve-port = Port to bind; 0 lets the OS choose, and the port it chose is printed
help-port-given = The port, as nc -l takes it: `netplay tcp serve 12345` is `--port 12345`
help-ipv4 = IPv4 only (AF_INET)
help-ipv6 = IPv6 only (AF_INET6): a client tries only IPv6 addresses; a server's default host becomes ::1 (which IPv4 clients cannot reach)
help-reuse-port = Set SO_REUSEPORT before bind: several sockets share one port
help-tcp-serve-recv-size = Bytes asked per recv call, like recv(1024) in the course (UDP: a longer datagram is cut and the rest discarded). Sizes like 1024, 64K, 1MiB
help-tcp-serve-reuse-addr = SO_REUSEADDR is tcp serve's default now: accepted, and it changes nothing
help-backlog = Length of the queue of connections waiting for accept(), as in listen(5). The system may cap it (Linux: net.core.somaxconn; macOS: kern.ipc.somaxconn)
help-tcp-serve-echo = Send each chunk received back to its sender
help-tcp-serve-reply = Send TEXT to a client after each chunk it sends (each recv(), not each message: a 300 KB request comes in several chunks; see --reply-once), like the course's b"Bonjour client !". Read as -m reads it: "b'HTTP/1.0 200 OK\r\n\r\n'" is a Python bytes literal
help-half-close = When to half-close (shutdown(SHUT_WR): the peer reads EOF) after the input ends: `data` (the default) after an input that sent at least one byte, or that Ctrl-D ended at a terminal, so an upload ends but an empty input (/dev/null) never cuts a download; `always`, even after an empty input (nc -N); `never` (ncat --no-shutdown): the connection ends when the peer closes
help-reply-once = Reply once per connection, after the client's first chunk, instead of after each
help-reply-file = The reply is the content of this file, any bytes (in UDP, one datagram: a DNS answer)
help-reply-hex = The reply in hex, as --hex reads it ("48 69 00": three bytes, the last a NUL)
help-tcp-serve-once = Serve one connection, then exit (8 if the client reset it). Stdin from a pipe or file waits for that client and goes to it whole; then --half-close says when the server shuts down its sending side
help-broadcast = Relay each chunk a client sends to every other connected client (a chat, like ncat --broker); the sender gets it too with --echo. Stdin lines go to all clients
help-max-conns = Serve at most N clients at once; beyond, a new client is accepted and closed at once, and the reason is reported
help-accept-delay = Wait DUR before each accept(), as a busy server would: clients wait in the accept queue meanwhile, shown as it fills (with a small --backlog, past it too)
help-sequential = Serve one client at a time, as the course's `while True: accept()` loop does: the next client waits in the accept queue until the current one is closed. --raw does so unless --once or --broadcast, as nc -lk does
help-idle-timeout = Close a client that has sent nothing for DUR (30s, 5m; 1ms to 7 days)
help-tcp-serve-allow = Accept only peers in this address block (10.0.0.0/8, ::1, 192.168.1.7); repeatable. Others are closed at once and reported. An IPv4 block also matches its IPv4-mapped form (::ffff:a.b.c.d on a dual-stack socket), and the reverse. A link-local block may name its link: fe80::1%eth0 (or %2, the interface index) matches that address on eth0 only; without %zone it matches on every link
help-tcp-serve-deny = Refuse peers in this address block (same forms as --allow); repeatable; wins over --allow
help-queue = Bytes that may wait to be sent to one client (1M, 64K). A client that reads slowly costs at most this; when it is full, --slow applies
help-slow = When a client's queue is full: wait for room (nothing is lost; whoever sends to it goes at its pace), disconnect it, or drop the message for it and keep it connected
help-stall-timeout = Cut a client that takes no data for DUR while others wait on its full queue (or while it is all that is left to send)
help-tcp-serve-script = Play the steps of FILE with each client instead of answering: `< BYTES` expects exactly these bytes, `> BYTES` sends, and more (docs/scripts.md). Each client's verdict is shown; exit code 9 with --once when the client does not follow it, and at the stop when any did not. Stdin is not read
help-tcp-serve-step-timeout = Each step of the --script waits at most DUR (500ms, 2s, 1m; default 10s)
about-tcp-connect = Connect to a TCP server, send input, show what comes back
help-tcp-connect-host = The server: a name or address, or HOST:PORT, or [IPv6]:PORT
help-tcp-connect-port = The server's port, when HOST does not carry it
help-messages = Text to send; repeat for several sends, each one send call (one datagram in UDP). A Python bytes literal is read as Python reads it: -m "b'\x01\x02Hello'" sends 7 bytes
help-hex = Bytes to send, written in hex ("01 02 ff", "\x01\x02", "0x01 0x02"); repeat for several sends, mixed with -m in the order given
help-tcp-connect-file = Send the content of this file (in UDP, as one datagram)
help-tcp-connect-bind = Local address to bind before connecting (the client's end of the connection)
help-tcp-connect-source-port = Local port to bind before connecting, instead of an ephemeral one
help-timeout = Give up connecting after DUR, and when nothing moves either way for DUR (500ms, 2s, 1m; 1ms to 7 days)
help-tcp-connect-recv-size = Bytes asked per recv call, like recv(1024) in the course. Sizes like 1024, 64K, 1MiB
help-no-shutdown = Never half-close: --half-close never, as ncat --no-shutdown
help-tcp-connect-script = Play the steps of FILE against the server instead of sending input: `> BYTES` sends, `< BYTES` expects exactly these bytes, and more (docs/scripts.md). Exit code 9 when the server does not follow it; --timeout is each step's wait (default 10s)
help-udp-send-script = Play the steps of FILE instead of sending input: `> BYTES` sends one datagram, `< BYTES` expects the next datagram to be exactly these bytes, and more (docs/scripts.md). Exit code 9 when the peer does not follow it
about-tcp-bench = Measure TCP throughput, memory to memory, like iperf3: a sender and a receiver
help-tcp-bench-host = The receiver to send to: a name or address, or HOST:PORT, or [IPv6]:PORT
help-tcp-bench-port = The receiver's port, when HOST does not carry it
help-serve = Receive: wait for senders on --host and --port, one after the other (like iperf3 -s)
help-local = Both ends in this process, over loopback, on a port the OS chooses
help-bind-host = With --serve: the address to bind (default 127.0.0.1; ::1 with -6)
help-port-number = With --serve: the port to bind; 0 lets the OS choose, and the port it chose is printed
help-tcp-bench-once = With --serve: receive from one sender, then exit
help-time = Send for DUR (500ms, 2s, 1m; 1ms to 24h). Default: 10s, as iperf3
help-bytes = Send this many bytes instead of sending for a time (1G, 500M)
help-tcp-bench-size = Bytes per send() call
help-tcp-bench-recv-size = Bytes asked per recv() call by the receiver
about-udp = UDP, the non-connected mode: separate datagrams, no connection
about-udp-serve = Receive UDP datagrams on one socket, with no listen and no accept, and show each one with its sender
help-udp-serve-host = Address to bind: 127.0.0.1 (this machine only; the default), 0.0.0.0 (every IPv4 interface), ::1, :: (every IPv6 interface; also IPv4 when dual-stack)
help-udp-serve-port = Port to bind; 0 lets the OS choose, and the port it chose is printed
help-udp-serve-recv-size = Bytes asked per recv call, like recv(1024) in the course (UDP: a longer datagram is cut and the rest discarded). Sizes like 1024, 64K, 1MiB
help-udp-serve-reuse-addr = Set SO_REUSEADDR before bind. For UDP, which has no TIME_WAIT, it lets several sockets that all set it bind one address and port; on Linux the last one bound gets the datagrams
help-udp-serve-echo = Send each datagram back to its sender (the bytes kept, if it was cut)
help-udp-serve-reply = Send TEXT to the sender of each datagram, like the course's b"Bonjour client !". Read as -m reads it: "b'\x00\x01'" is a Python bytes literal
help-udp-serve-once = Receive one datagram (and answer it), then exit; with --raw, stdin is the answer: exit once it has all been sent
help-answer-rate = Answer one peer at most N times a second (a burst of N, then N a second); the datagrams over are shown but not answered, and that is said once per peer. This ends a loop between two servers that answer everything, and bounds a flood toward a forged address. 0: no limit. Whatever the rate, the server never answers its own address, port 0, or with more than 3 times the bytes a peer sent (a forged source would make it an amplifier)
help-udp-serve-allow = Take datagrams only from this address block (as tcp serve's --allow); repeatable. Others are ignored: not shown, not answered, counted. A UDP source can be forged: this keeps answers away from other addresses, it does not authenticate anyone
help-udp-serve-deny = Ignore datagrams from this address block; repeatable; wins over --allow
help-rcvbuf = Ask for a receive buffer of SIZE (SO_RCVBUF; Linux doubles it, within net.core.rmem_max): a small one shows datagrams dropped while it is full, which the server then counts
help-udp-serve-script = Play the steps of FILE instead of answering: `< BYTES` expects a datagram of exactly these bytes, from any sender, and `> BYTES` sends one to the sender of the last datagram received (docs/scripts.md). Played again for the next datagram; with --once, once. Exit code 9 with --once when the peer does not follow it, and at the stop when a run failed
help-udp-serve-step-timeout = Each step of the --script waits at most DUR (500ms, 2s, 1m; default 10s); the first waits for a datagram as long as the server runs
about-udp-send = Send UDP datagrams (sendto), and with --wait show the replies
help-udp-send-host = Where to send: a name or address, or HOST:PORT, or [IPv6]:PORT
help-udp-send-port = The port, when HOST does not carry it
help-udp-send-file = Send the content of this file (in UDP, as one datagram)
help-stdin-datagram = Read all of stdin as one datagram, instead of one datagram per line (without its newline; with --raw, one datagram per read of stdin, unchanged, as nc -u sends)
help-udp-send-count = Send the input N times
help-interval = Pause DUR between two datagrams (500ms, 2s, 1m; up to 7 days)
help-wait = Keep receiving replies for DUR after the last datagram; each is shown with its sender. Default: exit at once, showing only replies already there. Up to 7 days
help-connect = Use a connected UDP socket: send() and recv() instead of sendto() and recvfrom(). The kernel then drops datagrams from other addresses, and an ICMP port unreachable from the peer is reported as "connection refused" (exit code 4)
help-udp-send-bind = Local address to bind before sending (the source address of the datagrams)
help-udp-send-source-port = Local port to bind before sending, instead of the ephemeral one the OS picks
help-udp-send-recv-size = Bytes asked per recv call for replies; a longer reply is cut and the rest discarded. Sizes like 1024, 64K, 1MiB
about-udp-bench = Measure UDP throughput and loss, like iperf3 -u: numbered datagrams, counted on arrival
help-udp-bench-host = The receiver to send to: a name or address, or HOST:PORT, or [IPv6]:PORT
help-udp-bench-port = The receiver's port, when HOST does not carry it
help-udp-bench-once = With --serve: receive from one sender, then exit
help-udp-bench-count = Send this many datagrams instead of sending for a time
help-udp-bench-size = Bytes of payload per datagram, its 16-byte header (sequence number) included; 1472 fills a 1500-byte Ethernet frame
help-rate = Bits per second to send at, like iperf3 -b (500K, 100M, 1G); 0 is as fast as possible
help-no-offload = One send() and one recv() per datagram, as iperf3 does, instead of handing the kernel up to 64 datagrams per call (UDP_SEGMENT) and taking them back glued (UDP_GRO)
about-hex = Show a file or stdin as the live hex dump shows bytes (a capture from --raw, any file)
help-hex-file = The file to show; - or nothing reads stdin
help-length = Show at most SIZE bytes (sizes like 64, 4K, 1MiB, 0x100)
help-skip = Start SIZE bytes into the input (a seek on a file or device, read and dropped from a pipe); offsets still count from the input's start. Past the end, nothing shows, one line on stderr says so, and the exit code is 0
help-width = Bytes per line: 8, 16 or 32
help-no-squeeze = Show every line; by default a run of lines equal to the one above shows as one `*` (--decode turns squeezing off, so every record shows)
about-completions = Print a completion script for your shell on stdout (see the README to install it)
help-shell = The shell to complete for
about-man = Print netplay's manual page (roff) on stdout: `netplay man | man -l -`
help-v6only-linux = IPV6_V6ONLY on an IPv6 socket: false is dual-stack (IPv4 peers appear as ::ffff:a.b.c.d), true is IPv6 only. Default: the OS's (false on Linux, unless net.ipv6.bindv6only is 1), shown in the step report
help-v6only-macos = IPV6_V6ONLY on an IPv6 socket: false is dual-stack (IPv4 peers appear as ::ffff:a.b.c.d), true is IPv6 only. Default: the OS's (false on macOS), shown in the step report
help-v6only-windows = IPV6_V6ONLY on an IPv6 socket: false is dual-stack (IPv4 peers appear as ::ffff:a.b.c.d), true is IPv6 only. Default: the OS's (true on Windows: IPv6 only), shown in the step report
help-v6only-other = IPV6_V6ONLY on an IPv6 socket: false is dual-stack (IPv4 peers appear as ::ffff:a.b.c.d), true is IPv6 only. Default: the OS's, shown in the step report
help-no-reuse-addr-linux = Do not set SO_REUSEADDR. tcp serve sets it by default, as Rust's std, tokio and Python's asyncio do: on Linux it lets bind() take a port held only by connections of an earlier server (in TIME_WAIT up to 60s after that server closed them), if that server had set it too; it never lets two sockets listen on one address and port (SO_REUSEPORT does). Without it, a server restarted after closing connections fails with 'address already in use' for up to 60s: the course's pitfall, shown
help-no-reuse-addr-unix = Do not set SO_REUSEADDR. tcp serve sets it by default, as Rust's std and tokio do: it lets a restarted server bind its port while connections of the earlier one wait in TIME_WAIT. Without it, the restart fails with 'address already in use' for a while: the course's pitfall, shown
help-no-reuse-addr-windows = Do not set SO_REUSEADDR: nothing to do on Windows, where tcp serve never sets it (there it would let another socket take the port while the server uses it) and a restarted server binds beside its old connections without it
help-heading-output = Output (before or after the subcommand)
help-heading-options = Options
help-heading-arguments = Arguments
help-heading-commands = Commands
help-usage = Usage:
help-default = [default: { $value }]
help-possible = [possible values: { $values }]
examples-demo =
    Examples:
      netplay demo                           the three parts, one after the other
      netplay demo --step --explain          pause between parts; the course's Python under each step
      netplay demo --loss 10 --delay 50      add a row: through a lossy, slow loopback (root, netem)
      netplay --json demo                    the same, one JSON object per event and per row
examples-tcp-bench =
    Examples:
      netplay tcp bench --local                  sender and receiver in this process, 10 seconds
      netplay tcp bench --serve --port 5201      the receiver (like iperf3 -s) ...
      netplay tcp bench 127.0.0.1 5201 -t 5s     ... and the sender (like iperf3 -c)
      netplay --json tcp bench --local --bytes 1G
examples-udp-bench =
    Examples:
      netplay udp bench --local --size 64        as fast as possible: how many datagrams are lost?
      netplay udp bench --local --rate 100M      at 100 Mbit/s
      netplay udp bench --serve --port 5201      the receiver ...
      netplay udp bench 127.0.0.1 5201 --count 10000 --rate 10M   ... and the sender
examples-udp-serve =
    Examples:
      netplay udp serve                          datagrams to 127.0.0.1:12345, each with its sender
      netplay udp serve --reply 'Bonjour client !' --explain
      netplay udp serve --recv-size 8            a longer datagram is cut: see what is discarded
      netplay udp serve --script dns-answer.np   answer dig, step by step
      netplay udp serve -6 --host :: --v6only false   dual-stack: IPv4 senders show as ::ffff:a.b.c.d
examples-udp-send =
    Examples:
      netplay udp send 127.0.0.1 12345 -m 'Hello serveur !' --wait 1s
      netplay udp send [::1]:12345 --hex '01 02 ff' --count 3 --interval 500ms
      netplay udp send --connect 127.0.0.1:9 -m ping --wait 1s   refused: nothing is bound there
      netplay udp send 127.0.0.1 12345 --script ping.np          one datagram a `>`, one a `<`
      printf 'one\ntwo\n' | netplay udp send 127.0.0.1 12345   one datagram per line
      netplay --raw udp send 127.0.0.1 53 < query.bin     unchanged: a datagram per read of stdin
examples-tcp-serve =
    Examples:
      netplay tcp serve                          the course's server on 127.0.0.1:12345
      netplay tcp serve --reply 'Bonjour client !' --explain
      netplay tcp serve --port 0 --echo          an echo server on a port the OS chooses
      netplay tcp serve --raw --once > out.bin   receive one connection's bytes, like nc -l
      netplay tcp serve --raw --once < file      send a file to the first client, like nc -N -l < file
      netplay tcp serve --broadcast              a chat: each client's messages go to the others
      netplay tcp serve --script course-server.np   check each client, step by step
      netplay -q tcp serve --broadcast --host 0.0.0.0 --max-conns 10000 --idle-timeout 5m
examples-tcp-connect =
    Examples:
      netplay tcp connect 127.0.0.1 12345 -m 'Hello serveur !'
      netplay tcp connect localhost:12345 --hex '01 02 ff'
      netplay tcp connect [::1]:12345 --file request.bin
      netplay tcp connect 127.0.0.1 12345 --script course-client.np   check the server, step by step
      cat file | netplay tcp connect --raw 127.0.0.1:12345 > answer
examples-hex =
    Examples:
      netplay hex capture.bin                    the whole file, repeated lines squeezed to *
      netplay hex -s 0x100 -n 64 capture.bin     64 bytes from offset 256
      cat /dev/urandom | netplay hex | head      stdin, shown as it arrives
      netplay hex --decode '>h' data.bin         each 2 bytes as a big-endian short, like
                                                 struct.iter_unpack('>h', data)
examples-completions =
    Examples:
      netplay completions bash > ~/.local/share/bash-completion/completions/netplay
      netplay completions zsh > ~/.zfunc/_netplay          (with fpath+=~/.zfunc before compinit)
      netplay completions fish > ~/.config/fish/completions/netplay.fish
      netplay completions powershell >> $PROFILE
exit-table =
    Exit codes:
      0  success (also when output is closed early, as by `| head`, once the
         input was all sent)
      1  other failure (e.g. a file that cannot be read; output closed early
         while the input was still being sent)
      2  bad command line: unknown flag, bad value, a datagram too big for UDP
      3  host name not resolved (or no address in the family asked for)
      4  connection refused: nothing listens at that address and port (UDP: { $refused })
      5  timed out (--timeout)
      6  address already in use
      7  permission denied ({ $privileged })
      8  connection reset or aborted by the peer
      9  the peer did not follow the --script (other bytes, an early EOF, a reset,
         or nothing within a step's timeout): the line names the step
     10  the input file shrank while it was sent (the peer got a cut stream)
exit-note-refused = --connect only
exit-note-refused-windows = Windows reports it with or without --connect
exit-note-privileged = ports below 1024 need privileges
exit-note-privileged-windows = a port the system reserved, or one held with SO_EXCLUSIVEADDRUSE

## netplay nc: OpenBSD nc's command line (src/cli/nc.rs)
about-nc = Run as OpenBSD nc: its flags, its exit status (0 or 1), its quiet output; -v shows netplay's steps and hex dumps. `netplay nc -h` lists the flags
examples-nc =
    Examples:
      netplay nc -l 9000 > file               receive one connection's bytes (on every interface)
      netplay nc -N 192.0.2.7 9000 < file     send a file, then a FIN
      netplay nc -lk 127.0.0.1 9000           serve clients one after the other
      netplay nc -zv 127.0.0.1 20-25          which ports take a connection?
      netplay nc -u -w 1 127.0.0.1 53 < q.bin   one UDP exchange, ended by a second of silence
help-nc-args = nc's flags and operands: netplay nc -h lists them
help-nc-ipv4 = IPv4 addresses only
help-nc-ipv6 = IPv6 addresses only
help-nc-crlf = Send each line end of stdin as CR LF
help-nc-no-stdin = Do not read stdin
help-nc-so-rcvbuf = The receive buffer to ask for (SO_RCVBUF), in bytes
help-nc-keep = With -l: once a client has gone, accept the next, one at a time; with -u -l, take datagrams from every sender
help-nc-listen = Listen for a connection (with -u, a datagram) instead of connecting: on every interface, unless -s or an address before the port names one
help-nc-shutdown = Shut down the sending side (shutdown(SHUT_WR), a FIN) when stdin ends
help-nc-numeric = Addresses only: no host name is looked up
help-nc-so-sndbuf = The send buffer to ask for (SO_SNDBUF), in bytes
help-nc-source-port = The local port: the client's source port, or with -l the port to listen on
help-nc-quit = Once stdin has ended: -N, and with -l or -u, the peer has SECONDS more to finish, then the run ends (exit 0). A negative number changes nothing
help-nc-random = With -z and several ports: try them in a random order
help-nc-source = The local address: the client's source address, or with -l the address to listen on
help-nc-udp = UDP instead of TCP
help-nc-verbose = Show netplay's socket steps, and a hex dump of each chunk either way, on stderr; stdout still gets the bytes received, unchanged
help-nc-wait = Give up connecting after SECONDS, and end when nothing has moved for SECONDS (exit 0)
help-nc-zero = Only find out whether something listens: connect, then close at once, sending nothing (TCP). Exit 0 when a port took the connection
help-nc-destination = The host to connect to; with -l, the port to listen on, or the address then the port
help-nc-ports = The port; with -z, several, and ranges such as 20-30
nc-unsupported = nc's { $flag } ({ $what }) is not supported by netplay nc
nc-what-broadcast = broadcast datagrams
nc-what-tls = TLS
nc-what-debug = SO_DEBUG, which Linux reserves to CAP_NET_ADMIN and uses for nothing TCP shows
nc-what-exec = running a program on the connection
nc-what-fd = passing the socket to another program
nc-what-interval = a pause between lines
nc-what-ttl = TTLs and hop limits
nc-what-proxy = proxies
nc-what-md5 = TCP MD5 signatures
nc-what-tos = the type of service
nc-what-telnet = telnet negotiation
nc-what-unix = Unix domain sockets
nc-what-rtable = routing tables
nc-what-recvlimit = a count of reads to stop after
nc-what-dccp = DCCP
nc-what-udp-probe = UDP has no connection to probe: nc -zu calls every port open; netplay udp send --connect HOST PORT -m x --wait 1s sees a closed one refuse
nc-unknown-flag = { $flag } is not one of nc's flags (netplay nc -h lists them)
nc-missing-port = no port after { $host }: netplay nc HOST PORT
nc-listen-port = no port to listen on: netplay nc -l PORT, or -l -p PORT
nc-operands = these operands do not fit nc's usage: netplay nc [-46CdhklNnruvz] [-I length] [-O length] [-p port] [-q seconds] [-s address] [-w seconds] [destination] [port]
nc-z-with-l = -z and -l do not go together: -z connects, -l listens
nc-k-without-l = -k keeps a listening server going: it needs -l
nc-numeric-name = -n: { $host } is not an address, and with -n no name is looked up
nc-bad-port = port { $text }: { $why }
nc-ports-need-z = several ports are for -z, which only checks them; to exchange bytes, give one
nc-seconds-bad = { $text } is not a whole number of seconds
nc-netplay-flag = { $flag } is not for netplay nc, which writes what nc writes (-v adds netplay's steps); the native subcommands take it (netplay tcp connect, tcp serve, udp send, udp serve)
