//! Scripted conversations (`--script FILE`): a plain text file of steps,
//! one a line, that netplay plays against its peer (`> Hello` sends,
//! `< Bonjour` expects), with a verdict per step. docs/scripts.md has the
//! grammar. This module is the engine: [`parse`] reads a script before any
//! socket exists (a mistake is a usage error with file:line:column), and
//! [`play`] runs it over any connected stream or datagram socket through
//! the small [`Conn`] trait, emitting the usual data events and one
//! `script` event per step. Runners call it; it imports only plain types
//! (events, the course's notation, the struct formats, the catalogues).

mod conn;
mod exec;
mod matcher;
mod parse;
mod pattern;
mod text;

use std::time::Duration;

use crate::decode::Format;
use crate::i18n::Msg;

pub(crate) use conn::Came;
pub use conn::Conn;
pub(crate) use conn::Stoppable;
pub use conn::TcpConn;
pub use conn::UdpConn;
pub use exec::Failed;
pub use exec::Played;
pub use exec::Settings;
pub use exec::play;
pub use parse::parse;

/// Which kind of socket a script is played over: a byte stream (TCP) or
/// datagrams (UDP). Some steps exist for one only (`<eof`, `shutdown`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Stream,
    Datagram,
}

/// A parsed script: its steps, and the name it is shown by.
#[derive(Debug, Clone)]
pub struct Script {
    /// The file as the command line named it.
    pub(crate) name: String,
    pub(crate) steps: Vec<Step>,
}

/// One line that does something.
#[derive(Debug, Clone)]
pub(crate) struct Step {
    /// Line in the file, from 1.
    pub(crate) line: u32,
    /// The line as written, without its indentation.
    pub(crate) source: String,
    /// Set by the last `timeout` line before it; else the run's default.
    pub(crate) timeout: Option<Duration>,
    pub(crate) action: Action,
}

#[derive(Debug, Clone)]
pub(crate) enum Action {
    /// `> TEXT`: send these bytes (one datagram in UDP).
    Send(text::Text),
    /// `>struct FORMAT V, ...`: send `struct.pack(FORMAT, V, ...)`.
    SendStruct { format: Format, values: Vec<text::ValueExpr> },
    /// `< TEXT`: these bytes come next (UDP: this datagram comes next).
    Expect(text::Text),
    /// `<regex PATTERN`: what comes next matches, as Python's `re.match`
    /// on bytes; named groups bind variables.
    ExpectRegex(Box<pattern::Pattern>),
    /// `<bytes N [as NAME]`: N bytes, whatever they are.
    ExpectBytes { count: text::Count, bind: Option<String> },
    /// `<struct FORMAT [as A, B]`: calcsize(FORMAT) bytes, unpacked.
    ExpectStruct { format: Format, names: Vec<String> },
    /// `<eof`: the peer closes its sending side, and nothing came before.
    ExpectEof,
    /// `shutdown`: shutdown(SHUT_WR), a half-close (TCP).
    Shutdown,
    /// `close`: close(); nothing follows.
    Close,
    /// `reset`: SO_LINGER 0 and close(): the peer gets an RST (TCP).
    Reset,
    /// `sleep DURATION`.
    Sleep(Duration),
    /// `repeat until eof` / `repeat N` ... `end`.
    Repeat { until: Until, body: Vec<Step> },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Until {
    /// Until the peer's EOF, seen before a pass begins.
    Eof,
    /// This many passes.
    Times(u64),
}

/// What one step says in the events: its kind, as JSON names it.
impl Action {
    pub(crate) fn kind(&self) -> crate::event::script::StepKind {
        use crate::event::script::StepKind as K;
        match self {
            Action::Send(_) => K::Send,
            Action::SendStruct { .. } => K::SendStruct,
            Action::Expect(_) => K::Expect,
            Action::ExpectRegex(_) => K::ExpectRegex,
            Action::ExpectBytes { .. } => K::ExpectBytes,
            Action::ExpectStruct { .. } => K::ExpectStruct,
            Action::ExpectEof => K::ExpectEof,
            Action::Shutdown => K::Shutdown,
            Action::Close => K::Close,
            Action::Reset => K::Reset,
            Action::Sleep(_) => K::Sleep,
            Action::Repeat { .. } => K::Repeat,
        }
    }
}

/// The default wait of a step when neither `timeout` nor `--timeout` says:
/// expect's own default, 10 seconds.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The most bytes one step may wait for (`<bytes n` with an n from the
/// peer, a pattern that has not settled): what a struct format may
/// describe, 16 MiB.
pub(crate) const MAX_STEP_BYTES: usize = crate::decode::MAX_SIZE;

/// A server stopped after some of its scripts failed (tcp serve: a client's
/// each; udp serve: a run's each): exit code 9, as one failure is.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", self.message())]
pub(crate) struct SomeFailed {
    pub(crate) file: String,
    pub(crate) failed: u64,
    pub(crate) played: u64,
    /// Counted in clients (tcp serve), else in runs (udp serve).
    pub(crate) clients: bool,
}

impl SomeFailed {
    pub(crate) fn message(&self) -> Msg {
        let (file, failed, played) = (self.file.as_str(), self.failed, self.played);
        match self.clients {
            true => crate::msg!("script-clients-failed", file = file, failed = failed, played = played),
            false => crate::msg!("script-runs-failed", file = file, failed = failed, played = played),
        }
    }
}

/// The exit code a script run's end means, for its `script_end` event: its
/// own failure (9), the socket's (refused, reset, ...: net says which), or
/// a failure; the run's last exit is exit.rs's to decide.
pub(crate) fn verdict(err: &anyhow::Error) -> crate::model::Code {
    use crate::model::Code;
    if err.is::<Failed>() || err.is::<SomeFailed>() {
        return Code::Script;
    }
    if err.chain().any(|cause| cause.is::<crate::input::Shrunk>()) {
        return Code::InputShrank;
    }
    match err.downcast_ref::<crate::net::NetError>() {
        Some(net) => net.code(),
        None => Code::Failure,
    }
}

/// A place in the script, for messages: `file:line`.
pub(crate) fn place(name: &str, line: u32) -> Msg {
    crate::msg!("script-place", file = name, line = line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    /// The count agrees with the clients that failed, not with all of them
    /// ("1 clients sur 2 n'ont pas suivi" was said).
    #[test]
    fn some_failed_agrees_with_the_failed_count() {
        let said = |failed, played, clients, lang| {
            SomeFailed { file: "s.np".into(), failed, played, clients }
                .message()
                .render(lang)
                .replace('\u{a0}', " ")
        };
        assert_eq!(
            said(1, 2, true, Lang::Fr),
            "1 client sur 2 n'a pas suivi le script s.np (l'étape de chacun est affichée plus haut)"
        );
        assert_eq!(
            said(2, 3, true, Lang::Fr),
            "2 clients sur 3 n'ont pas suivi le script s.np (l'étape de chacun est affichée plus haut)"
        );
        assert_eq!(
            said(1, 1, false, Lang::Fr),
            "1 passage sur 1 du script s.np a échoué (l'étape de chacun est affichée plus haut)"
        );
        assert_eq!(
            said(1, 2, true, Lang::En),
            "1 of 2 clients did not follow the script s.np (each one's step is shown above)"
        );
        assert_eq!(
            said(1, 1, false, Lang::En),
            "1 of 1 run of the script s.np failed (each one's step is shown above)"
        );
    }
}
