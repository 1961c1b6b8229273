//! The server's stdin: read on a thread of its own, as lines or raw chunks,
//! and sent to every connected client (as relays in broadcast).

use super::*;

/// True when the server's stdin is a stream to deliver (a pipe or a file).
pub(super) fn stdin_stream(mode: StdinMode) -> bool {
    mode != StdinMode::Off && !io::stdin().is_terminal()
}

/// Sends the server's stdin to every connected client (as relays in
/// broadcast mode). Nothing read is lost: a pipe or file is read only while
/// a client is connected (`nc -l < file` waits for its client too), and
/// waits for room in every client's queue. A line typed at a terminal with
/// no client connected is not sent, and the person is told. The end of
/// stdin never stops the server (it is often /dev/null): it lets clients
/// that have finished sending close.
pub(super) async fn forward_stdin(server: Arc<Server>) {
    let mode = server.config.stdin;
    if mode == StdinMode::Off {
        return;
    }
    let terminal = io::stdin().is_terminal();
    let (tx, mut rx) = mpsc::channel::<Bytes>(4);
    let hub = server.clone();
    let crlf = server.config.crlf.then(crate::input::Crlf::default);
    let spawned = std::thread::Builder::new()
        .name("stdin".into())
        .spawn(move || read_stdin(mode, terminal, crlf, &hub, tx));
    if spawned.is_err() {
        server.stdin_ended.store(true, Ordering::SeqCst);
        server.stdin_over();
        let message = msg!("notice-stdin-no-thread");
        let _ = server.emit(Event::Notice { conn: None, message }).await;
        return;
    }
    if terminal {
        let message = msg!("notice-stdin-broadcast");
        let _ = server.emit(Event::Notice { conn: None, message }).await;
    }
    tokio::spawn(async move {
        let (mut chunk, mut offset) = (0u64, 0u64);
        while let Some(bytes) = rx.recv().await {
            if !terminal {
                // The client it was read for may have gone since: the
                // chunk waits for the next one.
                server.hub.a_client().await;
            }
            if server.hub.is_empty() {
                // Only a terminal's lines are read with nobody to take them.
                let message = msg!("notice-no-client", bytes = Arg::bytes(bytes.len()));
                if server.emit(Event::Notice { conn: None, message }).await.is_err() {
                    return;
                }
                continue;
            }
            chunk += 1;
            let len = bytes.len() as u64;
            let sent = if server.config.clients == Clients::Broadcast {
                server.relay(None, chunk, offset, server.started.elapsed(), bytes).await
            } else {
                server.forward(bytes).await
            };
            offset += len;
            if sent.is_err() {
                return;
            }
        }
        // Stdin ended: clients that finished sending may now close.
        server.stdin_ended.store(true, Ordering::SeqCst);
        if server.config.clients != Clients::Broadcast {
            server.stdin_over();
        }
    });
}

/// The stdin thread: reads chunks (Raw) or lines (Lines, at most MAX_LINE
/// bytes each) and hands them on; from a pipe or file, only while a client
/// is connected.
fn read_stdin(
    mode: StdinMode,
    terminal: bool,
    mut crlf: Option<crate::input::Crlf>,
    server: &Server,
    tx: mpsc::Sender<Bytes>,
) {
    let hub = &server.hub;
    let stdin = io::stdin();
    // Patient: a stdin a parent left non-blocking is waited for, not ended.
    let mut input = io::BufReader::new(crate::sys::ready::Patient(stdin));
    loop {
        if !terminal {
            hub.wait_for_a_client();
        }
        let mut buf = Vec::new();
        let read = match mode {
            StdinMode::Lines => (&mut input).take(MAX_LINE as u64).read_until(b'\n', &mut buf),
            StdinMode::Raw => {
                buf.resize(crate::input::SEND_CHUNK, 0);
                input.read(&mut buf).inspect(|&n| buf.truncate(n))
            }
            StdinMode::Off => return,
        };
        match read {
            Ok(0) => return,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return,
            Ok(n) => {
                server.stdin_read.fetch_add(n as u64, Ordering::SeqCst);
                let bytes = match crlf.as_mut() {
                    Some(crlf) => Bytes::from(crlf.convert(&buf).into_owned()),
                    None => Bytes::from(buf),
                };
                if tx.blocking_send(bytes).is_err() {
                    return;
                }
            }
        }
    }
}
