//! `tcp serve --script`: the script's steps with each client, on a
//! blocking thread of its own.

use super::*;

/// `--script`: the steps with this client, on a blocking thread of its own
/// (the engine's calls block, each bounded by its step's deadline). How the
/// connection ended and the script's verdict (None when the server's stop
/// cut it: that is no verdict on the client); None when output is gone.
#[allow(clippy::too_many_arguments)]
pub(super) async fn serve_script(
    server: &Arc<Server>,
    stream: TcpStream,
    conn: u64,
    peer: SocketAddr,
    start: Instant,
    cut: &Cut,
    totals: &Arc<Totals>,
    script: Arc<crate::script::Script>,
) -> Option<(Option<(Msg, anyhow::Error)>, Option<ScriptEnd>)> {
    use crate::script::{Failed, Settings, Stoppable, TcpConn};
    let socket = match stream.into_std().and_then(|s| s.set_nonblocking(false).map(|()| s)) {
        Ok(socket) => socket,
        Err(e) => return Some((Some(failed(Op::Recv, peer, e)), None)),
    };
    let kick = match socket.try_clone() {
        Ok(kick) => kick,
        Err(e) => return Some((Some(failed(Op::Recv, peer, e)), None)),
    };
    let stopped = Arc::new(AtomicBool::new(false));
    let mut session = {
        let (server, totals, stopped) = (server.clone(), totals.clone(), stopped.clone());
        tokio::task::spawn_blocking(move || {
            let settings = Settings {
                conn: Some(conn),
                timeout: server.config.answer.script().map_or(crate::script::DEFAULT_TIMEOUT, |(_, t)| t),
                recv_size: server.config.recv_size,
                start,
            };
            let mut conn = Stoppable::new(TcpConn::new(socket, peer), || stopped.load(Ordering::SeqCst));
            let played = crate::script::play(&script, &mut conn, &server.report, &settings);
            if let Some(stream) = conn.inner.stream() {
                totals.tcp_info.read(stream);
            }
            played
        })
    };
    let played = tokio::select! {
        played = &mut session => played,
        _ = cut.notified() => {
            // The step under way ends at once (Stoppable), and no other begins.
            stopped.store(true, Ordering::SeqCst);
            let _ = kick.shutdown(std::net::Shutdown::Read);
            session.await
        }
    };
    drop(kick);
    let played = played.unwrap_or_else(|e| Err(anyhow::anyhow!("the script's thread failed: {e}")));
    let moved = match &played {
        Ok(moved) => *moved,
        Err(e) => e.downcast_ref::<Failed>().map(|f| f.played).unwrap_or_default(),
    };
    totals.bytes_in.fetch_add(moved.bytes_in, Ordering::Relaxed);
    totals.bytes_out.fetch_add(moved.bytes_out, Ordering::Relaxed);
    server.counters.bytes_in.fetch_add(moved.bytes_in, Ordering::Relaxed);
    server.counters.bytes_out.fetch_add(moved.bytes_out, Ordering::Relaxed);
    server.report.count_in(moved.bytes_in);
    server.report.count_out(moved.bytes_out);
    let file = server.config.answer.script().map(|(s, _)| s.name.clone()).unwrap_or_default();
    let verdict = |exit_code: crate::model::Code, line: Option<u32>| ScriptEnd {
        conn: Some(conn),
        run: None,
        file: file.clone(),
        exit_code: exit_code as u8,
        line,
    };
    Some(match played {
        Ok(_) => {
            server.counters.scripts_passed.fetch_add(1, Ordering::Relaxed);
            (None, Some(verdict(crate::model::Code::Ok, None)))
        }
        Err(e) if e.is::<OutputError>() => return None,
        Err(_) if stopped.load(Ordering::SeqCst) => {
            let reason = cut.reason().unwrap_or_else(|| msg!("reason-server-stopping"));
            (Some((reason, anyhow::Error::msg(msg!("reason-server-stopping")))), None)
        }
        Err(e) => {
            server.counters.scripts_failed.fetch_add(1, Ordering::Relaxed);
            let code = crate::script::verdict(&e);
            let line = e.downcast_ref::<Failed>().map(|f| f.line);
            let reason = match line {
                Some(line) => msg!("closed-script-failed", line = line),
                None => match e.downcast_ref::<NetError>() {
                    Some(net) => net.message(),
                    None => Msg::text(e.to_string()),
                },
            };
            (Some((reason, e)), Some(verdict(code, line)))
        }
    })
}
