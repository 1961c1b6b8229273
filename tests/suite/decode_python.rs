//! Checks netplay's `struct` decoding against the real thing: python3's `struct` module.
//!
//! Each property test starts one python3 process and asks it about every generated case
//! over stdin/stdout, one JSON line each way, so thousands of comparisons take seconds and
//! proptest can still shrink a failure down to a single small format.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use netplay::decode::{Format, FormatProblem, MAX_SIZE};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence, TestCaseError, TestRunner};
use serde::Deserialize;

/// Long enough for a busy 2-core machine to start python3; a hung oracle still fails.
const REPLY_TIMEOUT: Duration = Duration::from_secs(20);

/// Answers `{"format": ..., "hex": ...}` lines; "hex" is optional, to only check the format.
/// Errors are reported, not raised, so one odd case cannot end the process.
const ORACLE: &str = r#"
import json, struct, sys
for line in sys.stdin:
    request = json.loads(line)
    reply = {}
    try:
        compiled = struct.Struct(request["format"])
    except Exception as e:
        reply["format_error"] = f"{type(e).__name__}: {e}"
    else:
        reply["size"] = compiled.size
        if "hex" in request:
            try:
                values = compiled.unpack_from(bytes.fromhex(request["hex"]))
                reply["repr"] = repr(values)
            except Exception as e:
                reply["unpack_error"] = f"{type(e).__name__}: {e}"
    print(json.dumps(reply), flush=True)
"#;

#[derive(Debug, Deserialize)]
struct Reply {
    size: Option<usize>,
    repr: Option<String>,
    format_error: Option<String>,
    unpack_error: Option<String>,
}

struct Python {
    child: Child,
    requests: Sender<String>,
    replies: Receiver<String>,
    /// Set once python3 hangs or dies, so later cases (and shrinking) fail at once.
    broken: Option<String>,
    queries: usize,
}

impl Python {
    fn start() -> Python {
        let mut child = Command::new("python3")
            .args(["-c", ORACLE])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("these tests need python3 on PATH");
        let mut stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        // Both directions go through threads so that `ask` can give up after a timeout:
        // a hung python3 blocks a big write as surely as it blocks the reply.
        let (requests, lines) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in lines {
                if stdin.write_all(line.as_bytes()).is_err() {
                    break;
                }
            }
        });
        let (sender, replies) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Python { child, requests, replies, broken: None, queries: 0 }
    }

    fn ask(&mut self, format: &str, bytes: Option<&[u8]>) -> Result<Reply, TestCaseError> {
        if let Some(reason) = &self.broken {
            return Err(TestCaseError::fail(format!("python3 failed earlier: {reason}")));
        }
        let mut request = serde_json::json!({ "format": format });
        if let Some(bytes) = bytes {
            request["hex"] = hex(bytes).into();
        }
        let answer = self
            .requests
            .send(format!("{request}\n"))
            .map_err(|_| "python3 exited".to_owned())
            .and_then(|()| match self.replies.recv_timeout(REPLY_TIMEOUT) {
                Ok(line) => Ok(line),
                Err(RecvTimeoutError::Timeout) => {
                    Err(format!("python3 gave no answer within {REPLY_TIMEOUT:?} for {format:?}"))
                }
                Err(RecvTimeoutError::Disconnected) => Err("python3 exited".to_owned()),
            })
            .and_then(|line| serde_json::from_str(&line).map_err(|e| format!("bad reply {line:?}: {e}")));
        match answer {
            Ok(reply) => {
                self.queries += 1;
                Ok(reply)
            }
            Err(reason) => {
                let _ = self.child.kill();
                self.broken = Some(reason.clone());
                Err(TestCaseError::fail(reason))
            }
        }
    }
}

impl Drop for Python {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut out, byte| {
        let _ = write!(out, "{byte:02x}");
        out
    })
}

/// Failing seeds go to tests/decode_python.proptest-regressions, replayed on the next run.
/// (The default looks for a src/ tree next to the test, which tests/ doesn't have.)
const PERSISTENCE: FileFailurePersistence = FileFailurePersistence::WithSource("proptest-regressions");

/// Runs `test` on `cases` values of `strategy`, all against one python3 process.
fn run_against_python<S: Strategy>(
    name: &str,
    cases: u32,
    strategy: S,
    test: impl Fn(&mut Python, S::Value) -> Result<(), TestCaseError>,
) {
    let python = RefCell::new(Python::start());
    let config = Config {
        cases,
        source_file: Some(file!()),
        failure_persistence: Some(Box::new(PERSISTENCE)),
        ..Config::default()
    };
    let result = TestRunner::new(config).run(&strategy, |case| test(&mut python.borrow_mut(), case));
    if let Err(error) = result {
        panic!("{name}: {error}");
    }
    // Visible with --nocapture; also proves the oracle really answered.
    let queries = python.borrow().queries;
    println!("{name}: {queries} comparisons with python3");
    assert!(queries >= cases as usize, "{name}: python3 answered only {queries} times");
}

/// Compares size, decoded values and too-short errors for one format and input.
fn check_unpack(python: &mut Python, text: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let reply = python.ask(text, Some(bytes))?;
    let format: Format = match (text.parse(), &reply.format_error) {
        (Ok(format), None) => format,
        (ours, theirs) => {
            return Err(TestCaseError::fail(format!(
                "{text:?}: netplay says {ours:?}, python says {theirs:?}"
            )));
        }
    };
    prop_assert_eq!(Some(format.size()), reply.size, "calcsize({:?})", text);
    match (format.unpack_from(bytes), reply.repr, reply.unpack_error) {
        (Ok(values), Some(repr), None) => {
            prop_assert_eq!(values.to_string(), repr, "unpack_from({:?}, {})", text, hex(bytes));
        }
        // Python's `struct.error` is named plain "error".
        (Err(_), None, Some(error)) if error.starts_with("error:") => {}
        (ours, repr, error) => {
            return Err(TestCaseError::fail(format!(
                "unpack_from({text:?}, {}): netplay {ours:?}, python {repr:?} / {error:?}",
                hex(bytes)
            )));
        }
    }
    Ok(())
}

/// Random formats Python accepts: a random prefix, then a few codes with small counts.
fn valid_format() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["", "@", "=", "<", ">", "!"]).prop_flat_map(|prefix| {
        let codes = if matches!(prefix, "" | "@") { "xcbB?hHiIlLqQnNPefdsp" } else { "xcbB?hHiIlLqQefdsp" };
        let item = (
            prop::sample::select(codes.chars().collect::<Vec<_>>()),
            prop::option::of(0..6u32),
            prop::sample::select(vec!["", "", "", " ", "\t"]),
        )
            .prop_map(|(code, count, space)| match (code, count) {
                // Python 3.11 raises SystemError on '0p': it reads a length byte that isn't
                // there. netplay returns b'' instead, so keep '0p' out of the comparison.
                ('p', Some(0)) => format!("1p{space}"),
                (_, Some(count)) => format!("{count}{code}{space}"),
                (_, None) => format!("{code}{space}"),
            });
        prop::collection::vec(item, 0..8).prop_map(move |items| format!("{prefix}{}", items.concat()))
    })
}

/// Random bytes, with extra weight on the ones that stress reprs and signs.
fn byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => any::<u8>(),
        1 => prop::sample::select(b"\0\x01\x7f\x80\xff'\"\\\t\n\r ?@".to_vec()),
    ]
}

/// A valid format and bytes: mostly exactly `calcsize` long, sometimes short or long.
fn format_and_bytes() -> impl Strategy<Value = (String, Vec<u8>)> {
    valid_format().prop_flat_map(|text| {
        // A format netplay rejects gets size 0 here and fails in the test, as it should.
        let size = text.parse::<Format>().map_or(0, |format| format.size());
        let len = prop_oneof![6 => Just(size), 2 => 0..=size, 1 => size..size + 4];
        let bytes = len.prop_flat_map(|len| prop::collection::vec(byte(), len));
        (Just(text), bytes)
    })
}

/// Doubles where repr is hardest: short decimals, values either side of powers of ten
/// (where Python changes notation), and every class of raw bit pattern.
fn tricky_f64() -> impl Strategy<Value = f64> {
    let decimal = (1u64..100_000_000_000_000_000, -30i32..30)
        .prop_map(|(mantissa, exponent)| format!("{mantissa}e{exponent}").parse().unwrap());
    let near_power_of_ten = (1u64..=9, -8i32..20, -2i64..=2).prop_map(|(digit, exponent, ulps)| {
        let x: f64 = format!("{digit}e{exponent}").parse().unwrap();
        f64::from_bits(x.to_bits().wrapping_add_signed(ulps))
    });
    prop_oneof![any::<f64>(), decimal, near_power_of_ten]
}

fn float_case() -> impl Strategy<Value = (String, Vec<u8>)> {
    let single = prop_oneof![
        any::<f32>(),
        (1u32..10_000_000, -12i32..12)
            .prop_map(|(mantissa, exponent)| format!("{mantissa}e{exponent}").parse().unwrap()),
    ];
    prop_oneof![
        tricky_f64().prop_map(|x| ("<d".to_owned(), x.to_le_bytes().to_vec())),
        tricky_f64().prop_map(|x| (">d".to_owned(), x.to_be_bytes().to_vec())),
        single.prop_map(|x: f32| ("<f".to_owned(), x.to_le_bytes().to_vec())),
    ]
}

#[test]
fn random_formats_decode_like_python() {
    run_against_python("random formats", 4000, format_and_bytes(), |python, (text, bytes)| {
        check_unpack(python, &text, &bytes)
    });
}

#[test]
fn floats_print_like_python_repr() {
    run_against_python("floats", 4000, float_case(), |python, (text, bytes)| {
        check_unpack(python, &text, &bytes)
    });
}

/// Any string over the format alphabet (plus a few bad characters): netplay must accept
/// exactly what Python accepts, with the same size, except sizes over netplay's limit.
#[test]
fn format_validity_and_size_match_python() {
    let strategy = "[@=<>!xcbB?hHiIlLqQnNPefdsp0-9 \t\x0b\x00zé]{0,10}";
    run_against_python("format strings", 4000, strategy, |python, text| {
        let reply = python.ask(&text, None)?;
        match (text.parse::<Format>(), reply.size) {
            (Ok(format), Some(size)) => {
                prop_assert_eq!(format.size(), size, "calcsize({:?})", text)
            }
            // Python only refuses sizes over isize::MAX, so netplay's limit may come first.
            (Err(e), Some(size)) if e.problem == FormatProblem::TooLarge => {
                prop_assert!(size > MAX_SIZE, "{:?}: netplay says {}, python {}", text, e, size);
            }
            (Err(_), None) => {}
            (ours, _) => {
                return Err(TestCaseError::fail(format!(
                    "{text:?}: netplay {ours:?}, python {:?}",
                    reply.format_error
                )));
            }
        }
        Ok(())
    });
}

/// There are only 65536 half floats, so compare all of them in one query.
#[test]
fn every_half_float_matches_python() {
    let mut python = Python::start();
    let count = 1usize << 16;
    let text = format!("<{count}e");
    let bytes: Vec<u8> = (0..=u16::MAX).flat_map(u16::to_le_bytes).collect();
    let reply = python.ask(&text, Some(&bytes)).expect("python3 answers");
    let ours = text.parse::<Format>().unwrap().unpack_from(&bytes).unwrap().to_string();
    let theirs = reply.repr.expect("python decodes every half float");
    let split = |repr: &str| -> Vec<String> {
        let inner = repr.trim_start_matches('(').trim_end_matches(')');
        inner.split(", ").map(str::to_owned).collect()
    };
    let (ours, theirs) = (split(&ours), split(&theirs));
    assert_eq!(ours.len(), count);
    assert_eq!(theirs.len(), count);
    for (bits, (a, b)) in ours.iter().zip(&theirs).enumerate() {
        assert_eq!(a, b, "half float {bits:#06x}");
    }
}

proptest! {
    #![proptest_config(Config {
        cases: 2000,
        failure_persistence: Some(Box::new(PERSISTENCE)),
        ..Config::default()
    })]

    #[test]
    fn any_string_and_bytes_never_panic(
        text in any::<String>(),
        bytes in prop::collection::vec(any::<u8>(), 0..64),
    ) {
        match text.parse::<Format>() {
            Ok(format) => {
                let _ = format.unpack_from(&bytes).map(|values| values.to_string());
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn format_like_strings_never_panic(
        text in "[@=<>!xcbB?hHiIlLqQnNPefdsp0-9 ]{0,40}",
        bytes in prop::collection::vec(any::<u8>(), 0..256),
    ) {
        if let Ok(format) = text.parse::<Format>() {
            prop_assert!(format.size() <= MAX_SIZE);
            // Exactly enough bytes must always decode; keep it small to stay fast.
            if format.size() <= 4096 {
                let exact = vec![0xa5; format.size()];
                prop_assert!(format.unpack_from(&exact).is_ok());
            }
            let _ = format.unpack_from(&bytes).map(|values| values.to_string());
        }
    }
}
