//! TCP, the connected mode: `tcp serve` and `tcp connect`.

pub mod connect;
pub mod cut;
pub mod direct;
pub mod hub;
pub mod outbox;
pub mod plan;
pub mod serve;

/// When a TCP end half-closes (shutdown(SHUT_WR), a FIN) after its input
/// ends: the peer then reads EOF and knows the request, or the upload, is
/// whole. nc and ncat differ here, and a peer that stops sending when it
/// reads EOF (`nc -N -l`, `ncat --send-only`, socat) loses the rest of its
/// download to a FIN sent too early: README's "Half-close" measures each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HalfClose {
    /// After an input that sent at least one byte (or that a person ended
    /// with Ctrl-D at a terminal); an empty input (/dev/null, an empty
    /// file) sends no FIN, and the connection ends when the peer closes.
    /// Ends an upload, never cuts a download.
    #[default]
    AfterData,
    /// Whenever the input ends, even at once (OpenBSD `nc -N`).
    Always,
    /// Never before the connection closes (`ncat --no-shutdown`, nc
    /// without -N).
    Never,
}

impl HalfClose {
    /// Whether to half-close once the input has ended, having sent `sent`
    /// bytes of it.
    pub fn after(self, sent: u64) -> bool {
        match self {
            HalfClose::AfterData => sent > 0,
            HalfClose::Always => true,
            HalfClose::Never => false,
        }
    }
}
