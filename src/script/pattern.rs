//! `<regex PATTERN`: what comes next must match PATTERN from its first
//! byte, as Python's `re.match(rb'PATTERN', data)` on bytes (so `.` is any
//! byte but `\n`, `\xff` is the byte 0xff, `\w` is ASCII).
//!
//! On a stream, bytes come in pieces; the verdict must not depend on how
//! they were cut. So the answer is the one `re.match` would give on all
//! the bytes the peer will ever send, and a step ends only once more bytes
//! can no longer change it: a DFA (leftmost-first, as Python's engine
//! prefers) is walked byte by byte as they come, and from each state we
//! know, by a search made once when the script is read, whether a match
//! can still be reached. `[^\n]*\n` is settled by its `\n`; `\d+` is not
//! settled by "12" (a "3" may follow) until something else comes, the
//! peer's EOF, or the step's timeout (then the step fails, saying so).

use std::collections::{HashMap, VecDeque};

use regex_automata::dfa::{Automaton, dense};
use regex_automata::util::primitives::StateID;
use regex_automata::util::start;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input, MatchKind, meta, nfa::thompson};

use crate::i18n::Msg;
use crate::msg;

/// Most DFA states a pattern may have: far more than any protocol line
/// needs, and bounded so a script cannot make netplay build a huge table.
const MAX_STATES: usize = 20_000;

/// A compiled pattern: the DFA for streams, and a full engine for its
/// groups and for datagrams.
#[derive(Debug, Clone)]
pub(crate) struct Pattern {
    pub(crate) text: String,
    dfa: dense::DFA<Vec<u32>>,
    start: StateID,
    /// States after which a match can still be found (through more bytes
    /// or the end of input); past any other, the answer is settled.
    open: std::collections::HashSet<StateID>,
    /// Anchored at the start: `re.match`.
    regex: meta::Regex,
    /// Anchored at both ends: `re.fullmatch`, for a datagram.
    whole: meta::Regex,
    /// Named groups, in order.
    pub(crate) names: Vec<String>,
}

fn syntax_config() -> syntax::Config {
    syntax::Config::new().unicode(false).utf8(false)
}

impl Pattern {
    pub(crate) fn new(text: &str) -> Result<Pattern, Msg> {
        let bad = |e: &dyn std::fmt::Display| msg!("script-regex-bad", why = e.to_string());
        let build = |pattern: &str| {
            meta::Regex::builder()
                .syntax(syntax_config())
                .configure(meta::Config::new().match_kind(MatchKind::LeftmostFirst).utf8_empty(false))
                .build(pattern)
                .map_err(Box::new)
        };
        let regex = build(text).map_err(|e| bad(&e))?;
        let whole = build(&format!(r"(?:{text})\z")).map_err(|e| bad(&e))?;
        let dfa = dense::Builder::new()
            .syntax(syntax_config())
            .thompson(thompson::Config::new().utf8(false))
            .configure(
                dense::Config::new()
                    .match_kind(MatchKind::LeftmostFirst)
                    .start_kind(regex_automata::dfa::StartKind::Anchored)
                    .dfa_size_limit(Some(8 << 20))
                    .determinize_size_limit(Some(8 << 20)),
            )
            .build(text)
            .map_err(|_| msg!("script-regex-big"))?;
        let start = dfa.start_state(&start::Config::new().anchored(Anchored::Yes)).map_err(|e| bad(&e))?;
        let open = open_states(&dfa, start)?;
        let names = regex
            .group_info()
            .pattern_names(regex_automata::PatternID::ZERO)
            .flatten()
            .map(str::to_string)
            .collect();
        Ok(Pattern { text: text.to_string(), dfa, start, open, regex, whole, names })
    }

    /// A fresh walk, for one step.
    pub(crate) fn walk(&self) -> Walk {
        Walk { state: self.start, seen: 0, last_match: None, failed_at: None }
    }

    /// Where the walk stands after `bytes` (all that came so far for this
    /// step; the walk goes on from where it was) and, if `eof`, the end.
    pub(crate) fn settle(&self, walk: &mut Walk, bytes: &[u8], eof: bool) -> Settled {
        if let Some(at) = walk.failed_at {
            return Settled::NoMatch { at };
        }
        while walk.seen < bytes.len() {
            let state = self.dfa.next_state(walk.state, bytes[walk.seen]);
            walk.seen += 1;
            walk.state = state;
            if self.dfa.is_match_state(state) {
                // Match states come one byte late.
                walk.last_match = Some(walk.seen - 1);
            }
            if !self.open.contains(&state) {
                return self.finish(walk, walk.seen - 1);
            }
        }
        if eof {
            let end = self.dfa.next_eoi_state(walk.state);
            if self.dfa.is_match_state(end) {
                walk.last_match = Some(bytes.len());
            }
            return self.finish(walk, bytes.len());
        }
        // Every next byte, and the end, would end a match here, and none
        // after could: the match is settled without waiting.
        if self.ends_here(walk.state) {
            walk.last_match = Some(bytes.len());
            return Settled::Match { end: bytes.len() };
        }
        Settled::Open { matched_so_far: walk.last_match }
    }

    fn finish(&self, walk: &mut Walk, at: usize) -> Settled {
        match walk.last_match {
            Some(end) => Settled::Match { end },
            None => {
                walk.failed_at = Some(at);
                Settled::NoMatch { at }
            }
        }
    }

    fn ends_here(&self, state: StateID) -> bool {
        let dfa = &self.dfa;
        if !dfa.is_match_state(dfa.next_eoi_state(state)) {
            return false;
        }
        (0..=255u8).all(|b| {
            let next = dfa.next_state(state, b);
            dfa.is_match_state(next) && !self.open.contains(&next)
        })
    }

    /// The named groups of the match ending at `end`, from `bytes`.
    pub(crate) fn groups(&self, bytes: &[u8], end: usize) -> Vec<(String, Vec<u8>)> {
        let mut caps = self.regex.create_captures();
        let input = Input::new(bytes).anchored(Anchored::Yes);
        self.regex.captures(input, &mut caps);
        if caps.get_match().is_none_or(|m| m.end() != end) {
            self.regex.captures(Input::new(&bytes[..end]).anchored(Anchored::Yes), &mut caps);
        }
        self.group_values(&caps, bytes)
    }

    /// `re.fullmatch` on one datagram: its groups, or None.
    pub(crate) fn fullmatch(&self, datagram: &[u8]) -> Option<Vec<(String, Vec<u8>)>> {
        let mut caps = self.whole.create_captures();
        self.whole.captures(Input::new(datagram).anchored(Anchored::Yes), &mut caps);
        caps.get_match()?;
        Some(self.group_values(&caps, datagram))
    }

    fn group_values(
        &self,
        caps: &regex_automata::util::captures::Captures,
        bytes: &[u8],
    ) -> Vec<(String, Vec<u8>)> {
        self.names
            .iter()
            .map(|name| {
                let value =
                    caps.get_group_by_name(name).map(|s| bytes[s.range()].to_vec()).unwrap_or_default();
                (name.clone(), value)
            })
            .collect()
    }
}

/// The states after which a match can still be found: a match state is
/// reachable through one byte or more, or the end of input makes one.
fn open_states(
    dfa: &dense::DFA<Vec<u32>>,
    start: StateID,
) -> Result<std::collections::HashSet<StateID>, Msg> {
    let mut next: HashMap<StateID, Vec<StateID>> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    let mut seen = std::collections::HashSet::from([start]);
    while let Some(state) = queue.pop_front() {
        if seen.len() > MAX_STATES {
            return Err(msg!("script-regex-big"));
        }
        let mut out: Vec<StateID> = (0..=255u8).map(|b| dfa.next_state(state, b)).collect();
        out.sort_unstable();
        out.dedup();
        for &to in &out {
            if seen.insert(to) {
                queue.push_back(to);
            }
        }
        next.insert(state, out);
    }
    let mut back: HashMap<StateID, Vec<StateID>> = HashMap::new();
    for (&from, tos) in &next {
        for &to in tos {
            back.entry(to).or_default().push(from);
        }
    }
    let mut live: std::collections::HashSet<StateID> = seen
        .iter()
        .copied()
        .filter(|&s| dfa.is_match_state(s) || dfa.is_match_state(dfa.next_eoi_state(s)))
        .collect();
    let mut queue: VecDeque<StateID> = live.iter().copied().collect();
    while let Some(state) = queue.pop_front() {
        for &from in back.get(&state).map(Vec::as_slice).unwrap_or_default() {
            if live.insert(from) {
                queue.push_back(from);
            }
        }
    }
    // `live`: a match is at the state or ahead of it.
    Ok(seen
        .iter()
        .copied()
        .filter(|&s| dfa.is_match_state(dfa.next_eoi_state(s)) || next[&s].iter().any(|to| live.contains(to)))
        .collect())
}

/// A pattern's progress through one step's bytes.
#[derive(Debug, Clone)]
pub(crate) struct Walk {
    state: StateID,
    /// Bytes walked so far.
    seen: usize,
    /// End of the last match found (one byte late, as DFAs tell).
    last_match: Option<usize>,
    failed_at: Option<usize>,
}

impl Walk {
    /// A match was found, though more bytes could still lengthen it.
    pub(crate) fn matched(&self) -> bool {
        self.last_match.is_some()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Settled {
    /// `re.match` matched these first `end` bytes, whatever comes next.
    Match { end: usize },
    /// No match, whatever comes next; the byte at `at` ruled it out.
    NoMatch { at: usize },
    /// More bytes could change the answer.
    Open { matched_so_far: Option<usize> },
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settle(pattern: &str, bytes: &[u8], eof: bool) -> Settled {
        let p = Pattern::new(pattern).unwrap();
        p.settle(&mut p.walk(), bytes, eof)
    }

    #[test]
    fn a_line_is_settled_by_its_end() {
        assert_eq!(settle(r"[^\n]*\n", b"Hello\n", false), Settled::Match { end: 6 });
        assert_eq!(settle(r"[^\n]*\n", b"Hello\nmore", false), Settled::Match { end: 6 });
        assert_eq!(settle(r"Hello", b"Hello", false), Settled::Match { end: 5 });
        assert_eq!(
            settle(r"(?s).*?\r\n\r\n", b"HTTP/1.0 200 OK\r\nA: b\r\n\r\n", false),
            Settled::Match { end: 25 }
        );
        assert_eq!(settle(r"[^\n]*\n", b"Hel", false), Settled::Open { matched_so_far: None });
    }

    #[test]
    fn greedy_waits_for_what_ends_it() {
        assert!(matches!(settle(r"\d+", b"12", false), Settled::Open { matched_so_far: Some(_) }));
        assert_eq!(settle(r"\d+", b"12x", false), Settled::Match { end: 2 });
        assert_eq!(settle(r"\d+", b"12", true), Settled::Match { end: 2 });
        // Leftmost-first, as Python: the first alternative wins.
        assert_eq!(settle(r"a|ab", b"ab", false), Settled::Match { end: 1 });
    }

    #[test]
    fn a_mismatch_is_told_at_the_byte_that_rules_it_out() {
        assert_eq!(settle(r"HTTP/1\.[01] 200", b"HTTP/1.1 404", false), Settled::NoMatch { at: 9 });
        assert_eq!(settle(r"\d+", b"x", false), Settled::NoMatch { at: 0 });
        assert_eq!(settle(r"abc", b"ab", true), Settled::NoMatch { at: 2 });
    }

    #[test]
    fn bytes_are_bytes() {
        assert_eq!(settle(r"\xff\x00", b"\xff\x00", false), Settled::Match { end: 2 });
        assert_eq!(settle(r".", b"\n", false), Settled::NoMatch { at: 0 });
        assert_eq!(settle(r"(?s).", b"\n", false), Settled::Match { end: 1 });
    }

    #[test]
    fn groups_and_fullmatch() {
        let p = Pattern::new(r"TOKEN (?P<token>\w+)\r\n").unwrap();
        assert_eq!(p.names, ["token"]);
        assert_eq!(p.groups(b"TOKEN ab12\r\nrest", 12), vec![("token".to_string(), b"ab12".to_vec())]);
        assert!(p.fullmatch(b"TOKEN ab12\r\n").is_some());
        assert!(p.fullmatch(b"TOKEN ab12\r\nx").is_none());
        let alt = Pattern::new("a|ab").unwrap();
        assert!(alt.fullmatch(b"ab").is_some(), "fullmatch tries the other alternative, as Python does");
    }

    #[test]
    fn bad_patterns_are_told() {
        assert_eq!(Pattern::new("(").unwrap_err().id(), Some("script-regex-bad"));
    }
}
