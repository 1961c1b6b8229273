//! The accept loop: accept() with --accept-delay and --sequential's waits,
//! the accept queue shown as it fills, --max-conns and the access rules,
//! a failed accept (the open-file limit), and closing every client when
//! the server stops.

use super::*;

pub(super) async fn serve(
    listener: std::net::TcpListener,
    config: ServeConfig,
    files: OpenFiles,
    mut signals: Option<Signals>,
    report: Report,
) -> Result<Option<&'static str>> {
    let local = listener.local_addr().context("read the listening address")?;
    let listener = TcpListener::from_std(listener).map_err(|e| NetError::socket(Op::Register, local, e))?;
    let server = shared(config, files, report);
    let waker = server.clone();
    server.report.on_output_failure(move || waker.stop.notify_one());
    if !server.direct {
        forward_stdin(server.clone()).await;
    }

    let mut connections = JoinSet::new();
    let mut next_conn = 0u64;
    let mut stopped_by = None;
    let delay = server.config.accept_delay.unwrap_or_default();
    let mut accept_at = tokio::time::Instant::now() + delay;
    let queue_watch = watch_the_accept_queue(&server, &listener);
    // Nothing in this loop waits for output: reports of rejections and
    // accept errors go from tasks of their own, so a signal is always seen.
    loop {
        let quitting = server.quitting.load(Ordering::SeqCst);
        if quitting && connections.is_empty() {
            break;
        }
        // --sequential: the next accept() waits until the current client is gone.
        let may_accept = (server.config.clients != Clients::InTurn || connections.is_empty()) && !quitting;
        tokio::select! {
            biased;
            name = Signals::next(&mut signals) => {
                stopped_by = Some(name);
                break;
            }
            _ = server.stop.notified() => break,
            _ = server.quit.notified(), if !quitting => {}
            accepted = accept_after(&listener, accept_at), if may_accept => match accepted {
                Ok((stream, peer)) => {
                    accept_at = tokio::time::Instant::now() + delay;
                    if let Some(reason) = server.refusal(&peer) {
                        let server = server.clone();
                        tokio::spawn(async move { server.reject(stream, peer, reason).await });
                        continue;
                    }
                    next_conn += 1;
                    server.live.fetch_add(1, Ordering::Relaxed);
                    server.counters.connections.fetch_add(1, Ordering::Relaxed);
                    connections.spawn(connection(server.clone(), stream, next_conn, peer));
                    if server.config.once {
                        break;
                    }
                }
                Err(e) => accept_failed(&server, &listener, local, e).await,
            },
            // Reap finished connections so the set does not grow.
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    drop(queue_watch);
    // Stop accepting: new clients are refused by the kernel from here on.
    drop(listener);
    if server.config.once && stopped_by.is_none() {
        tokio::select! {
            _ = async { while connections.join_next().await.is_some() {} } => {}
            name = Signals::next(&mut signals) => stopped_by = Some(name),
            _ = server.stop.notified() => {}
        }
    }
    if stopped_by.is_none() && server.output_gone() {
        output_gone(&server, &mut connections).await?;
    }
    if let Some(name) = stopped_by {
        server.report.stop_within(CLOSE_PATIENCE + OUTPUT_PATIENCE);
        close_all(&server, &mut connections).await;
        // A blocked output gets no more than its patience; a gone one is in
        // `fatal`.
        let _ = tokio::time::timeout(OUTPUT_PATIENCE, server.emit(server.summary(name))).await;
    }
    if let Some(err) = server.fatal.locked().take() {
        return Err(err.into());
    }
    match server.failure.locked().take() {
        Some(err) if stopped_by.is_none() => Err(err),
        _ => scripts_failed(&server).map(|()| stopped_by),
    }
}

/// The [`Server`] every task of this run shares, before any client.
fn shared(config: ServeConfig, files: OpenFiles, report: Report) -> Arc<Server> {
    let feeds = config.clients == Clients::Broadcast || config.stdin != StdinMode::Off;
    let config_stdin = config.stdin;
    let direct = direct::serves(&config);
    Arc::new(Server {
        config,
        report,
        hub: Hub::new(feeds),
        files,
        started: Instant::now(),
        counters: Counters::default(),
        live: AtomicUsize::new(0),
        stopping: AtomicBool::new(false),
        spare: Mutex::new(open_files::spare()),
        fatal: Mutex::new(None),
        failure: Mutex::new(None),
        stdin_stream: stdin_stream(config_stdin),
        stdin_ended: AtomicBool::new(false),
        stdin_read: AtomicU64::new(0),
        input_cut: Mutex::new(None),
        direct,
        stop: Notify::new(),
        quitting: AtomicBool::new(false),
        quit: Notify::new(),
        told: tokio::sync::watch::Sender::new(0),
    })
}

/// stdout's reader left: every client still being given stdin is cut,
/// after its moment to take what its socket holds (conn.rs's
/// `stdout_left`), and the run says how much it had.
async fn output_gone(server: &Server, connections: &mut JoinSet<()>) -> Result<()> {
    server.hub.cut_all(msg!("reason-closed-by-server"));
    let ended = async { while connections.join_next().await.is_some() {} };
    let _ = tokio::time::timeout(owed::DRAIN + CLOSE_PATIENCE, ended).await;
    if let Some(cut) = server.input_cut.locked().take() {
        return Err(cut.into());
    }
    Ok(())
}

/// A server stopping after clients whose script failed fails too (exit
/// code 9), whatever the others did: each one's step was shown.
pub(super) fn scripts_failed(server: &Server) -> Result<()> {
    let Some((script, _)) = server.config.answer.script() else { return Ok(()) };
    let c = &server.counters;
    let failed = c.scripts_failed.load(Ordering::Relaxed);
    if failed == 0 {
        return Ok(());
    }
    let played = failed + c.scripts_passed.load(Ordering::Relaxed);
    Err(crate::script::SomeFailed { file: script.name.clone(), failed, played, clients: true }.into())
}

/// accept(), once `at` has come.
async fn accept_after(
    listener: &TcpListener,
    at: tokio::time::Instant,
) -> io::Result<(TcpStream, SocketAddr)> {
    // Only when there is a wait: tokio's timer rounds a deadline up to its
    // next millisecond tick, so even one already passed would cost each
    // accept up to 1 ms (10,000 clients took 10 s to connect instead of 1).
    if tokio::time::Instant::now() < at {
        tokio::time::sleep_until(at).await;
    }
    listener.accept().await
}

/// With --accept-delay or --sequential, clients wait in the accept queue:
/// shows it as it fills and empties (Linux reads it through sock_diag, as
/// `ss -lt` does). The task ends when its handle is dropped.
fn watch_the_accept_queue(server: &Arc<Server>, listener: &TcpListener) -> Option<AbortOnDrop<()>> {
    if server.config.accept_delay.is_none() && server.config.clients != Clients::InTurn {
        return None;
    }
    let server = server.clone();
    let listener = match socket2::SockRef::from(listener).try_clone() {
        Ok(socket) => socket,
        Err(_) => return None,
    };
    Some(AbortOnDrop(tokio::spawn(async move {
        // What was shown: the queue's length, and after how many accepts (an
        // accept that another client replaced at once changes no length).
        let mut last = (0, 0);
        loop {
            let accepted = server.counters.connections.load(Ordering::Relaxed);
            match crate::capture::listen_queue(&listener) {
                Ok(queue) if queue.queued != last.0 || (queue.queued > 0 && accepted != last.1) => {
                    last = (queue.queued, accepted);
                    let event = Event::AcceptQueue { queued: queue.queued, backlog: queue.backlog };
                    if server.emit(event).await.is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    let message = msg!("notice-accept-queue-unseen", error = describe_msg(&e));
                    let _ = server.emit(Event::Notice { conn: None, message }).await;
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })))
}

/// Tells every client to close, and gives them a little time to report it.
async fn close_all(server: &Server, connections: &mut JoinSet<()>) {
    server.stopping.store(true, Ordering::SeqCst);
    server.hub.cut_all(msg!("reason-server-stopping"));
    let drained = async { while connections.join_next().await.is_some() {} };
    if tokio::time::timeout(CLOSE_PATIENCE, drained).await.is_err() {
        connections.shutdown().await;
    }
}

/// accept() failed: say why, and keep serving. When a limit is the cause,
/// name it and how to raise it, and close the waiting client at once rather
/// than let it hang; then pause, since the next accept would fail too.
async fn accept_failed(server: &Arc<Server>, listener: &TcpListener, local: SocketAddr, err: io::Error) {
    let Some(limit) = limits::accept_limit(&err, server.files) else {
        let message = msg!("error-accept", local = local, error = describe_msg(&err));
        let server = server.clone();
        tokio::spawn(async move { server.emit(Event::Error { conn: None, message }).await });
        return;
    };
    let spare = server.spare.locked().take();
    let waiting = match spare {
        Some(spare) => {
            drop(spare);
            tokio::time::timeout(Duration::from_millis(10), listener.accept()).await.ok().and_then(Result::ok)
        }
        None => None,
    };
    let reporter = server.clone();
    match waiting {
        Some((stream, peer)) => {
            tokio::spawn(async move { reporter.reject(stream, peer, limit).await });
        }
        None => {
            let message = msg!("error-accept", local = local, error = limit);
            tokio::spawn(async move { reporter.emit(Event::Error { conn: None, message }).await });
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    *server.spare.locked() = open_files::spare();
}
