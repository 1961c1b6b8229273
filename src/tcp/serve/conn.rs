//! One connection on the event path: its reader and writer tasks, their
//! bounded outbox, how each ends (EOF, idle, a stall, a cut, a failure),
//! and the `closed` event.

use super::*;

/// How a connection's reading ended.
enum ReadEnd {
    /// recv returned 0: the peer half-closed.
    Eof,
    /// Closed from elsewhere: a --slow policy, a stall, or the server is
    /// stopping; the reason is in the connection's [`Cut`].
    Kicked,
    /// Nothing came from the peer for --idle-timeout.
    Idle(Duration),
    Failed(io::Error),
    Stopped,
}

/// Byte counts one connection shares between its reader and writer.
#[derive(Default)]
pub(super) struct Totals {
    pub(super) bytes_in: AtomicU64,
    pub(super) bytes_out: AtomicU64,
    /// The peer has finished sending: whatever is queued is all it waits for.
    pub(super) finished: AtomicBool,
    /// The writer holds bytes it has not all written.
    pub(super) holding: AtomicBool,
    /// Read after each step, for the `closed` event.
    pub(super) tcp_info: LastTcpInfo,
}

/// Counts a connection as live until its task ends, however it ends.
pub(super) struct Live(pub(super) Arc<Server>);

impl Drop for Live {
    fn drop(&mut self) {
        self.0.live.fetch_sub(1, Ordering::Relaxed);
    }
}

/// A task that is aborted when its handle is dropped, so a writer never
/// outlives its connection.
pub(super) struct AbortOnDrop<T>(pub(super) JoinHandle<T>);

impl<T> AbortOnDrop<T> {
    /// Aborts the task and waits until it has ended.
    pub(super) async fn end(&mut self) {
        self.0.abort();
        let _ = (&mut self.0).await;
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

pub(super) async fn connection(server: Arc<Server>, stream: TcpStream, conn: u64, peer: SocketAddr) {
    let live = Live(server.clone());
    let start = Instant::now();
    let Some((inbox, queued, cut, mut queue)) = join(&server, &stream, conn, peer).await else {
        return;
    };
    let totals =
        Arc::new(Totals { tcp_info: LastTcpInfo::new(server.config.packets.tcp_info), ..Totals::default() });
    if let Some(script) = server.config.answer.script().map(|(s, _)| s.clone()) {
        let Some((failure, verdict)) =
            serve_script(&server, stream, conn, peer, start, &cut, &totals, script).await
        else {
            return;
        };
        server.hub.leave(conn);
        closed(&server, conn, start, live, &totals, failure).await;
        if let Some(verdict) = verdict {
            let _ = server.emit(Event::ScriptEnd(verdict)).await;
        }
        return;
    }
    if server.direct {
        if let Some(failure) = serve_direct(&server, stream, conn, peer, &cut, &totals).await {
            server.hub.leave(conn);
            closed(&server, conn, start, live, &totals, failure).await;
        }
        return;
    }
    let (reader, writer) = stream.into_split();
    // Dropped (the task aborted, even before it first ran), a write half
    // would send a FIN: a cut connection must end with a RST only (see
    // tcp::cut).
    let writer = NoFinOnDrop(Some(writer));
    let mut writing = AbortOnDrop(tokio::spawn(write_loop(
        server.clone(),
        conn,
        start,
        writer,
        inbox,
        totals.clone(),
        cut.clone(),
    )));

    let end = read_loop(&server, conn, start, &reader, &mut queue, &cut, &totals).await;
    if matches!(end, ReadEnd::Stopped | ReadEnd::Kicked) && server.output_gone() {
        // The writer first: with its queue let go, it would send the FIN
        // of a whole stream.
        writing.end().await;
        drop(queue);
        server.hub.leave(conn);
        stdout_left(&server, SockRef::from(reader.as_ref()), &totals, &queued).await;
        return;
    }
    drop(queue);
    if !leave(&server, conn, &end).await {
        return;
    }
    // The stream is cut (a stop, a stall): the close aborts it, with a RST.
    let mut cut_off = matches!(end, ReadEnd::Kicked);
    let mut writer_done = false;
    let failure: Option<(Msg, anyhow::Error)> = match end {
        // The peer is done sending: finish what is queued for it, then close.
        ReadEnd::Eof => {
            totals.finished.store(true, Ordering::SeqCst);
            let written = (&mut writing.0).await;
            writer_done = true;
            server.hub.leave(conn);
            match written {
                Ok(Ok(())) => None,
                Ok(Err(WriteEnd::Failed(e))) => Some(failed(Op::Send, peer, e)),
                Ok(Err(WriteEnd::Stalled(reason))) => {
                    cut_off = true;
                    Some(stalled(reason, peer))
                }
                Ok(Err(WriteEnd::Stopped)) | Err(_) => {
                    if server.output_gone() {
                        stdout_left(&server, SockRef::from(reader.as_ref()), &totals, &queued).await;
                    }
                    return;
                }
            }
        }
        ReadEnd::Kicked => Some(kicked(&server, &cut, peer)),
        ReadEnd::Idle(after) => Some(idle(&server, peer, after)),
        ReadEnd::Failed(e) => Some(failed(Op::Recv, peer, e)),
        ReadEnd::Stopped => return,
    };
    // The writer ends before the counts are read: they are final.
    if !writer_done {
        writing.end().await;
    }
    // The socket is still open (the read half holds it).
    totals.tcp_info.read(reader.as_ref());
    if cut_off && abort(&server, conn, &totals, reader).await.is_err() {
        return;
    }
    closed(&server, conn, start, live, &totals, failure).await;
}

/// Aborts a cut connection (a RST), closes it, and takes back from the
/// counts what its client had not acknowledged.
async fn abort(server: &Server, conn: u64, totals: &Totals, reader: OwnedReadHalf) -> Result<(), Stop> {
    // More was to come: the writer held bytes not all written.
    let pending = totals.holding.load(Ordering::SeqCst);
    let aborted = crate::tcp::cut::abort(SockRef::from(reader.as_ref()), pending);
    // Closed at once, the counts just read: the kernel sends nothing more.
    drop(reader);
    uncount(server, conn, totals, aborted).await
}

/// Leaves the hub once reading has ended, unless the client stays for the
/// rest of a stdin stream; in broadcast, says it leaves. False when output
/// is gone.
async fn leave(server: &Server, conn: u64, end: &ReadEnd) -> bool {
    // A peer that finished sending still gets the rest of a stdin stream
    // (`nc -N -l < file` delivers it whole); in broadcast it leaves the
    // chat, and lines typed at a terminal are not a stream to finish.
    let stays = matches!(end, ReadEnd::Eof)
        && server.config.clients != Clients::Broadcast
        && server.stdin_stream
        && server.hub.feeds();
    let broadcast = server.config.clients == Clients::Broadcast;
    if !stays && broadcast && !matches!(end, ReadEnd::Stopped) {
        // The count and the line's place in the order, together under the
        // hub's lock (see the join): the leaves count down as shown.
        let room = server.report.room_async(0).await;
        let (clients, cause) = server.hub.leave_then(conn, |clients| (clients, room.cause()));
        if server.tell(cause, Event::Leave { conn, clients }).is_err() {
            return false;
        }
    } else if !stays {
        server.hub.leave(conn);
    }
    true
}

/// Why a connection cut from elsewhere ended: as the command asked
/// (--quit-after), the server stopping, or a stall (which ends the writer
/// first; its reason is the cut's).
fn kicked(server: &Server, cut: &Cut, peer: SocketAddr) -> (Msg, anyhow::Error) {
    let reason = cut.reason().unwrap_or_else(|| msg!("reason-closed-by-server"));
    if cut.planned() {
        (reason, Planned.into())
    } else if server.stopping.load(Ordering::SeqCst) {
        (reason, anyhow::Error::msg(msg!("reason-server-stopping")))
    } else {
        stalled(reason, peer)
    }
}

/// Nothing came from `peer` for --idle-timeout (`after`): the reason shown,
/// naming the option of the command line typed, and the error --once ends
/// with.
pub(super) fn idle(server: &Server, peer: SocketAddr, after: Duration) -> (Msg, anyhow::Error) {
    let flag = server.config.front.idle_flag(Role::Server);
    (
        msg!("reason-idle", after = Arg::duration(after), flag = flag),
        NetError::Idle { what: Op::WaitData, addr: peer, after, flag }.into(),
    )
}

/// Joins the hub and says the connection was accepted (and, in broadcast,
/// that the client joins), each in its place in the order. The client's
/// inbox for its writer, the gauge of what waits in it, its cut, and the
/// reader's hold on its queue; None when output is gone.
async fn join(
    server: &Arc<Server>,
    stream: &TcpStream,
    conn: u64,
    peer: SocketAddr,
) -> Option<(Inbox, outbox::Gauge, Arc<Cut>, Queue)> {
    let local = stream.local_addr().unwrap_or(server.config.addr);
    // Join before telling: whoever sees "accepted" may send to all clients
    // at once (a stdin line), and this one must be among them.
    let (outbox, inbox) = outbox::channel(server.config.queue_limit);
    let queued = outbox.gauge();
    let cut = Arc::new(Cut::default());
    let release = Arc::new(Notify::new());
    // The places of "accepted" lines are taken in the accept order, one
    // connection after the other (Turn): the number a learner reads is that
    // order. In broadcast, the count and the places of "accepted" and
    // "joins" are taken together under the hub's lock: the joins count up
    // in the order they are shown.
    let broadcast = server.config.clients == Clients::Broadcast;
    let turn = Turn::wait(&server.told, conn).await;
    let rooms = match broadcast {
        true => Some((server.report.room_async(0).await, server.report.room_async(0).await)),
        false => None,
    };
    let (clients, causes) = server.hub.join_then(conn, &outbox, cut.clone(), release.clone(), |clients| {
        (clients, rooms.map(|(accepted, joins)| (accepted.cause(), joins.cause())))
    });
    let (accepted, joins) = match causes {
        Some((accepted, joins)) => (accepted, Some(joins)),
        None => (server.report.cause_async(0).await, None),
    };
    drop(turn);
    // The reader keeps the client's queue open for its answers (--echo,
    // --reply) and, when no stream comes from stdin, until the peer has
    // finished: then "nothing more to send" comes when the peer is done. A
    // stdin stream with nothing to answer decides with --half-close: its
    // end is ours at once (always), once it brought this client a byte
    // (data: the hub releases the reader's hold), or never.
    let answers =
        server.config.answer.echoes() || server.config.answer.reply().is_some() || !server.stdin_stream;
    let holds = !answers && server.config.half_close != HalfClose::Always;
    let queue = Queue { outbox: (answers || holds).then_some(outbox), release: holds.then_some(release) };
    if server.tell(accepted, Event::Accepted { conn, local, peer }).is_err() {
        server.hub.leave(conn);
        // Given nothing yet: still no FIN if stdin was to come.
        stdout_left(server, SockRef::from(stream), &Totals::default(), &queued).await;
        return None;
    }
    if server.stopping.load(Ordering::SeqCst) {
        // Joined after the stop cut everyone.
        cut.cut(msg!("reason-server-stopping"));
    }
    if let Some(joins) = joins
        && server.tell(joins, Event::Join { conn, clients }).is_err()
    {
        server.hub.leave(conn);
        stdout_left(server, SockRef::from(stream), &Totals::default(), &queued).await;
        return None;
    }
    Some((inbox, queued, cut, queue))
}

/// stdout's reader left (`| head`) while this client was being given the
/// server's stdin: the stream is cut, as `tcp connect` cuts its upload
/// (tcp::owed). Input still to be read or written, or bytes the client had
/// not taken (not acknowledged, or, a client on this machine, not read)
/// once the socket and the client had their moment, make the close a RST, so the client does not take what it got for the whole
/// stream, and the run says how much it had. Nothing is reported: the
/// output is gone.
async fn stdout_left(server: &Server, socket: SockRef<'_>, totals: &Totals, queued: &outbox::Gauge) {
    if !server.stdin_stream {
        return;
    }
    // Nothing read yet: an empty stdin (`< /dev/null`) held nothing to
    // cut, though its end was not seen before stdout's.
    let unread = server.stdin_read.load(Ordering::SeqCst) == 0;
    let ended = server.stdin_ended.load(Ordering::SeqCst) || (unread && crate::sys::ready::stdin_at_end());
    let pending = !ended || totals.holding.load(Ordering::SeqCst) || queued.queued() > 0;
    let sent = totals.bytes_out.load(Ordering::Relaxed);
    let owed = match pending {
        true => owed::untaken(&socket, owed::End::Accepted, sent, &mut None),
        false => owed::untaken_after_drain_async(&socket, owed::End::Accepted, sent).await,
    };
    if pending || owed.any() {
        crate::tcp::cut::abort(socket, true);
        server.cut_input(InputCut { sent, pending, owed });
    }
}

/// Reports the connection closed, and with --once, how it failed.
pub(super) async fn closed(
    server: &Server,
    conn: u64,
    start: Instant,
    live: Live,
    totals: &Totals,
    failure: Option<(Msg, anyhow::Error)>,
) {
    // The slot is free before `closed` is reported: a client that connects
    // right after it must not meet --max-conns.
    drop(live);
    let (reason, error) = match failure {
        Some((reason, error)) => (Some(reason), Some(error)),
        None => (None, None),
    };
    let tcp_info = totals.tcp_info.get();
    let _ = server
        .emit(Event::Closed {
            conn,
            bytes_in: totals.bytes_in.load(Ordering::Relaxed),
            bytes_out: totals.bytes_out.load(Ordering::Relaxed),
            duration: start.elapsed(),
            reason,
            tcp_info,
        })
        .await;
    if server.config.once
        && let Some(error) = error.filter(|e| !e.is::<Planned>())
    {
        *server.failure.locked() = Some(error);
    }
}

/// How a connection that ended as the command asked (--quit-after) ends:
/// its reason is shown, and it is no failure of the run.
#[derive(Debug, thiserror::Error)]
#[error("ended as asked")]
struct Planned;

/// Takes back from the counts out what a cut connection's client had not
/// acknowledged (the socket was given it; the client got it or not), and
/// says so.
pub(super) async fn uncount(
    server: &Server,
    conn: u64,
    totals: &Totals,
    cut: crate::tcp::cut::Cut,
) -> Result<(), Stop> {
    let unacknowledged = cut.unacknowledged();
    for count in [&totals.bytes_out, &server.counters.bytes_out] {
        let _ = count
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| Some(n.saturating_sub(unacknowledged)));
    }
    server.report.uncount_out(unacknowledged);
    match cut.note() {
        Some(message) => server.emit(Event::Notice { conn: Some(conn), message }).await,
        None => Ok(()),
    }
}

/// A failed recv or send: the reason shown, and the error --once ends with.
pub(super) fn failed(op: Op, peer: SocketAddr, err: io::Error) -> (Msg, anyhow::Error) {
    (describe_msg(&err), NetError::socket(op, peer, err).into())
}

pub(super) fn stalled(reason: Msg, peer: SocketAddr) -> (Msg, anyhow::Error) {
    let error = anyhow::Error::msg(msg!("error-send-stalled", peer = peer, reason = reason.clone()));
    (reason, error)
}

thread_local! {
    /// One receive buffer per worker thread, not per connection: an idle
    /// client costs no buffer, so thousands of them fit in little memory.
    static RECV_BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// What one read did.
enum Received {
    Chunk(Bytes),
    Eof,
    NotReady,
    Failed(io::Error),
}

/// The reader's hold on its client's queue: for answers (--echo, --reply),
/// or only to put off the FIN until `release` says the input that ends
/// with one is over.
struct Queue {
    pub(super) outbox: Option<Outbox>,
    pub(super) release: Option<Arc<Notify>>,
}

/// Waits for `release`, or forever without one.
async fn released(release: Option<&Notify>) {
    match release {
        Some(release) => release.notified().await,
        None => std::future::pending().await,
    }
}

/// Waits until `deadline`, or forever without one.
pub(super) async fn until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

async fn read_loop(
    server: &Server,
    conn: u64,
    start: Instant,
    reader: &OwnedReadHalf,
    queue: &mut Queue,
    cut: &Cut,
    totals: &Totals,
) -> ReadEnd {
    let config = &server.config;
    let mut chunk = 0u64;
    let idle = config.idle_timeout;
    let mut deadline = idle.map(|d| tokio::time::Instant::now() + d);
    loop {
        tokio::select! {
            ready = reader.readable() => if let Err(e) = ready {
                return fail_read(server, conn, e).await;
            },
            _ = cut.notified() => return ReadEnd::Kicked,
            _ = until(deadline) => return ReadEnd::Idle(idle.unwrap_or_default()),
            // The queue was held only to put off our FIN: the input that
            // ends with one is over.
            _ = released(queue.release.as_deref()), if queue.outbox.is_some() => {
                queue.outbox = None;
                continue;
            }
        }
        let received = RECV_BUF.with_borrow_mut(|buf| {
            buf.resize(config.recv_size, 0);
            match reader.try_read(buf) {
                Ok(0) => Received::Eof,
                Ok(n) => Received::Chunk(Bytes::copy_from_slice(&buf[..n])),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => Received::NotReady,
                Err(e) => Received::Failed(e),
            }
        });
        match received {
            Received::Chunk(_) => totals.tcp_info.read_after_data(reader.as_ref()),
            Received::Eof | Received::Failed(_) => totals.tcp_info.read(reader.as_ref()),
            Received::NotReady => {}
        }
        let bytes = match received {
            Received::NotReady => continue,
            Received::Eof => {
                return match server.emit(Event::Eof { conn }).await {
                    Ok(()) => ReadEnd::Eof,
                    Err(Stop) => ReadEnd::Stopped,
                };
            }
            Received::Failed(e) => return fail_read(server, conn, e).await,
            Received::Chunk(bytes) => bytes,
        };
        deadline = idle.map(|d| tokio::time::Instant::now() + d);
        chunk += 1;
        let n = bytes.len() as u64;
        let offset = totals.bytes_in.fetch_add(n, Ordering::Relaxed);
        server.counters.bytes_in.fetch_add(n, Ordering::Relaxed);
        server.report.count_in(n);
        let sent = if config.clients == Clients::Broadcast {
            // Reported once, by the relay, not here.
            Box::pin(server.relay(Some(conn), chunk, offset, start.elapsed(), bytes)).await
        } else {
            let echo = config.answer.echoes().then(|| bytes.clone());
            if let Err(Stop) =
                server.emit(Event::data(conn, Dir::In, chunk, bytes, offset, start.elapsed())).await
            {
                return ReadEnd::Stopped;
            }
            // Waiting for room here is TCP's own back-pressure: a client
            // that does not read its echoes stops being read.
            let reply = config.answer.reply().filter(|r| !r.once || chunk == 1).map(|r| r.bytes.clone());
            let answers = echo.into_iter().chain(reply);
            for (answer, outbox) in answers.zip(std::iter::repeat(queue.outbox.as_ref()).flatten()) {
                tokio::select! {
                    sent = Box::pin(outbox.send(answer)) => if sent.is_err() {
                        // The writer is gone: it says why.
                        return ReadEnd::Kicked;
                    },
                    _ = cut.notified() => return ReadEnd::Kicked,
                }
            }
            Ok(())
        };
        if sent.is_err() {
            return ReadEnd::Stopped;
        }
    }
}

async fn fail_read(server: &Server, conn: u64, err: io::Error) -> ReadEnd {
    match server
        .emit(Event::Error { conn: Some(conn), message: msg!("error-recv", error = describe_msg(&err)) })
        .await
    {
        Ok(()) => ReadEnd::Failed(err),
        Err(Stop) => ReadEnd::Stopped,
    }
}

enum WriteEnd {
    Failed(io::Error),
    /// The client took nothing for the stall timeout; the reason says so.
    Stalled(Msg),
    Stopped,
}

async fn write_loop(
    server: Arc<Server>,
    conn: u64,
    start: Instant,
    writer: NoFinOnDrop,
    mut inbox: Inbox,
    totals: Arc<Totals>,
    cut: Arc<Cut>,
) -> Result<(), WriteEnd> {
    let mut chunk = 0u64;
    // In broadcast, each relay is reported once, not once per recipient;
    // --raw shows no sends at all.
    let report = server.config.clients != Clients::Broadcast && server.report.shows_sends();
    // TCP_INFO is read after data only with --packets, --explain or
    // --json: asked once here, not of the shared totals at every send.
    let tcp_info = server.config.packets.tcp_info;
    // The stall clock: since when the client's socket has been full with
    // data waiting for it. It starts when a send finds the socket full and
    // ends with the next send that moves data, so it never runs while a
    // reader waits with nothing to take (behind a quiet sender, or behind a
    // stuck client that holds the sender back): such a reader has not
    // stalled, and must not be cut the moment data comes. Only a socket
    // found full is waited for, with a timer (a timer for every send costs
    // a registration in tokio's shared timer wheel: at 10,000 broadcast
    // clients, 10,000 a message); the clock is read only then, too.
    let mut progress = tokio::time::Instant::now();
    while let Some(bytes) = inbox.recv().await {
        totals.holding.store(true, Ordering::SeqCst);
        let mut done = 0;
        let mut full = false;
        while done < bytes.len() {
            if full {
                room(&server, &writer, &inbox, &totals, &cut, (&mut progress, bytes.len() - done)).await?;
            }
            // One send() call, stamped before it: the client's recv of
            // these bytes is shown after it.
            let cause = if report {
                Some(Box::pin(server.report.cause_async(bytes.len() - done)).await.map_err(|e| {
                    server.fail(e);
                    WriteEnd::Stopped
                })?)
            } else {
                None
            };
            let n = match writer.try_write(&bytes[done..]) {
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    if !full {
                        full = true;
                        progress = tokio::time::Instant::now();
                    }
                    continue;
                }
                Err(e) => return Err(WriteEnd::Failed(crate::tcp::cut::send_error(e))),
            };
            full = false;
            if tcp_info {
                totals.tcp_info.read_after_data(writer.as_ref());
            }
            chunk += 1;
            let offset = totals.bytes_out.fetch_add(n as u64, Ordering::Relaxed);
            server.counters.bytes_out.fetch_add(n as u64, Ordering::Relaxed);
            server.report.count_out(n as u64);
            if let Some(cause) = cause {
                let sent = bytes.slice(done..done + n);
                cause.emit(Event::data(conn, Dir::Out, chunk, sent, offset, start.elapsed())).map_err(
                    |e| {
                        server.fail(e);
                        WriteEnd::Stopped
                    },
                )?;
            }
            done += n;
        }
        inbox.written(bytes.len());
        totals.holding.store(inbox.queued() > 0, Ordering::SeqCst);
    }
    finish(&server, conn, writer, &totals, cut).await
}

/// The client's socket was found full with `left` bytes of ours waiting
/// (`progress`: since when): waits for room, or cuts the client that took
/// nothing for the stall timeout while it holds something up: a sender
/// waiting for room, or its own close. A client that holds nothing up has
/// its clock restarted instead.
async fn room(
    server: &Server,
    writer: &NoFinOnDrop,
    inbox: &Inbox,
    totals: &Totals,
    cut: &Cut,
    (progress, left): (&mut tokio::time::Instant, usize),
) -> Result<(), WriteEnd> {
    let stall = server.config.stall_timeout;
    loop {
        tokio::select! {
            // A client that can take data is never cut because its
            // deadline also passed (select! would otherwise pick one
            // of the two ready branches at random).
            biased;
            ready = writer.writable() => return ready.map_err(WriteEnd::Failed),
            _ = Box::pin(tokio::time::sleep_until(*progress + stall)) => {
                // Cut only a client that holds something up: a sender
                // waiting for room, or its own close.
                if inbox.holds_up_a_sender() || totals.finished.load(Ordering::SeqCst) {
                    let reason = msg!(
                        "reason-stalled",
                        after = Arg::duration(progress.elapsed()),
                        waiting = Arg::bytes(left + inbox.queued()),
                    );
                    server.counters.stalls.fetch_add(1, Ordering::Relaxed);
                    cut.cut(reason.clone());
                    return Err(WriteEnd::Stalled(reason));
                }
                *progress = tokio::time::Instant::now();
            }
        }
    }
}

/// Every sender is gone: the FIN, once all is written; with --quit-after,
/// the client then gets so long to finish.
async fn finish(
    server: &Arc<Server>,
    conn: u64,
    mut writer: NoFinOnDrop,
    totals: &Totals,
    cut: Arc<Cut>,
) -> Result<(), WriteEnd> {
    // Every sender is gone: nothing more will be sent. The FIN is stamped
    // before the call, so the client's EOF shows after it.
    let cause = Box::pin(server.report.cause_async(0)).await.map_err(|e| {
        server.fail(e);
        WriteEnd::Stopped
    })?;
    let Some(mut writer) = writer.0.take() else { return Err(WriteEnd::Stopped) };
    totals.tcp_info.read(writer.as_ref());
    tokio::io::AsyncWriteExt::shutdown(&mut writer).await.map_err(WriteEnd::Failed)?;
    totals.tcp_info.read(writer.as_ref());
    cause.emit(Event::Shutdown { conn }).map_err(|e| {
        server.fail(e);
        WriteEnd::Stopped
    })?;
    // --quit-after: the client has had all of stdin; it gets so long to
    // finish. Cutting a connection that has ended already does nothing.
    if let Some(after) = server.config.quit_after.filter(|_| server.quitting.load(Ordering::SeqCst)) {
        tokio::spawn(async move {
            tokio::time::sleep(after).await;
            cut.end(msg!("reason-quit-after", after = Arg::duration(after)));
        });
    }
    Ok(())
}

/// A write half that, dropped, does not shut its direction down: tokio's
/// sends a FIN then, which would tell a client whose connection is being
/// cut that the stream ended whole. Its FIN is sent on purpose, once
/// everything is written.
struct NoFinOnDrop(pub(super) Option<OwnedWriteHalf>);

impl std::ops::Deref for NoFinOnDrop {
    type Target = OwnedWriteHalf;

    fn deref(&self) -> &OwnedWriteHalf {
        // Taken out only for the shutdown, after its last use here.
        self.0.as_ref().expect("the write half is there until its shutdown")
    }
}

impl Drop for NoFinOnDrop {
    fn drop(&mut self) {
        if let Some(writer) = self.0.take() {
            writer.forget();
        }
    }
}
