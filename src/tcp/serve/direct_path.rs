//! The glue to tcp::direct (`--once --raw`): the client's bytes go between
//! the socket and stdin/stdout on blocking threads, not through the event
//! loop.

use super::*;

/// The direct path (`--once --raw`, see tcp::direct): the client's bytes go
/// between the socket and stdin/stdout on blocking threads, in the kernel
/// where it can move them, not through this event loop. How it failed, if
/// it did; None when output is gone and nothing more is to be said.
pub(super) async fn serve_direct(
    server: &Arc<Server>,
    stream: TcpStream,
    conn: u64,
    peer: SocketAddr,
    cut: &Cut,
    totals: &Arc<Totals>,
) -> Option<Option<(Msg, anyhow::Error)>> {
    let socket = match stream.into_std() {
        Ok(socket) => socket,
        Err(e) => return Some(Some(failed(Op::Recv, peer, e))),
    };
    let kick = match direct::Kick::new() {
        Ok(kick) => kick,
        Err(e) => return Some(Some(failed(Op::Recv, peer, e))),
    };
    let session = {
        let (server, kick, totals) = (server.clone(), kick.clone(), totals.clone());
        let limits = direct::Limits {
            stall: server.config.stall_timeout,
            idle: server.config.idle_timeout,
            recv_size: server.config.recv_size,
            half_close: server.config.half_close,
        };
        tokio::task::spawn_blocking(move || {
            let (sender, sent_totals) = (server.clone(), totals.clone());
            let received = |n: usize, socket: &std::net::TcpStream| {
                totals.bytes_in.fetch_add(n as u64, Ordering::Relaxed);
                server.counters.bytes_in.fetch_add(n as u64, Ordering::Relaxed);
                server.report.count_in(n as u64);
                totals.tcp_info.read_after_data(socket);
            };
            let sent = move |n: usize, socket: &std::net::TcpStream| {
                sent_totals.bytes_out.fetch_add(n as u64, Ordering::Relaxed);
                sender.counters.bytes_out.fetch_add(n as u64, Ordering::Relaxed);
                sender.report.count_out(n as u64);
                sent_totals.tcp_info.read_after_data(socket);
            };
            let last = |socket: &std::net::TcpStream| totals.tcp_info.read(socket);
            direct::serve(
                socket,
                &kick,
                limits,
                &server.report,
                conn,
                direct::Counts { received, sent, last },
            )
        })
    };
    let mut session = session;
    let ended = tokio::select! {
        ended = &mut session => ended,
        _ = cut.notified() => {
            // Both directions stop between two calls, and say so: the
            // counts are final once they have.
            kick.kick();
            session.await
        }
    };
    let direct::Ended { served, cut: aborted, input_cut } =
        ended.unwrap_or(direct::Ended { served: Served::Kicked, cut: Default::default(), input_cut: None });
    if let Some(input_cut) = input_cut {
        server.cut_input(input_cut);
    }
    if uncount(server, conn, totals, aborted).await.is_err() {
        return None;
    }
    failure(server, peer, cut, served)
}

/// How the direct path's end fails the connection: the reason `closed`
/// shows and the error --once ends with; None inside when it did not fail,
/// and None when output is gone and nothing more is to be said.
fn failure(
    server: &Server,
    peer: SocketAddr,
    cut: &Cut,
    served: Served,
) -> Option<Option<(Msg, anyhow::Error)>> {
    Some(match served {
        Served::Done => None,
        Served::RecvFailed(e) => Some(failed(Op::Recv, peer, e)),
        Served::SendFailed(e) => Some(failed(Op::Send, peer, e)),
        Served::Idle(after) => Some(idle(server, peer, after)),
        Served::Stalled { waiting } => {
            server.counters.stalls.fetch_add(1, Ordering::Relaxed);
            let reason = msg!(
                "reason-stalled",
                after = Arg::duration(server.config.stall_timeout),
                waiting = Arg::bytes(waiting),
            );
            Some(stalled(reason, peer))
        }
        Served::Kicked => {
            let reason = cut.reason().unwrap_or_else(|| msg!("reason-closed-by-server"));
            if server.stopping.load(Ordering::SeqCst) {
                Some((reason, anyhow::Error::msg(msg!("reason-server-stopping"))))
            } else {
                Some(stalled(reason, peer))
            }
        }
        Served::Shrunk { size, sent } => {
            let shrunk = Shrunk { what: "stdin".into(), size, sent };
            Some((shrunk.reason(), shrunk.into()))
        }
        Served::Output(e) => {
            server.fail(OutputError(e));
            return None;
        }
    })
}
