//! Playing a script: each step in turn over a [`Conn`], every byte shown
//! as the runners show it (data and datagram events, so the hex dump has
//! them all), then one `script` event per step with its outcome. The first
//! step the peer does not follow ends the run with [`Failed`].

use std::io;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::Result;
use bytes::Bytes;

use super::conn::{Came, Conn};
use super::matcher::{self, Check, Expect, Miss, MissKind};
use super::text::{Count, Var, Vars};
use super::{Action, MAX_STEP_BYTES, Script, Step, Transport, Until};
use crate::decode::PyBytes;
use crate::event::script::{Binding, Outcome, ScriptStep};
use crate::event::{Dir, Event};
use crate::i18n::{Arg, Msg};
use crate::model::{Op, SockOpt};
use crate::msg;
use crate::net::NetError;
use crate::sink::Report;

/// How a script is played.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The connection number of a stream (`#1`); None for datagrams.
    pub conn: Option<u64>,
    /// A step's wait when the script sets none (`--timeout`, else 10 s).
    pub timeout: Duration,
    /// Bytes asked per recv call (`--recv-size`).
    pub recv_size: usize,
    /// When the connection (or socket) started: data events count from it.
    pub start: Instant,
}

/// What a script moved, played to its end or not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Played {
    pub(crate) bytes_in: u64,
    pub(crate) bytes_out: u64,
    pub datagrams_in: u64,
    pub datagrams_out: u64,
    /// A `close` or `reset` step closed the socket.
    pub closed: bool,
}

/// The peer did not follow the script: where, and what happened. Exit
/// code 9.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", self.message())]
pub struct Failed {
    pub(crate) file: String,
    pub line: u32,
    pub(crate) why: Msg,
    pub(crate) played: Played,
}

impl Failed {
    pub(crate) fn message(&self) -> Msg {
        msg!("script-failed", place = super::place(&self.file, self.line), why = self.why.clone())
    }
}

/// Plays `script` over `conn`, reporting through `report`.
pub fn play(script: &Script, conn: &mut dyn Conn, report: &Report, settings: &Settings) -> Result<Played> {
    let mut player = Player {
        script,
        conn,
        report,
        settings,
        vars: Vars::new(),
        pending: Vec::new(),
        eof: false,
        buf: vec![0; settings.recv_size.max(1)],
        played: Played::default(),
        chunks_in: 0,
        chunks_out: 0,
        pass: None,
    };
    player.steps(&script.steps)?;
    Ok(player.played)
}

struct Player<'a> {
    script: &'a Script,
    conn: &'a mut dyn Conn,
    report: &'a Report,
    settings: &'a Settings,
    vars: Vars,
    /// Stream bytes received and not yet taken by a step.
    pending: Vec<u8>,
    /// The peer's EOF came (after `pending`).
    eof: bool,
    buf: Vec<u8>,
    played: Played,
    chunks_in: u64,
    chunks_out: u64,
    /// The pass of the innermost `repeat`.
    pass: Option<u64>,
}

/// A step's outcome before it becomes an event.
struct Done {
    outcome: Outcome,
    bytes: Option<Vec<u8>>,
    expected: Option<Vec<u8>>,
    offset: Option<usize>,
    bound: Vec<(String, Var)>,
    why: Option<Msg>,
}

impl Done {
    fn passed(bytes: Option<Vec<u8>>) -> Done {
        Done { outcome: Outcome::Passed, bytes, expected: None, offset: None, bound: Vec::new(), why: None }
    }

    fn failed(outcome: Outcome, why: Msg) -> Done {
        Done { outcome, bytes: None, expected: None, offset: None, bound: Vec::new(), why: Some(why) }
    }
}

/// "b'Bonjour' (7 bytes)", long ones cut, in the course's notation.
fn shown(bytes: &[u8]) -> Msg {
    const MOST: usize = 64;
    let repr = match bytes.len() > MOST {
        true => format!("{}…", PyBytes(&bytes[..MOST])),
        false => PyBytes(bytes).to_string(),
    };
    msg!("script-bytes-shown", repr = repr, n = bytes.len())
}

impl Player<'_> {
    fn steps(&mut self, steps: &[Step]) -> Result<()> {
        for step in steps {
            self.report.check()?;
            let done = self.step(step)?;
            let failed = done.outcome != Outcome::Passed;
            let why = done.why.clone();
            self.tell(step, done)?;
            if failed {
                let why = why.unwrap_or_else(|| msg!("script-why-unknown"));
                return Err(Failed {
                    file: self.script.name.clone(),
                    line: step.line,
                    why,
                    played: self.played,
                }
                .into());
            }
        }
        Ok(())
    }

    fn tell(&mut self, step: &Step, done: Done) -> Result<()> {
        let bound = done
            .bound
            .iter()
            .map(|(name, value)| Binding { name: name.clone(), value: value.to_string() })
            .collect();
        let event = ScriptStep {
            conn: self.settings.conn,
            line: step.line,
            step: step.action.kind(),
            text: step.source.clone(),
            outcome: done.outcome,
            pass: self.pass,
            bytes: done.bytes,
            expected: done.expected,
            offset: done.offset,
            bound,
            why: done.why,
        };
        Ok(self.report.emit(Event::Script(event))?)
    }

    fn timeout(&self, step: &Step) -> Duration {
        step.timeout.unwrap_or(self.settings.timeout)
    }

    fn step(&mut self, step: &Step) -> Result<Done> {
        let deadline = Instant::now() + self.timeout(step);
        match &step.action {
            Action::Send(text) => {
                let bytes = text.bytes(&self.vars);
                self.send(bytes, deadline, step)
            }
            Action::SendStruct { format, values } => {
                let values: Option<Vec<_>> = values.iter().map(|v| v.value(&self.vars)).collect();
                match format.pack(&values.unwrap_or_default()) {
                    Ok(bytes) => self.send(bytes, deadline, step),
                    Err(e) => Ok(Done::failed(Outcome::Error, e.message())),
                }
            }
            Action::Expect(text) => self.expect(step, Expect::Exact(text.bytes(&self.vars)), deadline, &[]),
            Action::ExpectRegex(pattern) => self.expect(step, Expect::Regex(pattern), deadline, &[]),
            Action::ExpectBytes { count, bind } => {
                let n = match count {
                    Count::Fixed(n) => *n as i128,
                    Count::Var(name) => match self.vars.get(name) {
                        Some(Var::Int(n)) => *n,
                        Some(Var::Bool(b)) => i128::from(*b),
                        _ => 0,
                    },
                };
                let name = match count {
                    Count::Var(name) => name.clone(),
                    Count::Fixed(_) => n.to_string(),
                };
                let n = match usize::try_from(n).ok().filter(|&n| n <= MAX_STEP_BYTES) {
                    Some(n) => n,
                    None => {
                        let why = msg!(
                            "script-why-count",
                            name = name,
                            n = n.to_string(),
                            max = Arg::bytes(MAX_STEP_BYTES)
                        );
                        return Ok(Done::failed(Outcome::Error, why));
                    }
                };
                let names: Vec<String> = bind.iter().cloned().collect();
                self.expect(step, Expect::Bytes(n), deadline, &names)
            }
            Action::ExpectStruct { format, names } => {
                self.expect(step, Expect::Struct(format), deadline, names)
            }
            Action::ExpectEof => self.expect(step, Expect::Eof, deadline, &[]),
            Action::Shutdown => {
                let cause = self.report.cause(0)?;
                match self.conn.shutdown() {
                    Ok(()) => {}
                    Err(e) => return self.socket_trouble(step, e, Op::Shutdown),
                }
                if let Some(conn) = self.settings.conn {
                    cause.emit(Event::Shutdown { conn })?;
                }
                Ok(Done::passed(None))
            }
            Action::Close => {
                self.conn.close().map_err(|e| self.net_error(Op::Close, e))?;
                self.played.closed = true;
                Ok(Done::passed(None))
            }
            Action::Reset => {
                self.conn.reset().map_err(|e| self.net_error(Op::SetOption(SockOpt::Linger), e))?;
                self.played.closed = true;
                Ok(Done::passed(None))
            }
            Action::Sleep(d) => {
                self.conn.pause(*d).map_err(|e| self.net_error(Op::Recv, e))?;
                Ok(Done::passed(None))
            }
            Action::Repeat { until, body } => self.repeat(step, *until, body),
        }
    }

    fn net_error(&self, op: Op, e: io::Error) -> anyhow::Error {
        let addr = self.conn.peer().unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0)));
        NetError::socket(op, addr, e).into()
    }

    /// A reset or a broken pipe is the peer's doing, told at the step; any
    /// other socket error ends the run as it would without a script.
    fn socket_trouble(&mut self, step: &Step, e: io::Error, op: Op) -> Result<Done> {
        use io::ErrorKind::*;
        match e.kind() {
            ConnectionReset | ConnectionAborted | BrokenPipe
                if self.conn.transport() == Transport::Stream =>
            {
                let why = msg!("script-why-reset", error = crate::net::describe_msg(&e));
                Ok(Done::failed(Outcome::Reset, why))
            }
            TimedOut | WouldBlock => {
                let why = msg!("script-why-send-timeout", timeout = Arg::duration(self.timeout(step)));
                Ok(Done::failed(Outcome::Timeout, why))
            }
            _ => Err(self.net_error(op, e)),
        }
    }

    fn send(&mut self, bytes: Vec<u8>, deadline: Instant, step: &Step) -> Result<Done> {
        let Some(peer) = self.conn.peer() else {
            return Ok(Done::failed(Outcome::Error, msg!("script-why-no-peer")));
        };
        let stream = self.conn.transport() == Transport::Stream;
        let news = (!stream).then(|| self.report.cause(0)).transpose()?;
        let cause = self.report.cause(bytes.len())?;
        if let Err(e) = self.conn.send(&bytes, deadline) {
            let op = match stream {
                true => Op::Send,
                false => Op::SendTo,
            };
            return self.socket_trouble(step, e, op);
        }
        if let (Some(news), Some(local)) = (news, self.conn.new_local()) {
            news.emit(Event::SendingFrom { local, peer, connected: false, ephemeral: true })?;
        }
        let elapsed = self.settings.start.elapsed();
        let payload = Bytes::from(bytes.clone());
        let event = match self.settings.conn {
            Some(conn) if stream => {
                self.chunks_out += 1;
                Event::data(conn, Dir::Out, self.chunks_out, payload, self.played.bytes_out, elapsed)
            }
            _ => Event::datagram(Dir::Out, peer, self.played.datagrams_out + 1, payload, None, elapsed),
        };
        self.played.bytes_out += bytes.len() as u64;
        self.played.datagrams_out += u64::from(!stream);
        cause.emit(event)?;
        Ok(Done::passed(Some(bytes)))
    }

    /// Receives once, showing what came; the peer's reset and the like
    /// come back as a [`Done`] for the step.
    fn receive(&mut self, deadline: Instant) -> Result<Result<Came, io::Error>> {
        let came = match self.conn.recv(&mut self.buf, deadline) {
            Ok(came) => came,
            Err(e) => return Ok(Err(e)),
        };
        let elapsed = self.settings.start.elapsed();
        match came {
            Came::Bytes(n) => {
                let bytes = Bytes::copy_from_slice(&self.buf[..n]);
                self.chunks_in += 1;
                let conn = self.settings.conn.unwrap_or(0);
                self.report.emit(Event::data(
                    conn,
                    Dir::In,
                    self.chunks_in,
                    bytes,
                    self.played.bytes_in,
                    elapsed,
                ))?;
                self.played.bytes_in += n as u64;
                self.pending.extend_from_slice(&self.buf[..n]);
            }
            Came::Datagram { kept, arrived, from } => {
                let bytes = Bytes::copy_from_slice(&self.buf[..kept]);
                self.played.datagrams_in += 1;
                self.played.bytes_in += kept as u64;
                let seq = self.played.datagrams_in;
                self.report.emit(Event::datagram(Dir::In, from, seq, bytes, Some(arrived), elapsed))?;
            }
            Came::Eof => {
                self.eof = true;
                if let Some(conn) = self.settings.conn {
                    self.report.emit(Event::Eof { conn })?;
                }
            }
            Came::Nothing => {}
        }
        Ok(Ok(came))
    }

    fn expect(
        &mut self,
        step: &Step,
        expect: Expect<'_>,
        deadline: Instant,
        names: &[String],
    ) -> Result<Done> {
        let mut state = matcher::State::default();
        loop {
            let check = match self.conn.transport() {
                Transport::Stream => matcher::check_stream(&expect, &mut state, &self.pending, self.eof),
                // A datagram step decides on the next datagram alone.
                Transport::Datagram => Check::More,
            };
            match check {
                Check::Pass { used, bound } => return Ok(self.take(used, bound, names)),
                Check::Fail(miss) => {
                    let came = self.pending.clone();
                    return Ok(self.miss(step, &expect, miss, came));
                }
                Check::More => {}
            }
            if self.pending.len() > MAX_STEP_BYTES {
                let why = msg!("script-why-too-much", max = Arg::bytes(MAX_STEP_BYTES));
                return Ok(Done::failed(Outcome::Error, why));
            }
            let came = match self.receive(deadline)? {
                Ok(came) => came,
                Err(e) if self.conn.transport() == Transport::Stream => {
                    let mut done = self.socket_trouble(step, e, Op::Recv)?;
                    done.bytes = Some(self.pending.clone());
                    return Ok(done);
                }
                Err(e) => {
                    let op = Op::RecvFromSending;
                    return Err(self.net_error(op, e));
                }
            };
            match came {
                Came::Datagram { kept, .. } => {
                    let datagram = self.buf[..kept].to_vec();
                    return Ok(match matcher::check_datagram(&expect, &datagram) {
                        Check::Pass { bound, .. } => {
                            let mut done = Done::passed(Some(datagram));
                            done.bound = name_values(bound, names);
                            self.bind(&done.bound);
                            done
                        }
                        Check::Fail(miss) => self.miss(step, &expect, miss, datagram),
                        Check::More => Done::passed(Some(datagram)),
                    });
                }
                Came::Nothing => {
                    let miss = matcher::timed_out(&expect, &state, &self.pending);
                    let came = self.pending.clone();
                    return Ok(self.miss(step, &expect, miss, came));
                }
                Came::Bytes(_) | Came::Eof => {}
            }
        }
    }

    /// The step passed, taking the first `used` pending bytes.
    fn take(&mut self, used: usize, bound: Vec<(String, Var)>, names: &[String]) -> Done {
        let taken: Vec<u8> = self.pending.drain(..used).collect();
        let mut done = Done::passed(Some(taken));
        done.bound = name_values(bound, names);
        self.bind(&done.bound);
        done
    }

    fn bind(&mut self, bound: &[(String, Var)]) {
        for (name, value) in bound {
            self.vars.insert(name.clone(), value.clone());
        }
    }

    fn miss(&self, step: &Step, expect: &Expect<'_>, miss: Miss, came: Vec<u8>) -> Done {
        let expected = match expect {
            Expect::Exact(bytes) => shown(bytes),
            Expect::Regex(p) => msg!("script-expected-regex", pattern = p.text.as_str()),
            Expect::Bytes(n) => msg!("script-expected-bytes", n = *n),
            Expect::Struct(f) => msg!("script-expected-struct", format = f.to_string(), n = f.size()),
            Expect::Eof => msg!("script-expected-eof"),
        };
        let got = shown(&came);
        let offset = miss.offset.unwrap_or(0);
        let timeout = Arg::duration(self.timeout(step));
        let (outcome, why) = match miss.kind {
            MissKind::Differs => (
                Outcome::Mismatch,
                match expect {
                    Expect::Regex(_) => {
                        msg!("script-why-nomatch", expected = expected, came = got, offset = offset)
                    }
                    _ if miss.offset.is_none() => msg!("script-why-other", expected = expected, came = got),
                    _ => msg!("script-why-differs", expected = expected, came = got, offset = offset),
                },
            ),
            MissKind::Length => {
                (Outcome::Mismatch, msg!("script-why-length", expected = expected, came = got))
            }
            MissKind::Eof => (Outcome::Eof, msg!("script-why-eof", expected = expected, came = got)),
            MissKind::Timeout => (
                Outcome::Timeout,
                msg!("script-why-timeout", expected = expected, came = got, timeout = timeout),
            ),
            MissKind::OpenEnded => (
                Outcome::Timeout,
                msg!("script-why-open", expected = expected, came = got, timeout = timeout),
            ),
        };
        let mut done = Done::failed(outcome, why);
        done.expected = match expect {
            Expect::Exact(bytes) => Some(bytes.clone()),
            _ => None,
        };
        done.offset = miss.offset.filter(|_| matches!(miss.kind, MissKind::Differs | MissKind::Length));
        done.bytes = Some(came);
        done
    }

    fn repeat(&mut self, step: &Step, until: Until, body: &[Step]) -> Result<Done> {
        let outer = self.pass;
        let mut pass = 0u64;
        let result = loop {
            if let Until::Times(n) = until
                && pass >= n
            {
                break Ok(Done::passed(None));
            }
            if until == Until::Eof {
                // A pass begins when bytes come; the loop ends at the EOF.
                let deadline = Instant::now() + self.timeout(step);
                while self.pending.is_empty() && !self.eof {
                    match self.receive(deadline)? {
                        Ok(Came::Nothing) => {
                            let why =
                                msg!("script-why-loop-silent", timeout = Arg::duration(self.timeout(step)));
                            self.pass = outer;
                            return Ok(Done::failed(Outcome::Timeout, why));
                        }
                        Ok(_) => {}
                        Err(e) => {
                            self.pass = outer;
                            return self.socket_trouble(step, e, Op::Recv);
                        }
                    }
                }
                if self.pending.is_empty() && self.eof {
                    break Ok(Done::passed(None));
                }
            }
            pass += 1;
            self.pass = Some(pass);
            let before = self.played.bytes_in as usize - self.pending.len();
            self.steps(body)?;
            let after = self.played.bytes_in as usize - self.pending.len();
            if until == Until::Eof && after == before {
                break Ok(Done::failed(Outcome::Error, msg!("script-why-loop-stuck")));
            }
        };
        self.pass = outer;
        result.map(|mut done: Done| {
            done.bound = vec![(String::from("passes"), Var::Int(i128::from(pass)))];
            done
        })
    }
}

/// Values a step found, under the names the script gave them: a regex's
/// groups are named already; `as a, b` names the others in order.
fn name_values(bound: Vec<(String, Var)>, names: &[String]) -> Vec<(String, Var)> {
    if bound.iter().all(|(name, _)| !name.is_empty()) {
        return bound;
    }
    names.iter().cloned().zip(bound.into_iter().map(|(_, v)| v)).collect()
}
