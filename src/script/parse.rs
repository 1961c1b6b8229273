//! Reading a script: one step a line, blocks for `repeat`, then a check of
//! the whole (variables bound before use and of the right kind, steps that
//! exist for this protocol, nothing after `close`), so that every mistake
//! is told before any socket is made, with its file, line and column.

use std::collections::HashMap;
use std::time::Duration;

use super::text::{self, Bad, Count, Piece, ValueExpr, VarKind, is_name, parse_text, parse_value};
use super::{Action, Script, Step, Transport, Until, pattern::Pattern};
use crate::decode::{Format, FormatError};
use crate::i18n::Msg;
use crate::msg;

/// A mistake in a script: where, and what.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", self.message())]
pub struct ScriptError {
    pub(crate) file: String,
    pub(crate) line: u32,
    /// In characters, from 1.
    pub(crate) column: usize,
    pub(crate) problem: Msg,
}

impl ScriptError {
    /// `file:line:column: problem`, as compilers say it.
    pub(crate) fn message(&self) -> Msg {
        msg!(
            "script-error",
            file = self.file.as_str(),
            line = self.line,
            column = self.column,
            problem = self.problem.clone()
        )
    }
}

/// An open block: its steps so far, and the `repeat` line that opened it
/// (none for the script itself).
type Block = (Vec<Step>, Option<(u32, String, Until)>);

/// The longest a `sleep` or a `timeout` may be: 7 days, as the flags.
const LONGEST: Duration = Duration::from_secs(7 * 24 * 3600);

/// Reads `source`, the script named `name`, to be played over `transport`.
pub fn parse(name: &str, source: &str, transport: Transport) -> Result<Script, ScriptError> {
    let error = |line: u32, column: usize, problem: Msg| ScriptError {
        file: name.to_string(),
        line,
        column,
        problem,
    };
    // Each open block: its steps so far, and the `repeat` line that opened it.
    let mut blocks: Vec<Block> = vec![(Vec::new(), None)];
    let mut timeout = None;
    for (number, raw) in source.split('\n').enumerate() {
        let number = u32::try_from(number + 1).unwrap_or(u32::MAX);
        let Some(Line { body, word, rest, col, rest_col }) =
            split_line(raw).map_err(|b| error(number, b.column, b.problem))?
        else {
            continue;
        };
        let bad = |b: Bad| error(number, b.column, b.problem);
        let step = |action| Step { line: number, source: body.to_string(), timeout, action };
        let need = |usage: &'static str| {
            rest.filter(|r| !r.is_empty()).ok_or_else(|| {
                error(number, col + word.chars().count(), msg!("script-needs", step = word, usage = usage))
            })
        };
        let none = |usage: &'static str| match rest {
            Some(_) => Err(error(number, rest_col, msg!("script-takes-nothing", step = word, usage = usage))),
            None => Ok(()),
        };
        let action = match word {
            ">" => {
                let text = need("> Hello serveur !")?;
                Action::Send(parse_text(text, rest_col).map_err(bad)?)
            }
            "<" => {
                let text = need("< Bonjour client !")?;
                Action::Expect(parse_text(text, rest_col).map_err(bad)?)
            }
            "<regex" => {
                let text = need(r"<regex HTTP/1\.[01] 200 [^\r]*\r\n")?;
                Action::ExpectRegex(Box::new(Pattern::new(text).map_err(|p| error(number, rest_col, p))?))
            }
            "<bytes" => expect_bytes(need("<bytes 4 as token")?, rest_col).map_err(bad)?,
            "<struct" => expect_struct(need("<struct >H as n")?, rest_col).map_err(bad)?,
            "<eof" => {
                none("<eof")?;
                Action::ExpectEof
            }
            ">struct" => send_struct(need(">struct >H 258")?, rest_col).map_err(bad)?,
            "shutdown" => {
                none("shutdown")?;
                Action::Shutdown
            }
            "close" => {
                none("close")?;
                Action::Close
            }
            "reset" => {
                none("reset")?;
                Action::Reset
            }
            "sleep" => {
                let text = need("sleep 500ms")?;
                Action::Sleep(duration(text).map_err(|p| error(number, rest_col, p))?)
            }
            "timeout" => {
                let text = need("timeout 2s")?;
                let d = duration(text).map_err(|p| error(number, rest_col, p))?;
                if d.is_zero() {
                    return Err(error(number, rest_col, msg!("script-timeout-zero")));
                }
                timeout = Some(d);
                continue;
            }
            "repeat" => {
                let text = need("repeat until eof")?;
                let until = until(text).map_err(|p| error(number, rest_col, p))?;
                blocks.push((Vec::new(), Some((number, body.to_string(), until))));
                continue;
            }
            "end" => {
                none("end")?;
                if !close_block(&mut blocks, timeout) {
                    return Err(error(number, col, msg!("script-end-alone")));
                }
                continue;
            }
            _ => return Err(error(number, col, unknown(word))),
        };
        if let Some((steps, _)) = blocks.last_mut() {
            steps.push(step(action));
        }
    }
    let steps = whole(blocks).map_err(|(line, problem)| error(line, 1, problem))?;
    let script = Script { name: name.to_string(), steps };
    Checker { name, transport, vars: HashMap::new() }.steps(&script.steps, None)?;
    Ok(script)
}

/// The script's steps once every line is read: refused, with the line to
/// name, when a `repeat` is still open or when there is no step at all.
fn whole(mut blocks: Vec<Block>) -> Result<Vec<Step>, (u32, Msg)> {
    if let Some((_, Some((line, _, _)))) = blocks.last() {
        return Err((*line, msg!("script-repeat-open")));
    }
    let steps = blocks.pop().map(|(steps, _)| steps).unwrap_or_default();
    if steps.is_empty() {
        return Err((1, msg!("script-empty")));
    }
    Ok(steps)
}

/// One line of a script, cut into its step word and the rest.
struct Line<'a> {
    /// The line without its indent (and without a Windows \r).
    body: &'a str,
    /// The step's word (`>`, `<bytes`, `repeat`...).
    word: &'a str,
    /// What follows the word and one space, if anything does.
    rest: Option<&'a str>,
    /// The word's column, and the rest's (counted from 1).
    col: usize,
    rest_col: usize,
}

/// Cuts `raw` into its step word and the rest: None for a blank line or a
/// comment; a line that ends in a space or a tab is refused, at the
/// column where they start.
fn split_line(raw: &str) -> Result<Option<Line<'_>>, Bad> {
    // A file saved on Windows ends its lines with \r\n.
    let line = raw.strip_suffix('\r').unwrap_or(raw);
    let body = line.trim_start_matches([' ', '\t']);
    let indent = line.chars().count() - body.chars().count();
    if body.is_empty() || body.starts_with('#') {
        return Ok(None);
    }
    if body.ends_with([' ', '\t']) {
        let column = body.trim_end_matches([' ', '\t']).chars().count() + indent + 1;
        return Err(Bad { column, problem: msg!("script-trailing-space") });
    }
    let col = indent + 1;
    let (word, rest) = match body.split_once(' ') {
        Some((word, rest)) => (word, Some(rest)),
        None => (body, None),
    };
    let rest_col = col + word.chars().count() + 1;
    Ok(Some(Line { body, word, rest, col, rest_col }))
}

/// `end`: the innermost `repeat` block becomes one step of the block
/// around it. False when no `repeat` is open.
fn close_block(blocks: &mut Vec<Block>, timeout: Option<Duration>) -> bool {
    let (body, Some((line, source, until))) = blocks.pop().unwrap_or_default() else {
        return false;
    };
    let repeat = Step { line, source, timeout, action: Action::Repeat { until, body } };
    if let Some((steps, _)) = blocks.last_mut() {
        steps.push(repeat);
    }
    true
}

/// `<bytes COUNT [as NAME]`'s arguments, `text`, which start at `column`:
/// a count of bytes (or a variable holding one), and the variable they go
/// in.
fn expect_bytes(text: &str, column: usize) -> Result<Action, Bad> {
    let (count, bind) = split_as(text);
    let count_text = count.trim();
    let count = match count_text.parse::<usize>() {
        Ok(n) if n <= super::MAX_STEP_BYTES => Count::Fixed(n),
        Ok(_) => return Err(Bad { column, problem: msg!("script-count-big", max = super::MAX_STEP_BYTES) }),
        Err(_) if is_name(count_text) => Count::Var(count_text.to_string()),
        Err(_) => return Err(Bad { column, problem: msg!("script-count-bad", text = count_text) }),
    };
    let bind = match bind {
        Some(names) => Some(one_name(names, column + count_text.chars().count() + 4)?),
        None => None,
    };
    Ok(Action::ExpectBytes { count, bind })
}

/// `<struct FORMAT [as NAMES]`'s arguments: a struct format, and a name
/// for each of its values (or none).
fn expect_struct(text: &str, column: usize) -> Result<Action, Bad> {
    let (format_text, names) = split_as(text);
    let format = struct_format(format_text.trim(), column)?;
    let names = match names {
        Some(names) => {
            let at = column + format_text.chars().count() + 4;
            name_list(names, at)?
        }
        None => Vec::new(),
    };
    let count = format.kinds().0.len();
    if !names.is_empty() && names.len() != count {
        return Err(Bad {
            column,
            problem: msg!(
                "script-struct-names",
                format = format.to_string(),
                count = count,
                names = names.len()
            ),
        });
    }
    Ok(Action::ExpectStruct { format, names })
}

/// `>struct FORMAT VALUES`'s arguments: a struct format, and its values,
/// comma-separated.
fn send_struct(text: &str, column: usize) -> Result<Action, Bad> {
    let (format_text, values_text) = text.split_once(' ').unwrap_or((text, ""));
    let format = struct_format(format_text, column)?;
    let mut values = Vec::new();
    let mut at = column + format_text.chars().count() + 1;
    if !values_text.trim().is_empty() {
        for part in values_text.split(',') {
            let lead = part.chars().count() - part.trim_start().chars().count();
            values.push(parse_value(part.trim(), at + lead)?);
            at += part.chars().count() + 1;
        }
    }
    Ok(Action::SendStruct { format, values })
}

/// `repeat`'s argument: `until eof`, or a number of times.
fn until(text: &str) -> Result<Until, Msg> {
    match text {
        "until eof" => Ok(Until::Eof),
        _ => match text.strip_suffix(" times").unwrap_or(text).parse::<u64>() {
            Ok(n) if n > 0 => Ok(Until::Times(n)),
            _ => Err(msg!("script-repeat-bad", text = text)),
        },
    }
}

/// `X as NAMES` into X and NAMES.
fn split_as(text: &str) -> (&str, Option<&str>) {
    match text.rsplit_once(" as ") {
        Some((head, names)) => (head, Some(names)),
        None => (text, None),
    }
}

fn one_name(text: &str, column: usize) -> Result<String, Bad> {
    let names = name_list(text, column)?;
    match names.as_slice() {
        [one] => Ok(one.clone()),
        _ => Err(Bad { column, problem: msg!("script-name-bad", text = text) }),
    }
}

fn name_list(text: &str, column: usize) -> Result<Vec<String>, Bad> {
    let mut names = Vec::new();
    let mut at = column;
    for part in text.split(',') {
        let name = part.trim();
        if !is_name(name) {
            return Err(Bad { column: at, problem: msg!("script-name-bad", text = name) });
        }
        names.push(name.to_string());
        at += part.chars().count() + 1;
    }
    Ok(names)
}

fn struct_format(text: &str, column: usize) -> Result<Format, Bad> {
    let format: Format = text.parse().map_err(|e: FormatError| Bad {
        column: column + e.position.saturating_sub(1),
        problem: Msg::text(e.to_string()),
    })?;
    if format.size() == 0 {
        return Err(Bad { column, problem: msg!("usage-decode-empty", text = text) });
    }
    Ok(format)
}

fn duration(text: &str) -> Result<Duration, Msg> {
    crate::units::parse_duration_in(text, Duration::ZERO..=LONGEST)
}

/// An unknown first word: what was probably meant.
fn unknown(word: &str) -> Msg {
    if let Some(rest) = word.strip_prefix('<').or_else(|| word.strip_prefix('>')) {
        match (word.starts_with('<'), rest.is_empty()) {
            (_, true) => {}
            (true, false) => return msg!("script-arrow-space-expect", word = word, rest = rest),
            (false, false) => return msg!("script-arrow-space-send", word = word, rest = rest),
        }
    }
    msg!("script-unknown-step", word = word)
}

/// Walks the steps in the order they run, knowing which variables are
/// bound at each.
struct Checker<'a> {
    name: &'a str,
    transport: Transport,
    vars: HashMap<String, (VarKind, u32)>,
}

impl Checker<'_> {
    fn error(&self, step: &Step, column: usize, problem: Msg) -> ScriptError {
        ScriptError { file: self.name.to_string(), line: step.line, column, problem }
    }

    /// Column of `needle` in the step's line (from 1), for messages.
    fn column(step: &Step, needle: &str) -> usize {
        step.source.find(needle).map(|i| step.source[..i].chars().count() + 1).unwrap_or(1)
    }

    fn steps(&mut self, steps: &[Step], in_loop: Option<&Step>) -> Result<(), ScriptError> {
        for (i, step) in steps.iter().enumerate() {
            if matches!(step.action, Action::Close | Action::Reset) {
                // What follows, or in a loop the next pass, would run on a
                // closed socket.
                match (steps.get(i + 1), in_loop) {
                    (Some(next), _) => {
                        return Err(self.error(next, 1, msg!("script-after-close", line = step.line)));
                    }
                    (None, Some(_)) => {
                        return Err(self.error(step, 1, msg!("script-close-in-loop")));
                    }
                    (None, None) => {}
                }
            }
            self.step(step)?;
        }
        Ok(())
    }

    fn use_var(&self, step: &Step, name: &str, want: Option<VarKind>) -> Result<(), ScriptError> {
        let column = Self::column(step, name);
        match self.vars.get(name) {
            None => Err(self.error(step, column, msg!("script-undefined", name = name))),
            Some((kind, line)) if want.is_some_and(|w| w != *kind) => Err(self.error(
                step,
                column,
                msg!(
                    "script-var-kind",
                    name = name,
                    line = *line,
                    kind = kind_word(*kind),
                    want = kind_word(want.unwrap_or(*kind))
                ),
            )),
            Some(_) => Ok(()),
        }
    }

    fn step(&mut self, step: &Step) -> Result<(), ScriptError> {
        let stream_only = |what: &'static str| match self.transport {
            Transport::Datagram => Err(self.error(step, 1, msg!("script-stream-only", step = what))),
            Transport::Stream => Ok(()),
        };
        match &step.action {
            Action::Send(text) | Action::Expect(text) => {
                for name in text.vars() {
                    self.use_var(step, name, None)?;
                }
                if self.transport == Transport::Datagram && matches!(step.action, Action::Expect(_)) {
                    // A datagram may be empty; a stream step for no bytes says nothing.
                } else if matches!(step.action, Action::Expect(_))
                    && text.pieces.iter().all(|p| matches!(p, Piece::Bytes(b) if b.is_empty()))
                {
                    return Err(self.error(step, 1, msg!("script-expect-empty")));
                }
            }
            Action::SendStruct { format, values } => {
                let kinds = format.kinds().0;
                if kinds.len() != values.len() {
                    return Err(self.error(
                        step,
                        1,
                        msg!("pack-count", expected = kinds.len(), got = values.len()),
                    ));
                }
                for (value, kind) in values.iter().zip(&kinds) {
                    let want = VarKind::of(kind);
                    match value {
                        ValueExpr::Var(name) => {
                            self.use_var(step, name, Some(want).filter(|w| *w != VarKind::Float))?
                        }
                        ValueExpr::Len(name) => self.use_var(step, name, Some(VarKind::Bytes))?,
                        _ => {}
                    }
                }
                let literal: Option<Vec<_>> = values.iter().map(|v| v.value(&text::Vars::new())).collect();
                if let Some(literal) = literal
                    && let Err(e) = format.pack(&literal)
                {
                    return Err(self.error(step, 1, e.message()));
                }
            }
            Action::ExpectRegex(pattern) => {
                for name in &pattern.names {
                    self.vars.insert(name.clone(), (VarKind::Bytes, step.line));
                }
            }
            Action::ExpectBytes { count, bind } => {
                if let Count::Var(name) = count {
                    self.use_var(step, name, Some(VarKind::Int))?;
                }
                if let Some(name) = bind {
                    self.vars.insert(name.clone(), (VarKind::Bytes, step.line));
                }
            }
            Action::ExpectStruct { format, names } => {
                for (name, kind) in names.iter().zip(format.kinds().0.iter()) {
                    self.vars.insert(name.clone(), (VarKind::of(kind), step.line));
                }
            }
            Action::ExpectEof => stream_only("<eof")?,
            Action::Shutdown => stream_only("shutdown")?,
            Action::Reset => stream_only("reset")?,
            Action::Close | Action::Sleep(_) => {}
            Action::Repeat { until, body } => {
                if *until == Until::Eof {
                    stream_only("repeat until eof")?;
                    if !body.iter().any(reads) {
                        return Err(self.error(step, 1, msg!("script-loop-reads-nothing")));
                    }
                }
                if body.is_empty() {
                    return Err(self.error(step, 1, msg!("script-loop-empty")));
                }
                self.steps(body, Some(step))?;
            }
        }
        Ok(())
    }
}

/// The step takes bytes from the peer (so a loop over it moves on).
fn reads(step: &Step) -> bool {
    match &step.action {
        Action::Expect(_)
        | Action::ExpectRegex(_)
        | Action::ExpectBytes { .. }
        | Action::ExpectStruct { .. } => true,
        Action::Repeat { body, .. } => body.iter().any(reads),
        _ => false,
    }
}

fn kind_word(kind: VarKind) -> &'static str {
    match kind {
        VarKind::Bytes => "bytes",
        VarKind::Int => "int",
        VarKind::Float => "float",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(source: &str) -> Script {
        parse("t.np", source, Transport::Stream)
            .unwrap_or_else(|e| panic!("{source:?}: {}", e.message().render(crate::i18n::Lang::En)))
    }

    /// The error's line, column and catalogue id.
    fn err(source: &str, transport: Transport) -> (u32, usize, &'static str) {
        let e = parse("t.np", source, transport).expect_err(source);
        (e.line, e.column, e.problem.id().unwrap_or("text"))
    }

    fn tcp_err(source: &str) -> (u32, usize, &'static str) {
        err(source, Transport::Stream)
    }

    #[test]
    fn every_step_kind_parses() {
        let script = ok("# the course's client\n\
            > Hello serveur !\n\
            \n\
            timeout 2s\n\
            < Bonjour client !\n\
            <regex TOKEN (?P<token>\\w+)\\r\\n\n\
            > {token}\n\
            <bytes 4 as four\n\
            <struct >H as n\n\
            <bytes n as body\n\
            >struct >HB len(body), 7\n\
            repeat 2 times\n\
            \u{20}\u{20}sleep 10ms\n\
            end\n\
            repeat until eof\n\
            \t<regex [^\\n]*\\n\n\
            end\n\
            <eof\n\
            shutdown\n\
            close\r\n");
        let kinds: Vec<_> = script.steps.iter().map(|s| s.action.kind()).collect();
        use crate::event::script::StepKind as K;
        assert_eq!(
            kinds,
            [
                K::Send,
                K::Expect,
                K::ExpectRegex,
                K::Send,
                K::ExpectBytes,
                K::ExpectStruct,
                K::ExpectBytes,
                K::SendStruct,
                K::Repeat,
                K::Repeat,
                K::ExpectEof,
                K::Shutdown,
                K::Close
            ]
        );
        assert_eq!(script.steps[0].timeout, None);
        assert_eq!(script.steps[1].timeout, Some(Duration::from_secs(2)));
        assert_eq!(script.steps[1].line, 5);
        assert_eq!(script.steps[12].source, "close");
        let Action::Repeat { until: Until::Times(2), body } = &script.steps[8].action else { panic!() };
        assert!(matches!(body[0].action, Action::Sleep(d) if d == Duration::from_millis(10)));
        assert!(matches!(ok("reset").steps[0].action, Action::Reset));
    }

    #[test]
    fn every_mistake_is_placed() {
        assert_eq!(tcp_err("> ok\nbogus step"), (2, 1, "script-unknown-step"));
        assert_eq!(tcp_err("<Hello"), (1, 1, "script-arrow-space-expect"));
        assert_eq!(tcp_err(">Hello"), (1, 1, "script-arrow-space-send"));
        assert_eq!(tcp_err("> a\\qb"), (1, 4, "script-escape-unknown"));
        assert_eq!(tcp_err("  > \\x4g"), (1, 5, "script-escape-x"));
        assert_eq!(tcp_err("> trailing "), (1, 11, "script-trailing-space"));
        assert_eq!(tcp_err(">"), (1, 2, "script-needs"));
        assert_eq!(tcp_err("> {who}"), (1, 4, "script-undefined"));
        assert_eq!(tcp_err("<bytes 4 as x\n<bytes x"), (2, 8, "script-var-kind"));
        assert_eq!(tcp_err("<regex ("), (1, 8, "script-regex-bad"));
        assert_eq!(tcp_err("<struct >Z as n"), (1, 10, "text"));
        assert_eq!(tcp_err("<struct >HH as n"), (1, 9, "script-struct-names"));
        assert_eq!(tcp_err(">struct >B 256"), (1, 1, "pack-range"));
        assert_eq!(tcp_err(">struct >B 1, 2"), (1, 1, "pack-count"));
        assert_eq!(tcp_err("<bytes lots"), (1, 8, "script-undefined"));
        assert_eq!(tcp_err("<bytes -1"), (1, 8, "script-count-bad"));
        assert_eq!(tcp_err("<bytes 4 as 9x"), (1, 13, "script-name-bad"));
        assert_eq!(tcp_err("sleep soon"), (1, 7, "duration-bad-in"));
        assert_eq!(tcp_err("timeout 0s"), (1, 9, "script-timeout-zero"));
        assert_eq!(tcp_err("repeat often\n< x\nend"), (1, 8, "script-repeat-bad"));
        assert_eq!(tcp_err("repeat 2\n< x"), (1, 1, "script-repeat-open"));
        assert_eq!(tcp_err("< x\nend"), (2, 1, "script-end-alone"));
        assert_eq!(tcp_err("close\n> more"), (2, 1, "script-after-close"));
        assert_eq!(tcp_err("repeat 2\nclose\nend"), (2, 1, "script-close-in-loop"));
        assert_eq!(tcp_err("repeat until eof\n> x\nend"), (1, 1, "script-loop-reads-nothing"));
        assert_eq!(tcp_err("<eof now"), (1, 6, "script-takes-nothing"));
        assert_eq!(tcp_err("# nothing\n"), (1, 1, "script-empty"));
        assert_eq!(tcp_err("< b''"), (1, 1, "script-expect-empty"));
        assert_eq!(err("<eof", Transport::Datagram), (1, 1, "script-stream-only"));
        assert_eq!(err("shutdown", Transport::Datagram), (1, 1, "script-stream-only"));
        assert_eq!(err("repeat until eof\n< x\nend", Transport::Datagram), (1, 1, "script-stream-only"));
        // A variable is bound on the line that names it, not before.
        assert_eq!(tcp_err("> {n}\n<struct >H as n"), (1, 4, "script-undefined"));
    }

    #[test]
    fn the_message_says_file_line_and_column() {
        let e = parse("dir/x.np", "> ok\n< \\q", Transport::Stream).unwrap_err();
        let text = e.message().render(crate::i18n::Lang::En);
        assert!(text.starts_with("dir/x.np:2:3: "), "{text}");
    }
}
