//! The verdict of an expect step, as a pure function of the bytes that
//! came so far: on a stream, whether the step passed (and how many bytes
//! it took), failed (and where), or needs more; on a datagram, at once.
//! The verdict never depends on how the peer's bytes were cut into recv
//! chunks (a property test below splits them every way).

use crate::decode::Format;

use super::pattern::{Pattern, Settled, Walk};
use super::text::Var;

/// What an expect step waits for, its variables filled in.
#[derive(Debug, Clone)]
pub(super) enum Expect<'a> {
    Exact(Vec<u8>),
    Regex(&'a Pattern),
    Bytes(usize),
    Struct(&'a Format),
    Eof,
}

/// The step's verdict so far.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Check {
    /// Passed: it took the first `used` bytes; these variables are bound.
    Pass {
        used: usize,
        bound: Vec<(String, Var)>,
    },
    Fail(Miss),
    /// Not decided: more bytes (or the EOF) will tell.
    More,
}

/// How a step failed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Miss {
    pub(crate) kind: MissKind,
    /// The first byte that differs, or that ruled a pattern out.
    pub(crate) offset: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MissKind {
    /// Other bytes came.
    Differs,
    /// The peer closed its side before all that was expected came.
    Eof,
    /// A datagram of another length came.
    Length,
    /// Nothing decided it within the step's timeout.
    Timeout,
    /// A pattern that came to a match could still match more when the
    /// time ran out: its end is not written in the pattern.
    OpenEnded,
}

/// Stream state of one expect step: a pattern's walk goes on across calls.
#[derive(Debug, Clone, Default)]
pub(super) struct State {
    walk: Option<Walk>,
}

/// The verdict on a stream, given all the bytes that came since the step
/// began (`came`) and whether the peer's EOF follows them.
pub(super) fn check_stream(expect: &Expect<'_>, state: &mut State, came: &[u8], eof: bool) -> Check {
    match expect {
        Expect::Exact(want) => {
            let n = want.len().min(came.len());
            if let Some(at) = (0..n).find(|&i| want[i] != came[i]) {
                return fail(MissKind::Differs, Some(at));
            }
            if came.len() >= want.len() {
                Check::Pass { used: want.len(), bound: Vec::new() }
            } else if eof {
                fail(MissKind::Eof, Some(came.len()))
            } else {
                Check::More
            }
        }
        Expect::Bytes(_) | Expect::Struct(_) => {
            let n = match expect {
                Expect::Struct(format) => format.size(),
                Expect::Bytes(n) => *n,
                _ => 0,
            };
            if came.len() >= n {
                let bound = match expect {
                    Expect::Struct(format) => unpacked(format, &came[..n]),
                    _ => vec![(String::new(), Var::Bytes(came[..n].to_vec()))],
                };
                Check::Pass { used: n, bound }
            } else if eof {
                fail(MissKind::Eof, Some(came.len()))
            } else {
                Check::More
            }
        }
        Expect::Eof => match (came.is_empty(), eof) {
            (false, _) => fail(MissKind::Differs, Some(0)),
            (true, true) => Check::Pass { used: 0, bound: Vec::new() },
            (true, false) => Check::More,
        },
        Expect::Regex(pattern) => {
            let walk = state.walk.get_or_insert_with(|| pattern.walk());
            match pattern.settle(walk, came, eof) {
                Settled::Match { end } => Check::Pass {
                    used: end,
                    bound: pattern.groups(came, end).into_iter().map(|(n, v)| (n, Var::Bytes(v))).collect(),
                },
                Settled::NoMatch { at } if at >= came.len() => fail(MissKind::Eof, Some(at)),
                Settled::NoMatch { at } => fail(MissKind::Differs, Some(at)),
                Settled::Open { .. } => Check::More,
            }
        }
    }
}

/// What the step reports when its time runs out with `came` so far.
pub(super) fn timed_out(expect: &Expect<'_>, state: &State, came: &[u8]) -> Miss {
    if let (Expect::Regex(_), Some(walk)) = (expect, &state.walk)
        && walk.matched()
    {
        return Miss { kind: MissKind::OpenEnded, offset: None };
    }
    Miss { kind: MissKind::Timeout, offset: Some(came.len()) }
}

/// The verdict on one whole datagram.
pub(super) fn check_datagram(expect: &Expect<'_>, datagram: &[u8]) -> Check {
    match expect {
        Expect::Exact(want) => match (0..want.len().min(datagram.len())).find(|&i| want[i] != datagram[i]) {
            Some(at) => fail(MissKind::Differs, Some(at)),
            None if want.len() != datagram.len() => {
                fail(MissKind::Length, Some(want.len().min(datagram.len())))
            }
            None => Check::Pass { used: datagram.len(), bound: Vec::new() },
        },
        Expect::Bytes(n) if datagram.len() != *n => fail(MissKind::Length, None),
        Expect::Bytes(_) => {
            Check::Pass { used: datagram.len(), bound: vec![(String::new(), Var::Bytes(datagram.to_vec()))] }
        }
        Expect::Struct(format) if datagram.len() != format.size() => fail(MissKind::Length, None),
        Expect::Struct(format) => Check::Pass { used: datagram.len(), bound: unpacked(format, datagram) },
        Expect::Regex(pattern) => match pattern.fullmatch(datagram) {
            Some(groups) => Check::Pass {
                used: datagram.len(),
                bound: groups.into_iter().map(|(n, v)| (n, Var::Bytes(v))).collect(),
            },
            None => fail(MissKind::Differs, None),
        },
        // The checker keeps `<eof` out of datagram scripts.
        Expect::Eof => fail(MissKind::Differs, Some(0)),
    }
}

fn fail(kind: MissKind, offset: Option<usize>) -> Check {
    Check::Fail(Miss { kind, offset })
}

/// The values of a struct record, unnamed (the step names them).
fn unpacked(format: &Format, bytes: &[u8]) -> Vec<(String, Var)> {
    match format.unpack_from(bytes) {
        Ok(values) => values.0.iter().map(|v| (String::new(), Var::from_value(v))).collect(),
        Err(_) => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The verdict when the peer's bytes come in pieces ending at `cuts`,
    /// then EOF: each piece is given as it would come from recv.
    fn verdict(expect: &Expect<'_>, bytes: &[u8], cuts: &[usize]) -> Check {
        let mut state = State::default();
        let mut ends: Vec<usize> = cuts.iter().map(|&c| c.min(bytes.len())).collect();
        ends.push(bytes.len());
        ends.sort_unstable();
        let mut last = Check::More;
        for end in ends {
            last = check_stream(expect, &mut state, &bytes[..end], false);
            if last != Check::More {
                return last;
            }
        }
        if last == Check::More { check_stream(expect, &mut state, bytes, true) } else { last }
    }

    #[test]
    fn exact_bytes() {
        let e = Expect::Exact(b"Bonjour client !".to_vec());
        assert_eq!(verdict(&e, b"Bonjour client !extra", &[3]), Check::Pass { used: 16, bound: vec![] });
        assert_eq!(verdict(&e, b"Bonjour toi !", &[]), fail(MissKind::Differs, Some(8)));
        assert_eq!(verdict(&e, b"Bonjour", &[]), fail(MissKind::Eof, Some(7)));
        // A difference is told as soon as it comes, not after the rest.
        let mut state = State::default();
        assert_eq!(check_stream(&e, &mut state, b"Bonsoir", false), fail(MissKind::Differs, Some(3)));
    }

    #[test]
    fn eof_and_lengths() {
        assert_eq!(verdict(&Expect::Eof, b"", &[]), Check::Pass { used: 0, bound: vec![] });
        assert_eq!(verdict(&Expect::Eof, b"x", &[]), fail(MissKind::Differs, Some(0)));
        let four = Expect::Bytes(4);
        assert_eq!(
            verdict(&four, b"abcdef", &[1, 2]),
            Check::Pass { used: 4, bound: vec![(String::new(), Var::Bytes(b"abcd".to_vec()))] }
        );
        assert_eq!(verdict(&four, b"abc", &[1]), fail(MissKind::Eof, Some(3)));
        let format: Format = ">H".parse().unwrap();
        assert_eq!(
            verdict(&Expect::Struct(&format), b"\x01\x02rest", &[1]),
            Check::Pass { used: 2, bound: vec![(String::new(), Var::Int(258))] }
        );
    }

    #[test]
    fn datagrams_are_whole() {
        let e = Expect::Exact(b"ping".to_vec());
        assert_eq!(check_datagram(&e, b"ping"), Check::Pass { used: 4, bound: vec![] });
        assert_eq!(check_datagram(&e, b"pingpong"), fail(MissKind::Length, Some(4)));
        assert_eq!(check_datagram(&e, b"pong"), fail(MissKind::Differs, Some(1)));
        assert_eq!(check_datagram(&Expect::Bytes(3), b"ab"), fail(MissKind::Length, None));
        let p = Pattern::new(r"(?s)(?P<id>..)rest").unwrap();
        assert_eq!(
            check_datagram(&Expect::Regex(&p), b"\x12\x34rest"),
            Check::Pass { used: 6, bound: vec![("id".to_string(), Var::Bytes(b"\x12\x34".to_vec()))] }
        );
        assert_eq!(check_datagram(&Expect::Regex(&p), b"\x12\x34rest!"), fail(MissKind::Differs, None));
    }

    #[test]
    fn an_open_pattern_says_so_when_time_runs_out() {
        let p = Pattern::new(r"\d+").unwrap();
        let e = Expect::Regex(&p);
        let mut state = State::default();
        assert_eq!(check_stream(&e, &mut state, b"12", false), Check::More);
        assert_eq!(timed_out(&e, &state, b"12").kind, MissKind::OpenEnded);
        let mut state = State::default();
        assert_eq!(check_stream(&e, &mut state, b"", false), Check::More);
        assert_eq!(timed_out(&e, &state, b"").kind, MissKind::Timeout);
    }

    fn patterns() -> Vec<Pattern> {
        [r"[^\n]*\n", r"\d+", r"(?s).*?\r\n\r\n", r"a|ab", r"(?P<x>[a-c]{2,3})b", r"HTTP/1\.[01] 200"]
            .iter()
            .map(|p| Pattern::new(p).unwrap())
            .collect()
    }

    proptest! {
        /// However the peer's bytes are cut into recv chunks, every kind
        /// of expect gives the same verdict as with all of them at once.
        #[test]
        fn any_split_gives_the_same_verdict(
            bytes in proptest::collection::vec(prop::sample::select(b"abc12\r\n HTTP/1.0".to_vec()), 0..40),
            cuts in proptest::collection::vec(0usize..40, 0..8),
            want in proptest::collection::vec(prop::sample::select(b"abc\n".to_vec()), 0..6),
            n in 0usize..12,
        ) {
            let format: Format = ">HB".parse().unwrap();
            let patterns = patterns();
            let mut expects = vec![
                Expect::Exact(want.clone()),
                Expect::Bytes(n),
                Expect::Struct(&format),
                Expect::Eof,
            ];
            expects.extend(patterns.iter().map(Expect::Regex));
            for expect in &expects {
                let whole = verdict(expect, &bytes, &[]);
                let cut = verdict(expect, &bytes, &cuts);
                prop_assert_eq!(&whole, &cut, "{:?}", expect);
            }
        }
    }
}
