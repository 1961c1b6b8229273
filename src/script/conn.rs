//! The sockets a script is played over, behind one small trait: a
//! connected TCP stream (a client's, or one a server accepted) and a UDP
//! socket (a client's, or a server's, answering whoever sent last).

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Instant;

use socket2::{SockAddr, SockRef, Socket};

use super::Transport;

/// What one receive gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Came {
    /// Stream bytes, at the start of the buffer.
    Bytes(usize),
    /// One datagram: `kept` bytes in the buffer, `arrived` on the wire
    /// (more when the buffer cut it), from `from`.
    Datagram { kept: usize, arrived: usize, from: SocketAddr },
    /// The peer closed its sending side: recv returned 0.
    Eof,
    /// Nothing came before the deadline.
    Nothing,
}

/// What the executor needs of a socket: synchronous calls, each bounded
/// by a deadline. A server runs one per accepted connection, on a
/// blocking thread of its own.
pub trait Conn {
    fn transport(&self) -> Transport;
    /// Where sends go: the peer of a stream; for datagrams, the sender of
    /// the last one received (or the client's target before any came).
    fn peer(&self) -> Option<SocketAddr>;
    /// Sends all of `bytes` (a stream) or one datagram.
    fn send(&mut self, bytes: &[u8], deadline: Instant) -> io::Result<()>;
    /// Receives what comes next into `buf`, waiting until `deadline`.
    fn recv(&mut self, buf: &mut [u8], deadline: Instant) -> io::Result<Came>;
    /// shutdown(SHUT_WR): the peer reads EOF.
    fn shutdown(&mut self) -> io::Result<()>;
    /// close().
    fn close(&mut self) -> io::Result<()>;
    /// SO_LINGER 0, then close(): the peer gets an RST.
    fn reset(&mut self) -> io::Result<()>;
    /// After a send: the socket's local address, when that send gave it
    /// one (a UDP socket gets its port at its first sendto()).
    fn new_local(&mut self) -> Option<SocketAddr> {
        None
    }
    /// A `sleep` step: waits `how_long`, unless the run is stopped first.
    fn pause(&mut self, how_long: std::time::Duration) -> io::Result<()> {
        std::thread::sleep(how_long);
        Ok(())
    }
}

/// Time left until `deadline`, never zero (a zero socket timeout means
/// "wait forever"); None once it has passed.
fn left(deadline: Instant) -> Option<std::time::Duration> {
    deadline.checked_duration_since(Instant::now()).filter(|d| !d.is_zero())
}

/// A connected TCP stream.
pub struct TcpConn {
    stream: Option<TcpStream>,
    peer: SocketAddr,
}

impl TcpConn {
    pub fn new(stream: TcpStream, peer: SocketAddr) -> TcpConn {
        TcpConn { stream: Some(stream), peer }
    }

    /// The stream, while it is open (the runner reads TCP_INFO from it).
    pub(crate) fn stream(&self) -> Option<&TcpStream> {
        self.stream.as_ref()
    }

    fn open(&self) -> io::Result<&TcpStream> {
        self.stream.as_ref().ok_or_else(|| io::Error::from(io::ErrorKind::NotConnected))
    }
}

impl Conn for TcpConn {
    fn transport(&self) -> Transport {
        Transport::Stream
    }

    fn peer(&self) -> Option<SocketAddr> {
        Some(self.peer)
    }

    fn send(&mut self, bytes: &[u8], deadline: Instant) -> io::Result<()> {
        let mut stream = self.open()?;
        let mut rest = bytes;
        while !rest.is_empty() {
            let Some(wait) = left(deadline) else { return Err(io::ErrorKind::TimedOut.into()) };
            stream.set_write_timeout(Some(wait))?;
            match stream.write(rest) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => rest = &rest[n..],
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Err(io::ErrorKind::TimedOut.into()),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn recv(&mut self, buf: &mut [u8], deadline: Instant) -> io::Result<Came> {
        let mut stream = self.open()?;
        loop {
            let Some(wait) = left(deadline) else { return Ok(Came::Nothing) };
            stream.set_read_timeout(Some(wait))?;
            return match stream.read(buf) {
                Ok(0) => Ok(Came::Eof),
                Ok(n) => Ok(Came::Bytes(n)),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
                    continue;
                }
                Err(e) => Err(e),
            };
        }
    }

    fn shutdown(&mut self) -> io::Result<()> {
        let stream = self.open()?;
        match stream.shutdown(Shutdown::Write) {
            // A connection the peer reset is no longer connected: Linux
            // says ENOTCONN, and the reset waits in SO_ERROR (no recv
            // took it). Say the reset, the peer's doing, not ENOTCONN.
            Err(e) if e.kind() == io::ErrorKind::NotConnected => Err(stream.take_error()?.unwrap_or(e)),
            done => done,
        }
    }

    fn close(&mut self) -> io::Result<()> {
        self.stream.take();
        Ok(())
    }

    fn reset(&mut self) -> io::Result<()> {
        if let Some(stream) = self.stream.take() {
            SockRef::from(&stream).set_linger(Some(std::time::Duration::ZERO))?;
        }
        Ok(())
    }
}

/// A UDP socket: one `>` is one datagram, one `<` exactly one datagram,
/// and a reply goes to the sender of the last datagram received.
pub struct UdpConn {
    socket: Option<Socket>,
    peer: Option<SocketAddr>,
    /// A connected socket: send() and recv(), and only that peer.
    connected: bool,
    /// The local port is not known yet: it comes with the first sendto().
    unbound: bool,
}

impl UdpConn {
    /// A client's socket, sending to `peer` first. `bound` when it has its
    /// address already (bound, or connected).
    pub fn client(socket: Socket, peer: SocketAddr, connected: bool, bound: bool) -> UdpConn {
        UdpConn { socket: Some(socket), peer: Some(peer), connected, unbound: !bound && !connected }
    }

    /// A server's bound socket: it answers whoever sent last.
    pub fn server(socket: Socket) -> UdpConn {
        UdpConn { socket: Some(socket), peer: None, connected: false, unbound: false }
    }

    fn open(&self) -> io::Result<&Socket> {
        self.socket.as_ref().ok_or_else(|| io::Error::from(io::ErrorKind::NotConnected))
    }
}

impl Conn for UdpConn {
    fn transport(&self) -> Transport {
        Transport::Datagram
    }

    fn peer(&self) -> Option<SocketAddr> {
        self.peer
    }

    fn send(&mut self, bytes: &[u8], _deadline: Instant) -> io::Result<()> {
        let socket = self.open()?;
        let peer = self.peer.ok_or_else(|| io::Error::from(io::ErrorKind::NotConnected))?;
        let sent = if self.connected {
            socket.send(bytes)?
        } else {
            socket.send_to(bytes, &SockAddr::from(peer))?
        };
        match sent == bytes.len() {
            true => Ok(()),
            false => Err(io::ErrorKind::WriteZero.into()),
        }
    }

    fn recv(&mut self, buf: &mut [u8], deadline: Instant) -> io::Result<Came> {
        let socket = self.open()?;
        loop {
            let Some(wait) = left(deadline) else { return Ok(Came::Nothing) };
            crate::sys::timeout::set_read(socket, wait)?;
            return match crate::sys::datagram::recv(socket, buf) {
                Ok(got) => {
                    self.peer = Some(got.from);
                    Ok(Came::Datagram { kept: got.kept, arrived: got.arrived, from: got.from })
                }
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut | io::ErrorKind::Interrupted
                    ) =>
                {
                    continue;
                }
                Err(e) => Err(e),
            };
        }
    }

    fn shutdown(&mut self) -> io::Result<()> {
        Err(io::ErrorKind::Unsupported.into())
    }

    fn close(&mut self) -> io::Result<()> {
        self.socket.take();
        Ok(())
    }

    fn reset(&mut self) -> io::Result<()> {
        self.close()
    }

    fn new_local(&mut self) -> Option<SocketAddr> {
        if !std::mem::replace(&mut self.unbound, false) {
            return None;
        }
        self.socket.as_ref()?.local_addr().ok()?.as_socket()
    }
}

/// A socket a server's stop can end between two calls: a receive waits in
/// slices of [`Stoppable::SLICE`] and gives up, like every other call, with
/// an error once `stopped()` says so (no step is said to fail for it: the
/// run ends with that error, and the server knows why).
pub(crate) struct Stoppable<C, F> {
    pub(crate) inner: C,
    stopped: F,
}

impl<C: Conn, F: Fn() -> bool> Stoppable<C, F> {
    pub(crate) const SLICE: std::time::Duration = std::time::Duration::from_millis(200);

    pub(crate) fn new(inner: C, stopped: F) -> Stoppable<C, F> {
        Stoppable { inner, stopped }
    }

    fn check(&self) -> io::Result<()> {
        match (self.stopped)() {
            true => Err(io::Error::other("the server is stopping")),
            false => Ok(()),
        }
    }
}

impl<C: Conn, F: Fn() -> bool> Conn for Stoppable<C, F> {
    fn transport(&self) -> Transport {
        self.inner.transport()
    }

    fn peer(&self) -> Option<SocketAddr> {
        self.inner.peer()
    }

    fn send(&mut self, bytes: &[u8], deadline: Instant) -> io::Result<()> {
        self.check()?;
        self.inner.send(bytes, deadline)
    }

    fn recv(&mut self, buf: &mut [u8], deadline: Instant) -> io::Result<Came> {
        loop {
            self.check()?;
            let slice = deadline.min(Instant::now() + Self::SLICE);
            let came = self.inner.recv(buf, slice)?;
            self.check()?;
            match came {
                Came::Nothing if Instant::now() < deadline => continue,
                came => return Ok(came),
            }
        }
    }

    fn shutdown(&mut self) -> io::Result<()> {
        self.check()?;
        self.inner.shutdown()
    }

    fn close(&mut self) -> io::Result<()> {
        self.inner.close()
    }

    fn reset(&mut self) -> io::Result<()> {
        self.inner.reset()
    }

    fn new_local(&mut self) -> Option<SocketAddr> {
        self.inner.new_local()
    }

    /// Sleeps in slices, so a stop during a long `sleep` step (1m) ends
    /// the run at once instead of at the sleep's end.
    fn pause(&mut self, how_long: std::time::Duration) -> io::Result<()> {
        let until = Instant::now() + how_long;
        loop {
            self.check()?;
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(());
            }
            std::thread::sleep(left.min(Self::SLICE));
        }
    }
}
