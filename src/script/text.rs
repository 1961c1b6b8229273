//! The bytes a step sends or expects, as written: Python's bytes-literal
//! escapes (`\n`, `\x00`, `\\`), `{name}` for a variable as in an
//! f-string (`{{` and `}}` for braces), or a whole `b'...'` literal; and
//! the values of a `>struct` step. Positions are kept so that a mistake is
//! told with its column.

use std::collections::HashMap;
use std::fmt;

use crate::decode::{PyBytes, Value};
use crate::i18n::Msg;
use crate::msg;

/// A value a step bound: bytes, or a number read by `<struct`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Var {
    Bytes(Vec<u8>),
    Int(i128),
    Float(f64),
    Bool(bool),
}

impl Var {
    /// Its bytes inside a text, as an f-string writes the value: numbers
    /// in decimal, bytes as themselves.
    pub(crate) fn text_bytes(&self) -> Vec<u8> {
        match self {
            Var::Bytes(b) => b.clone(),
            other => other.to_string().into_bytes(),
        }
    }

    pub(crate) fn from_value(value: &Value) -> Var {
        match value {
            Value::Int(n) => Var::Int(i128::from(*n)),
            Value::UInt(n) => Var::Int(i128::from(*n)),
            Value::Float(x) => Var::Float(*x),
            Value::Bool(b) => Var::Bool(*b),
            Value::Bytes(b) => Var::Bytes(b.clone()),
        }
    }

    fn kind(&self) -> VarKind {
        match self {
            Var::Bytes(_) => VarKind::Bytes,
            Var::Int(_) | Var::Bool(_) => VarKind::Int,
            Var::Float(_) => VarKind::Float,
        }
    }
}

/// As Python's repr: `5`, `1.5`, `True`, `b'abc'`.
impl fmt::Display for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Var::Bytes(b) => PyBytes(b).fmt(f),
            Var::Int(n) => write!(f, "{n}"),
            Var::Float(x) => Value::Float(*x).fmt(f),
            Var::Bool(b) => Value::Bool(*b).fmt(f),
        }
    }
}

/// What the checker knows of a variable before the script runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum VarKind {
    Bytes,
    Int,
    Float,
}

impl VarKind {
    pub(super) fn of(value: &Value) -> VarKind {
        Var::from_value(value).kind()
    }
}

/// The variables bound so far while the script runs.
pub(super) type Vars = HashMap<String, Var>;

/// Bytes with variables in them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Text {
    pub(crate) pieces: Vec<Piece>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Piece {
    Bytes(Vec<u8>),
    Var(String),
}

impl Text {
    /// The bytes, with each variable's value in its place.
    pub(crate) fn bytes(&self, vars: &Vars) -> Vec<u8> {
        let mut out = Vec::new();
        for piece in &self.pieces {
            match piece {
                Piece::Bytes(b) => out.extend_from_slice(b),
                Piece::Var(name) => out.extend(vars.get(name).map(Var::text_bytes).unwrap_or_default()),
            }
        }
        out
    }

    pub(crate) fn vars(&self) -> impl Iterator<Item = &str> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Var(name) => Some(name.as_str()),
            Piece::Bytes(_) => None,
        })
    }
}

/// How many bytes `<bytes` takes: a number, or a variable's.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Count {
    Fixed(usize),
    Var(String),
}

/// One value of `>struct FORMAT V, ...`, as Python would write it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ValueExpr {
    Int(i128),
    Float(f64),
    Bool(bool),
    Bytes(Vec<u8>),
    Var(String),
    /// `len(name)`: the length of bytes bound earlier.
    Len(String),
}

impl ValueExpr {
    /// Its value now; None for a variable not bound (the checker rules it out).
    pub(crate) fn value(&self, vars: &Vars) -> Option<Value> {
        Some(match self {
            ValueExpr::Int(n) => int_value(*n),
            ValueExpr::Float(x) => Value::Float(*x),
            ValueExpr::Bool(b) => Value::Bool(*b),
            ValueExpr::Bytes(b) => Value::Bytes(b.clone()),
            ValueExpr::Var(name) => match vars.get(name)? {
                Var::Bytes(b) => Value::Bytes(b.clone()),
                Var::Int(n) => int_value(*n),
                Var::Float(x) => Value::Float(*x),
                Var::Bool(b) => Value::Bool(*b),
            },
            ValueExpr::Len(name) => match vars.get(name)? {
                Var::Bytes(b) => Value::UInt(b.len() as u64),
                _ => return None,
            },
        })
    }
}

fn int_value(n: i128) -> Value {
    match u64::try_from(n) {
        Ok(n) => Value::UInt(n),
        Err(_) => Value::Int(i64::try_from(n).unwrap_or(i64::MIN)),
    }
}

/// A mistake in a text, at a column (in characters, from 1, of the line).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Bad {
    pub(crate) column: usize,
    pub(crate) problem: Msg,
}

/// Reads TEXT starting at `column`: a whole `b'...'` literal (Python's
/// rules, no variables), or text with escapes and `{name}`, its other
/// characters as UTF-8.
pub(super) fn parse_text(text: &str, column: usize) -> Result<Text, Bad> {
    if let Some(quote) = literal_quote(text) {
        let inner = &text[2..text.len() - 1];
        let bytes = unescape(inner, column + 2, Some(quote))?;
        return Ok(Text { pieces: vec![Piece::Bytes(bytes)] });
    }
    if (text.starts_with("b'") || text.starts_with("b\"")) && !text.ends_with(&text[1..2]) {
        return Err(Bad { column, problem: msg!("script-literal-unclosed", quote = &text[1..2]) });
    }
    let mut pieces = Vec::new();
    let mut plain = String::new();
    let mut plain_at = column;
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let flush = |plain: &mut String, at: usize, pieces: &mut Vec<Piece>| -> Result<(), Bad> {
        if !plain.is_empty() {
            let bytes = unescape(plain, at, None)?;
            match pieces.last_mut() {
                Some(Piece::Bytes(b)) => b.extend(bytes),
                _ => pieces.push(Piece::Bytes(bytes)),
            }
            plain.clear();
        }
        Ok(())
    };
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' if i + 1 < chars.len() => {
                // An escape stays whole in the plain run: `\{` is not a brace.
                if plain.is_empty() {
                    plain_at = column + i;
                }
                plain.push(c);
                plain.push(chars[i + 1]);
                i += 2;
                continue;
            }
            '{' if chars.get(i + 1) == Some(&'{') => {
                flush(&mut plain, plain_at, &mut pieces)?;
                push_bytes(&mut pieces, b"{");
                i += 2;
                continue;
            }
            '}' if chars.get(i + 1) == Some(&'}') => {
                flush(&mut plain, plain_at, &mut pieces)?;
                push_bytes(&mut pieces, b"}");
                i += 2;
                continue;
            }
            '{' => {
                let rest: String = chars[i + 1..].iter().collect();
                if let Some(end) = rest.find('}') {
                    let name = &rest[..end];
                    if is_name(name) {
                        flush(&mut plain, plain_at, &mut pieces)?;
                        pieces.push(Piece::Var(name.to_string()));
                        i += name.chars().count() + 2;
                        continue;
                    }
                }
            }
            _ => {}
        }
        if plain.is_empty() {
            plain_at = column + i;
        }
        plain.push(c);
        i += 1;
    }
    flush(&mut plain, plain_at, &mut pieces)?;
    Ok(Text { pieces })
}

fn push_bytes(pieces: &mut Vec<Piece>, bytes: &[u8]) {
    match pieces.last_mut() {
        Some(Piece::Bytes(b)) => b.extend_from_slice(bytes),
        _ => pieces.push(Piece::Bytes(bytes.to_vec())),
    }
}

/// `b'...'` or `b"..."` whole: the quote.
fn literal_quote(text: &str) -> Option<char> {
    let quote = text.strip_prefix('b')?.chars().next().filter(|&q| q == '\'' || q == '"')?;
    (text.len() >= 3 && text.ends_with(quote)).then_some(quote)
}

/// A Python identifier, ASCII: what `as NAME` and `{NAME}` take.
pub(super) fn is_name(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Python's escapes: `\\ \' \" \a \b \f \n \r \t \v \xhh \ooo`. Unlike
/// Python, an unknown escape is a mistake, not a backslash kept: in a
/// script it is far more often a typo. In a `b'...'` literal (`quote`),
/// only ASCII is allowed and the quote must be escaped, as in Python.
fn unescape(text: &str, column: usize, quote: Option<char>) -> Result<Vec<u8>, Bad> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let bad = |at: usize, problem: Msg| Err(Bad { column: column + at, problem });
    while i < chars.len() {
        let c = chars[i];
        if Some(c) == quote {
            return bad(i, msg!("script-literal-quote", quote = c.to_string()));
        }
        if c != '\\' {
            if quote.is_some() && !c.is_ascii() {
                let hex = format!("{:02x}", c.to_string().as_bytes()[0]);
                return bad(i, msg!("script-literal-ascii", char = c.to_string(), hex = hex));
            }
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            i += 1;
            continue;
        }
        let Some(&e) = chars.get(i + 1) else {
            return bad(i, msg!("script-lone-backslash"));
        };
        let simple = match e {
            '\\' => Some(b'\\'),
            '\'' => Some(b'\''),
            '"' => Some(b'"'),
            'a' => Some(0x07),
            'b' => Some(0x08),
            'f' => Some(0x0c),
            'n' => Some(b'\n'),
            'r' => Some(b'\r'),
            't' => Some(b'\t'),
            'v' => Some(0x0b),
            '{' | '}' if quote.is_none() => Some(e as u8),
            _ => None,
        };
        if let Some(byte) = simple {
            out.push(byte);
            i += 2;
            continue;
        }
        match e {
            'x' => {
                let hex: String = chars.iter().skip(i + 2).take(2).collect();
                match u8::from_str_radix(&hex, 16) {
                    Ok(byte) if hex.len() == 2 && hex.chars().all(|c| c.is_ascii_hexdigit()) => {
                        out.push(byte);
                        i += 4;
                    }
                    _ => return bad(i, msg!("script-escape-x", hex = hex)),
                }
            }
            '0'..='7' => {
                let digits: String =
                    chars.iter().skip(i + 1).take(3).take_while(|c| ('0'..='7').contains(*c)).collect();
                let value = u32::from_str_radix(&digits, 8).unwrap_or(0);
                match u8::try_from(value) {
                    Ok(byte) => out.push(byte),
                    Err(_) => return bad(i, msg!("script-escape-octal", digits = digits)),
                }
                i += 1 + digits.len();
            }
            other => return bad(i, msg!("script-escape-unknown", escape = format!("\\{other}"))),
        }
    }
    Ok(out)
}

/// One value of a `>struct` step: 5, -1, 0x1f, 1.5, True, b'..', name,
/// len(name).
pub(super) fn parse_value(text: &str, column: usize) -> Result<ValueExpr, Bad> {
    let bad = || Bad { column, problem: msg!("script-value-bad", text = text) };
    if let Some(name) = text.strip_prefix("len(").and_then(|t| t.strip_suffix(')')) {
        let name = name.trim();
        return if is_name(name) { Ok(ValueExpr::Len(name.to_string())) } else { Err(bad()) };
    }
    match text {
        "True" => return Ok(ValueExpr::Bool(true)),
        "False" => return Ok(ValueExpr::Bool(false)),
        _ => {}
    }
    if literal_quote(text).is_some() {
        let Piece::Bytes(bytes) = parse_text(text, column)?.pieces.remove(0) else { return Err(bad()) };
        return Ok(ValueExpr::Bytes(bytes));
    }
    if is_name(text) {
        return Ok(ValueExpr::Var(text.to_string()));
    }
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let digits = digits.replace('_', "");
    let int = match digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        Some(hex) => i128::from_str_radix(hex, 16).ok(),
        None => digits.parse::<i128>().ok(),
    };
    if let Some(n) = int {
        return Ok(ValueExpr::Int(if negative { -n } else { n }));
    }
    match text.parse::<f64>() {
        Ok(x) if text.chars().any(|c| c.is_ascii_digit()) => Ok(ValueExpr::Float(x)),
        _ => Err(bad()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(text: &str) -> Vec<u8> {
        parse_text(text, 3).unwrap().bytes(&Vars::new())
    }

    fn column(text: &str) -> usize {
        parse_text(text, 3).unwrap_err().column
    }

    #[test]
    fn escapes_are_pythons() {
        assert_eq!(bytes("Hello serveur !"), b"Hello serveur !");
        assert_eq!(bytes(r"GET / HTTP/1.0\r\n\r\n"), b"GET / HTTP/1.0\r\n\r\n");
        assert_eq!(bytes(r#"\x00\x01\xff\\\'\"\t\0\101"#), b"\x00\x01\xff\\'\"\t\0A");
        assert_eq!(bytes("fête"), "fête".as_bytes());
        assert_eq!(bytes(r"b'\x01\x02Hello'"), b"\x01\x02Hello");
        assert_eq!(bytes(r#"b"it's ""#), b"it's ");
        assert_eq!(bytes("b''"), b"");
        assert_eq!(bytes("{{\"a\": 1}}"), b"{\"a\": 1}");
        assert_eq!(bytes("{\"a\": 1}"), b"{\"a\": 1}");
        assert_eq!(bytes(r"\{x\}"), b"{x}");
    }

    #[test]
    fn variables_take_their_values() {
        let text = parse_text(r"TOKEN {token} n={n}\n", 3).unwrap();
        assert_eq!(text.vars().collect::<Vec<_>>(), ["token", "n"]);
        let vars = Vars::from([("token".into(), Var::Bytes(b"ab\x00".to_vec())), ("n".into(), Var::Int(42))]);
        assert_eq!(text.bytes(&vars), b"TOKEN ab\x00 n=42\n");
    }

    #[test]
    fn mistakes_name_their_column() {
        // Columns count from 3 here: the text starts after "> ".
        assert_eq!(column(r"ab\q"), 5);
        assert_eq!(column(r"\x4"), 3);
        assert_eq!(column(r"x\777"), 4);
        assert_eq!(column(r"b'é'"), 5);
        assert_eq!(column(r"b'it's'"), 7);
        assert_eq!(column("b'open"), 3);
        assert_eq!(column("tail\\"), 7);
        let problem = parse_text(r"a\q", 1).unwrap_err().problem;
        assert_eq!(problem.id(), Some("script-escape-unknown"));
    }

    #[test]
    fn struct_values() {
        assert_eq!(parse_value("258", 1), Ok(ValueExpr::Int(258)));
        assert_eq!(parse_value("-0x10", 1), Ok(ValueExpr::Int(-16)));
        assert_eq!(parse_value("1.5", 1), Ok(ValueExpr::Float(1.5)));
        assert_eq!(parse_value("True", 1), Ok(ValueExpr::Bool(true)));
        assert_eq!(parse_value("b'ab'", 1), Ok(ValueExpr::Bytes(b"ab".to_vec())));
        assert_eq!(parse_value("n", 1), Ok(ValueExpr::Var("n".into())));
        assert_eq!(parse_value("len(body)", 1), Ok(ValueExpr::Len("body".into())));
        assert!(parse_value("2x", 1).is_err());
        assert!(parse_value("len(2)", 1).is_err());
    }

    #[test]
    fn values_show_as_python_shows_them() {
        assert_eq!(Var::Bytes(b"a\n".to_vec()).to_string(), "b'a\\n'");
        assert_eq!(Var::Int(-5).to_string(), "-5");
        assert_eq!(Var::Float(2.0).to_string(), "2.0");
        assert_eq!(Var::Bool(true).to_string(), "True");
    }
}
