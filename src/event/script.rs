//! What a script step did, as plain data: the `script` event, one per step
//! played, and `script_end`, the last event of a scripted run.

use serde::Serialize;

use super::HexText;
use crate::i18n::Msg;

/// Which step, as docs/scripts.md names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum StepKind {
    Send,
    SendStruct,
    Expect,
    ExpectRegex,
    ExpectBytes,
    ExpectStruct,
    ExpectEof,
    Shutdown,
    Close,
    Reset,
    Sleep,
    Repeat,
}

/// How a step ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Done as written.
    Passed,
    /// Other bytes came (or a datagram of another length).
    Mismatch,
    /// The peer closed its side before what was expected came.
    Eof,
    /// Nothing decided the step within its timeout.
    Timeout,
    /// The peer reset the connection.
    Reset,
    /// The step could not be done (a value out of range for its format,
    /// a length over the limit).
    Error,
}

/// One variable a step bound, shown as Python shows its value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Binding {
    pub name: String,
    pub value: String,
}

/// One step of a script, played.
#[derive(Debug, Clone, Serialize)]
pub struct ScriptStep {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) conn: Option<u64>,
    /// The line of the step in the script, from 1.
    pub line: u32,
    pub(crate) step: StepKind,
    /// The line as written.
    pub(crate) text: String,
    pub outcome: Outcome,
    /// In a `repeat` block: which pass, from 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) pass: Option<u64>,
    /// The bytes sent, or taken by an expect; on a failure, what came.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "hex_opt")]
    pub(crate) bytes: Option<Vec<u8>>,
    /// The bytes an exact expect waited for, variables filled in.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "hex_opt")]
    pub expected: Option<Vec<u8>>,
    /// The first offset where what came differs from what was expected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<usize>,
    /// Variables the step bound.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bound: Vec<Binding>,
    /// On a failure, what happened, in a sentence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why: Option<Msg>,
}

impl ScriptStep {
    /// The step's bytes are not written out in its text (a variable, a
    /// pattern, a length, a struct): they are worth showing.
    pub(crate) fn bytes_hidden(&self) -> bool {
        !matches!(self.step, StepKind::Expect | StepKind::Send) || self.text.contains('{')
    }
}

fn hex_opt<S: serde::Serializer>(bytes: &Option<Vec<u8>>, s: S) -> Result<S::Ok, S::Error> {
    match bytes {
        Some(bytes) => HexText(bytes).serialize(s),
        None => s.serialize_none(),
    }
}

/// The end of a scripted run: the script's verdict, as the exit code says.
#[derive(Debug, Clone, Serialize)]
pub struct ScriptEnd {
    /// A server's client (tcp serve): its connection number. Absent for a
    /// client's run and for udp serve.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) conn: Option<u64>,
    /// udp serve: which run of the script, from 1 (it is played again for
    /// the next datagram).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) run: Option<u64>,
    /// The script, as the command line named it.
    pub(crate) file: String,
    /// 0: played to its end; 9: the peer did not follow it; any other: the
    /// run failed for another reason (see the README's exit codes).
    pub(crate) exit_code: u8,
    /// The line of the step that failed, if one did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) line: Option<u32>,
}

/// A server's scripts (tcp serve: one a client; udp serve: one a run),
/// counted for its summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ScriptTally {
    /// Played to their end.
    pub(crate) passed: u64,
    /// Stopped before their end: the peer did not follow, or the socket failed.
    pub(crate) failed: u64,
}
