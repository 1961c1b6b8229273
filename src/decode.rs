//! Decoding bytes with Python `struct` format strings, so `--decode '>h'` shows what
//! `struct.unpack` would print: people learn wire formats from Python examples, and
//! matching CPython 3.11 exactly lets them check netplay against what they already know.
//!
//! ```
//! use netplay::decode::Format;
//!
//! let format: Format = ">h".parse().unwrap();
//! assert_eq!(format.size(), 2);
//! assert_eq!(format.unpack_from(&[1, 2]).unwrap().to_string(), "(258,)");
//! ```

use crate::i18n::Msg;
use crate::msg;
use std::ffi::{c_int, c_long, c_longlong, c_short, c_void};
use std::fmt::{self, Write as _};
use std::mem::{align_of, size_of};
use std::str::FromStr;

use colored::Color;
use thiserror::Error;

/// Largest total size, in bytes, a format may describe.
///
/// Python accepts anything up to `isize::MAX` and only fails later, when no buffer is that
/// big. A socket playground never reads anywhere near 16 MiB in one go, and rejecting
/// absurd repeat counts while parsing turns a typo like `99999999h` into a clear error.
pub const MAX_SIZE: usize = 16 * 1024 * 1024;

/// A parsed and validated `struct` format string, such as `>hh4s`.
///
/// Parse it with [`str::parse`]; it displays as the text it was parsed from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Format {
    text: String,
    order: Order,
    /// Fields to decode, with their offsets already padded for native alignment.
    /// Pad bytes (`x`) and zero-count numeric codes decode to nothing, so they are left out.
    items: Vec<Item>,
    size: usize,
    value_count: usize,
}

/// One decoded value, printed the way Python's `repr` prints it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(i64),
    UInt(u64),
    Float(f64),
    Bool(bool),
    /// From `c` (one byte), `s` and `p`.
    Bytes(Vec<u8>),
}

/// Everything one format decoded to, printed as Python prints the tuple: `(258,)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Values(pub Vec<Value>);

/// A format string that Python's `struct` module would reject, or that is too big.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
// Escaped so a stray control character in the format can't garble the terminal.
#[error(
    "{}",
    msg!(
        "format-bad",
        format = format.escape_debug().to_string(),
        problem = problem.message(),
        position = *position,
        hint = problem.hint()
    )
)]
pub struct FormatError {
    pub(crate) format: String,
    /// 1-based position, in characters, of the offending character or repeat count.
    pub(crate) position: usize,
    pub problem: FormatProblem,
}

/// What is wrong with a format string.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}", self.message())]
pub enum FormatProblem {
    UnknownCode(char),
    NativeOnlyCode(char),
    MisplacedByteOrder(char),
    CountWithoutCode,
    TooLarge,
}

/// Why some bytes could not be decoded with a valid format.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DecodeError {
    #[error("{}", msg!("decode-too-short", format = format.escape_debug().to_string(), needed = *needed, got = *got))]
    TooShort { format: String, needed: usize, got: usize },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    Little,
    Big,
}

const NATIVE_ORDER: Order = if cfg!(target_endian = "little") { Order::Little } else { Order::Big };

/// How the bytes of one code turn into a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Pad,
    Char,
    Signed,
    Unsigned,
    Bool,
    Float,
    /// `s`: all `count` bytes as one value.
    Bytes,
    /// `p`: like `s`, but the first byte holds the length.
    Pascal,
}

/// Size and alignment of one code, as in CPython's `formatdef` tables.
#[derive(Debug, Clone, Copy)]
struct Layout {
    kind: Kind,
    size: usize,
    align: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Item {
    kind: Kind,
    /// Size of one element; for `s` and `p` the element is a byte and `count` is the length.
    size: usize,
    count: usize,
    offset: usize,
    /// The code as written (`h`, `H`, ...), for pack's range errors.
    code: char,
}

impl Item {
    fn byte_len(&self) -> usize {
        self.size * self.count
    }
}

const fn layout(kind: Kind, size: usize, align: usize) -> Layout {
    Layout { kind, size, align }
}

/// The codes with the sizes and alignments of this machine's C compiler, like `@` in Python.
fn native_layout(code: char) -> Option<Layout> {
    use Kind::*;
    Some(match code {
        'x' => layout(Pad, 1, 1),
        'c' => layout(Char, 1, 1),
        'b' => layout(Signed, 1, 1),
        'B' => layout(Unsigned, 1, 1),
        '?' => layout(Bool, size_of::<bool>(), align_of::<bool>()),
        'h' => layout(Signed, size_of::<c_short>(), align_of::<c_short>()),
        'H' => layout(Unsigned, size_of::<c_short>(), align_of::<c_short>()),
        'i' => layout(Signed, size_of::<c_int>(), align_of::<c_int>()),
        'I' => layout(Unsigned, size_of::<c_int>(), align_of::<c_int>()),
        'l' => layout(Signed, size_of::<c_long>(), align_of::<c_long>()),
        'L' => layout(Unsigned, size_of::<c_long>(), align_of::<c_long>()),
        'q' => layout(Signed, size_of::<c_longlong>(), align_of::<c_longlong>()),
        'Q' => layout(Unsigned, size_of::<c_longlong>(), align_of::<c_longlong>()),
        'n' => layout(Signed, size_of::<isize>(), align_of::<isize>()),
        'N' => layout(Unsigned, size_of::<usize>(), align_of::<usize>()),
        'P' => layout(Unsigned, size_of::<*const c_void>(), align_of::<*const c_void>()),
        // CPython stores a half float like a short.
        'e' => layout(Float, 2, align_of::<c_short>()),
        'f' => layout(Float, size_of::<f32>(), align_of::<f32>()),
        'd' => layout(Float, size_of::<f64>(), align_of::<f64>()),
        's' => layout(Bytes, 1, 1),
        'p' => layout(Pascal, 1, 1),
        _ => return None,
    })
}

/// The codes with the fixed sizes of `=`, `<`, `>` and `!`, which never align.
fn standard_layout(code: char) -> Option<Layout> {
    use Kind::*;
    let (kind, size) = match code {
        'x' => (Pad, 1),
        'c' => (Char, 1),
        'b' => (Signed, 1),
        'B' => (Unsigned, 1),
        '?' => (Bool, 1),
        'h' => (Signed, 2),
        'H' => (Unsigned, 2),
        'i' | 'l' => (Signed, 4),
        'I' | 'L' => (Unsigned, 4),
        'q' => (Signed, 8),
        'Q' => (Unsigned, 8),
        'e' => (Float, 2),
        'f' => (Float, 4),
        'd' => (Float, 8),
        's' => (Bytes, 1),
        'p' => (Pascal, 1),
        _ => return None,
    };
    Some(layout(kind, size, 1))
}

/// The byte order and whether sizes are native, for a format's optional first character.
fn byte_order(prefix: char) -> Option<(Order, bool)> {
    match prefix {
        '@' => Some((NATIVE_ORDER, true)),
        '=' => Some((NATIVE_ORDER, false)),
        '<' => Some((Order::Little, false)),
        '>' | '!' => Some((Order::Big, false)),
        _ => None,
    }
}

/// Python's `Py_ISSPACE`, which unlike `char::is_ascii_whitespace` includes vertical tab.
fn is_python_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c')
}

impl FromStr for Format {
    type Err = FormatError;

    /// Parses like CPython's `prepare_s`: only the first character may pick the byte order,
    /// whitespace may separate items but not a count from its code.
    fn from_str(text: &str) -> Result<Self, FormatError> {
        let error = |position: usize, problem| FormatError { format: text.to_owned(), position, problem };
        // Positions are 1-based so they match how people count characters in the message.
        let mut chars = (1..).zip(text.chars()).peekable();

        let prefix = chars.peek().and_then(|&(_, c)| byte_order(c));
        if prefix.is_some() {
            chars.next();
        }
        let (order, native) = prefix.unwrap_or((NATIVE_ORDER, true));

        let mut items = Vec::new();
        let mut size = 0usize;
        let mut value_count = 0usize;
        while let Some((start, c)) = chars.next() {
            if is_python_space(c) {
                continue;
            }
            let (count, code_position, code) = match c.to_digit(10) {
                Some(first_digit) => {
                    // Saturate instead of failing here: any count this large trips the size
                    // limit below, which is the error worth reporting.
                    let mut count = first_digit as usize;
                    while let Some(digit) = chars.peek().and_then(|&(_, c)| c.to_digit(10)) {
                        count = count.saturating_mul(10).saturating_add(digit as usize);
                        chars.next();
                    }
                    match chars.next() {
                        Some((_, c)) if is_python_space(c) => {
                            return Err(error(start, FormatProblem::CountWithoutCode));
                        }
                        Some((position, code)) => (count, position, code),
                        None => return Err(error(start, FormatProblem::CountWithoutCode)),
                    }
                }
                None => (1, start, c),
            };

            let found = if native { native_layout(code) } else { standard_layout(code) };
            let Some(Layout { kind, size: element_size, align }) = found else {
                let problem = if byte_order(code).is_some() {
                    FormatProblem::MisplacedByteOrder(code)
                } else if native_layout(code).is_some() {
                    FormatProblem::NativeOnlyCode(code)
                } else {
                    FormatProblem::UnknownCode(code)
                };
                return Err(error(code_position, problem));
            };

            // As in C (and CPython), padding goes before a field even when its count is 0,
            // which is how '@llh0l' pads the end of a struct. `size` is at most MAX_SIZE,
            // so this cannot overflow.
            if native {
                size = size.next_multiple_of(align);
            }
            let byte_len = count
                .checked_mul(element_size)
                .filter(|&len| size.checked_add(len).is_some_and(|end| end <= MAX_SIZE))
                .ok_or_else(|| error(start, FormatProblem::TooLarge))?;

            let item = Item { kind, size: element_size, count, offset: size, code };
            size += byte_len;
            match kind {
                Kind::Pad => {}
                // `0s` and `0p` still decode to one (empty) bytes value.
                Kind::Bytes | Kind::Pascal => {
                    value_count += 1;
                    items.push(item);
                }
                _ if count > 0 => {
                    value_count += count;
                    items.push(item);
                }
                _ => {}
            }
        }

        Ok(Format { text: text.to_owned(), order, items, size, value_count })
    }
}

impl Format {
    /// Number of bytes the format describes, like Python's `struct.calcsize`.
    pub fn size(&self) -> usize {
        self.size
    }

    /// Decodes the first [`size`](Self::size) bytes and ignores the rest, like Python's
    /// `struct.unpack_from`, so a format can describe just the header of a longer message.
    pub fn unpack_from(&self, bytes: &[u8]) -> Result<Values, DecodeError> {
        if bytes.len() < self.size {
            return Err(DecodeError::TooShort {
                format: self.text.clone(),
                needed: self.size,
                got: bytes.len(),
            });
        }
        let mut values = Vec::with_capacity(self.value_count);
        for item in &self.items {
            let field = &bytes[item.offset..item.offset + item.byte_len()];
            match item.kind {
                Kind::Bytes => values.push(Value::Bytes(field.to_vec())),
                Kind::Pascal => values.push(Value::Bytes(pascal_string(field).to_vec())),
                kind => values.extend(
                    field.chunks_exact(item.size).map(|chunk| decode_scalar(kind, chunk, self.order)),
                ),
            }
        }
        Ok(Values(values))
    }
}

/// Why values could not be packed with a valid format: Python's own
/// `struct.error`, in the catalogues' words.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}", self.message())]
pub(crate) enum PackError {
    /// `pack expected 2 items for packing (got 1)`.
    Count { expected: usize, got: usize },
    /// An integer code given a number outside its range.
    Range { code: String, low: i128, high: u128 },
    /// A number code given bytes, or bytes codes given a number.
    Kind { position: usize, wanted: &'static str },
    /// `c` takes bytes of length 1.
    Char,
    /// A finite float too large for `e` or `f` (Python's OverflowError).
    FloatTooLarge { code: String },
}

impl PackError {
    fn with_code(self, code: char) -> PackError {
        match self {
            PackError::Range { low, high, .. } => PackError::Range { code: code.to_string(), low, high },
            PackError::FloatTooLarge { .. } => PackError::FloatTooLarge { code: code.to_string() },
            other => other,
        }
    }

    pub(crate) fn message(&self) -> Msg {
        match self {
            PackError::Count { expected, got } => msg!("pack-count", expected = *expected, got = *got),
            PackError::Range { code, low, high } => {
                msg!("pack-range", code = code.clone(), low = low.to_string(), high = high.to_string())
            }
            PackError::Kind { position, wanted } => msg!("pack-kind", position = *position, wanted = *wanted),
            PackError::Char => msg!("pack-char"),
            PackError::FloatTooLarge { code } => msg!("pack-float-too-large", code = code.clone()),
        }
    }
}

impl Format {
    /// What each value of the format is, in order: a zeroed record
    /// unpacked (`struct.unpack(fmt, bytes(calcsize(fmt)))`).
    pub(crate) fn kinds(&self) -> Values {
        self.unpack_from(&vec![0; self.size]).unwrap_or(Values(Vec::new()))
    }

    /// The bytes of `values` in this format, as Python's `struct.pack`:
    /// integers range-checked per code, `s` padded with zeros or cut, `p`
    /// with its length byte, pad bytes and native alignment zeroed, a bool
    /// from any value's truth.
    pub(crate) fn pack(&self, values: &[Value]) -> Result<Vec<u8>, PackError> {
        if values.len() != self.value_count {
            return Err(PackError::Count { expected: self.value_count, got: values.len() });
        }
        let mut out = vec![0u8; self.size];
        let mut values = values.iter().enumerate();
        for item in &self.items {
            let field = &mut out[item.offset..item.offset + item.byte_len()];
            match item.kind {
                Kind::Bytes | Kind::Pascal => {
                    let (i, value) =
                        values.next().ok_or(PackError::Count { expected: self.value_count, got: 0 })?;
                    let Value::Bytes(bytes) = value else {
                        return Err(PackError::Kind { position: i + 1, wanted: "bytes" });
                    };
                    match item.kind {
                        Kind::Pascal if !field.is_empty() => {
                            let n = bytes.len().min(field.len() - 1).min(255);
                            field[0] = n as u8;
                            field[1..=n].copy_from_slice(&bytes[..n]);
                        }
                        Kind::Pascal => {}
                        _ => {
                            let n = bytes.len().min(field.len());
                            field[..n].copy_from_slice(&bytes[..n]);
                        }
                    }
                }
                kind => {
                    for chunk in field.chunks_exact_mut(item.size) {
                        let (i, value) =
                            values.next().ok_or(PackError::Count { expected: self.value_count, got: 0 })?;
                        pack_scalar(kind, chunk, value, self.order, i + 1)
                            .map_err(|e| e.with_code(item.code))?;
                    }
                }
            }
        }
        Ok(out)
    }
}

/// One value into its field.
fn pack_scalar(
    kind: Kind,
    field: &mut [u8],
    value: &Value,
    order: Order,
    position: usize,
) -> Result<(), PackError> {
    let bits = 8 * field.len() as u32;
    let raw: u64 = match (kind, value) {
        (Kind::Char, Value::Bytes(b)) if b.len() == 1 => u64::from(b[0]),
        (Kind::Char, _) => return Err(PackError::Char),
        (Kind::Bool, value) => u64::from(match value {
            Value::Int(n) => *n != 0,
            Value::UInt(n) => *n != 0,
            Value::Float(x) => *x != 0.0,
            Value::Bool(b) => *b,
            Value::Bytes(b) => !b.is_empty(),
        }),
        (Kind::Float, value) => {
            let x = match value {
                Value::Int(n) => *n as f64,
                Value::UInt(n) => *n as f64,
                Value::Float(x) => *x,
                Value::Bool(b) => f64::from(u8::from(*b)),
                Value::Bytes(_) => return Err(PackError::Kind { position, wanted: "float" }),
            };
            let max = match field.len() {
                2 => 65520.0,
                4 => f64::from(f32::MAX) * (1.0 + f64::EPSILON * 2f64.powi(28)),
                _ => f64::INFINITY,
            };
            if x.is_finite() && x.abs() >= max {
                return Err(PackError::FloatTooLarge { code: String::new() });
            }
            match field.len() {
                2 => u64::from(f64_to_f16(x)),
                4 => u64::from((x as f32).to_bits()),
                _ => x.to_bits(),
            }
        }
        (Kind::Signed | Kind::Unsigned, value) => {
            let n: i128 = match value {
                Value::Int(n) => i128::from(*n),
                Value::UInt(n) => i128::from(*n),
                Value::Bool(b) => i128::from(*b),
                Value::Float(_) | Value::Bytes(_) => {
                    return Err(PackError::Kind { position, wanted: "integer" });
                }
            };
            let (low, high) = match kind {
                Kind::Signed => (-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1),
                _ => (0, (1i128 << bits) - 1),
            };
            if n < low || n > high {
                return Err(PackError::Range { code: String::new(), low, high: high as u128 });
            }
            n as u64
        }
        (Kind::Pad | Kind::Bytes | Kind::Pascal, _) => 0,
    };
    let bytes = raw.to_be_bytes();
    let field_len = field.len();
    let big = &bytes[8 - field_len..];
    match order {
        Order::Big => field.copy_from_slice(big),
        Order::Little => field.iter_mut().zip(big.iter().rev()).for_each(|(f, b)| *f = *b),
    }
    Ok(())
}

/// f64 to IEEE 754 binary16, rounding to nearest even, as Python's `e`.
fn f64_to_f16(x: f64) -> u16 {
    let bits = x.to_bits();
    let sign = ((bits >> 48) & 0x8000) as u16;
    if x.is_nan() {
        return sign | 0x7e00;
    }
    let a = x.abs();
    if a >= 65520.0 {
        return sign | 0x7c00;
    }
    if a < 2f64.powi(-24) * 0.5 {
        return sign;
    }
    // Subnormal halves are multiples of 2^-24; normal ones have 10
    // fraction bits under their exponent.
    let exponent = a.log2().floor() as i32;
    let (value, step) = if exponent < -14 { (a, 2f64.powi(-24)) } else { (a, 2f64.powi(exponent - 10)) };
    let units = value / step;
    let rounded = {
        let floor = units.floor();
        let diff = units - floor;
        if diff > 0.5 || (diff == 0.5 && floor % 2.0 != 0.0) { floor + 1.0 } else { floor }
    };
    let exact = rounded * step;
    if exponent < -14 {
        // A subnormal may round up into the smallest normal: the bits follow.
        return sign | rounded as u16;
    }
    let exponent = exact.log2().floor() as i32;
    let fraction = ((exact / 2f64.powi(exponent) - 1.0) * 1024.0).round() as u16;
    sign | (((exponent + 15) as u16) << 10) | fraction
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// The length byte can claim more than the field holds; Python then takes what is there.
/// A `0p` field has no length byte at all; Python 3.11 raises SystemError on it, and an
/// empty value is the only sensible answer.
fn pascal_string(field: &[u8]) -> &[u8] {
    match field.split_first() {
        Some((&len, rest)) => &rest[..rest.len().min(usize::from(len))],
        None => &[],
    }
}

fn decode_scalar(kind: Kind, chunk: &[u8], order: Order) -> Value {
    let push_byte = |acc: u64, &byte: &u8| (acc << 8) | u64::from(byte);
    let raw = match order {
        Order::Big => chunk.iter().fold(0, push_byte),
        Order::Little => chunk.iter().rev().fold(0, push_byte),
    };
    match kind {
        Kind::Signed => {
            // Move the field's sign bit to bit 63, then shift back to sign-extend.
            let unused_bits = 64 - 8 * chunk.len() as u32;
            Value::Int(((raw << unused_bits) as i64) >> unused_bits)
        }
        Kind::Unsigned => Value::UInt(raw),
        Kind::Bool => Value::Bool(raw != 0),
        Kind::Float => Value::Float(match chunk.len() {
            2 => f16_to_f64(raw as u16),
            4 => f64::from(f32::from_bits(raw as u32)),
            _ => f64::from_bits(raw),
        }),
        Kind::Char | Kind::Bytes | Kind::Pascal | Kind::Pad => Value::Bytes(chunk.to_vec()),
    }
}

/// IEEE 754 binary16 to f64; every half value is exact in f64, so no rounding is involved.
fn f16_to_f64(bits: u16) -> f64 {
    let negative = bits & 0x8000 != 0;
    let exponent = (bits >> 10) & 0x1f;
    let fraction = bits & 0x3ff;
    let magnitude = match exponent {
        // Subnormal: fraction × 2^-24.
        0 => f64::from(fraction) / f64::from(1u32 << 24),
        0x1f if fraction == 0 => f64::INFINITY,
        0x1f => f64::NAN,
        // Rebias the exponent (15 → 1023) and move the 10 fraction bits to the top of 52.
        _ => f64::from_bits(((u64::from(exponent) + 1023 - 15) << 52) | (u64::from(fraction) << 42)),
    };
    if negative { -magnitude } else { magnitude }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Int(n) => write!(f, "{n}"),
            Value::UInt(n) => write!(f, "{n}"),
            Value::Bool(true) => f.write_str("True"),
            Value::Bool(false) => f.write_str("False"),
            Value::Float(x) => write_float_repr(f, *x),
            Value::Bytes(bytes) => PyBytes(bytes).fmt(f),
        }
    }
}

impl fmt::Display for Values {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_char('(')?;
        for (i, value) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{value}")?;
        }
        // Python marks a one-element tuple with a trailing comma.
        if self.0.len() == 1 {
            f.write_char(',')?;
        }
        f.write_char(')')
    }
}

/// Python's `repr(float)`: shortest round-trip digits, laid out positionally while
/// `-4 < point <= 16` (a scientific exponent in -4..16), else as `d.ddde+XX`.
fn write_float_repr(f: &mut fmt::Formatter<'_>, x: f64) -> fmt::Result {
    if x.is_nan() {
        return f.write_str("nan");
    }
    if x.is_infinite() {
        return f.write_str(if x > 0.0 { "inf" } else { "-inf" });
    }
    if x.is_sign_negative() {
        f.write_char('-')?;
    }
    let (digits, exponent) = shortest_digits(x.abs());
    // Python's `decpt`: the value is 0.DIGITS × 10^point.
    let point = exponent + 1;

    if !(-4 < point && point <= 16) {
        let (first, rest) = digits.split_at(1);
        f.write_str(first)?;
        if !rest.is_empty() {
            write!(f, ".{rest}")?;
        }
        let sign = if exponent < 0 { '-' } else { '+' };
        return write!(f, "e{sign}{:02}", exponent.unsigned_abs());
    }
    if point <= 0 {
        let zeros = point.unsigned_abs() as usize;
        return write!(f, "0.{:0<zeros$}{digits}", "");
    }
    let point = point as usize;
    if point >= digits.len() {
        // An integral value still gets ".0" so it reads as a float.
        write!(f, "{digits:0<point$}.0")
    } else {
        let (whole, fraction) = digits.split_at(point);
        write!(f, "{whole}.{fraction}")
    }
}

/// The shortest digits that read back as `x` (finite, non-negative) and the scientific
/// exponent of the first one, as Python's dtoa mode 0 chooses them.
fn shortest_digits(x: f64) -> (String, i32) {
    fn split(scientific: &str) -> (String, i32) {
        let (mantissa, exponent) =
            scientific.split_once('e').expect("LowerExp output always has an exponent");
        let exponent = exponent.parse().expect("LowerExp exponent is a small integer");
        let digits = mantissa.replace('.', "");
        let digits = match digits.trim_end_matches('0') {
            "" => "0".to_owned(),
            trimmed => trimmed.to_owned(),
        };
        (digits, exponent)
    }
    let shortest = format!("{x:e}");
    let (digits, exponent) = split(&shortest);
    // When two candidates of that length are equally near x (x's exact decimal expansion
    // ends in 5 right after them, as for 1236872084667508.25), Rust's shortest mode rounds
    // up and Python's rounds to even. Rust's fixed-precision mode rounds ties to even too,
    // so prefer its answer at the same length whenever it still reads back as x.
    let nearest = format!("{x:.precision$e}", precision = digits.len() - 1);
    if nearest.parse::<f64>() == Ok(x) { split(&nearest) } else { (digits, exponent) }
}

/// Bytes shown as Python's `repr(bytes)` shows them: `b'f\xc3\xaate'`.
pub(crate) struct PyBytes<'a>(pub &'a [u8]);

impl fmt::Display for PyBytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self.0;
        // Python switches to double quotes only when that avoids escaping.
        let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') { b'"' } else { b'\'' };
        write!(f, "b{}", char::from(quote))?;
        for &byte in bytes {
            match byte {
                b'\t' => f.write_str("\\t")?,
                b'\n' => f.write_str("\\n")?,
                b'\r' => f.write_str("\\r")?,
                b'\\' => f.write_str("\\\\")?,
                _ if byte == quote => write!(f, "\\{}", char::from(byte))?,
                b' '..=b'~' => f.write_char(char::from(byte))?,
                _ => write!(f, "\\x{byte:02x}")?,
            }
        }
        f.write_char(char::from(quote))
    }
}

impl FormatProblem {
    /// What to try instead, for the person who typed the format.
    fn hint(&self) -> Msg {
        match self {
            FormatProblem::UnknownCode(_) => msg!("format-hint-codes"),
            FormatProblem::NativeOnlyCode(_) => msg!("format-hint-native"),
            FormatProblem::MisplacedByteOrder(_) => msg!("format-hint-order"),
            FormatProblem::CountWithoutCode => msg!("format-hint-count"),
            FormatProblem::TooLarge => msg!("format-hint-smaller"),
        }
    }

    /// What is wrong, in the catalogues' words.
    pub(crate) fn message(&self) -> Msg {
        match self {
            FormatProblem::UnknownCode(c) => msg!("format-unknown-code", code = c.escape_debug().to_string()),
            FormatProblem::NativeOnlyCode(c) => msg!("format-native-only", code = c.to_string()),
            FormatProblem::MisplacedByteOrder(c) => msg!("format-misplaced-order", code = c.to_string()),
            FormatProblem::CountWithoutCode => msg!("format-count-without-code"),
            FormatProblem::TooLarge => msg!("format-too-large", limit = MAX_SIZE / (1024 * 1024)),
        }
    }
}

/// A line under the dump with what a struct format decoded the bytes to,
/// indented to the hex panel: `          ↳ <label>(258,)`; or, in yellow,
/// why they could not be decoded. Values print as Python's `repr` does, so
/// a bytes value shows escapes, never raw control bytes.
pub(crate) fn push_decoded(
    label: &str,
    decoded: &Result<Values, DecodeError>,
    color: bool,
    out: &mut Vec<u8>,
) {
    let (paint, text) = match decoded {
        Ok(values) => (Color::Blue, values.to_string()),
        Err(error) => (Color::Yellow, error.to_string()),
    };
    out.extend_from_slice(b"          ");
    let line = format!("↳ {label}{text}");
    out.extend_from_slice(
        crate::i18n::painted::paint(&line, crate::i18n::painted::Paint::Fg(paint), color).as_bytes(),
    );
    out.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The decoded line's colours, byte for byte as it was painted before
    /// it went through i18n::painted::paint: blue values, a yellow error,
    /// nothing without colour.
    #[test]
    fn a_decoded_line_is_painted_as_before() {
        let format: Format = "B".parse().unwrap();
        let mut out = Vec::new();
        push_decoded("B: ", &format.unpack_from(b"\t"), true, &mut out);
        assert_eq!(out, "          \x1b[34m↳ B: (9,)\x1b[0m\n".as_bytes());
        let mut out = Vec::new();
        let short = format.unpack_from(b"");
        push_decoded("B: ", &short, true, &mut out);
        let error = short.unwrap_err().to_string();
        assert_eq!(out, format!("          \x1b[33m↳ B: {error}\x1b[0m\n").as_bytes());
        let mut out = Vec::new();
        push_decoded("B: ", &format.unpack_from(b"\t"), false, &mut out);
        assert_eq!(out, "          ↳ B: (9,)\n".as_bytes());
    }

    fn format(text: &str) -> Format {
        text.parse().unwrap_or_else(|e| panic!("{text:?} should parse: {e}"))
    }

    fn unpack(text: &str, bytes: &[u8]) -> String {
        format(text).unpack_from(bytes).unwrap_or_else(|e| panic!("{text:?} on {bytes:?}: {e}")).to_string()
    }

    fn parse_error(text: &str) -> FormatError {
        match text.parse::<Format>() {
            Ok(parsed) => panic!("{text:?} should be rejected, parsed as {parsed:?}"),
            Err(e) => e,
        }
    }

    fn float_repr(x: f64) -> String {
        Values(vec![Value::Float(x)]).to_string()
    }

    /// Each expected value as python3 3.11's struct.pack gave it here.
    #[test]
    fn pack_is_pythons_struct_pack() {
        let pack = |f: &str, v: &[Value]| format(f).pack(v);
        assert_eq!(pack(">h", &[Value::Int(258)]), Ok(vec![1, 2]));
        assert_eq!(pack(">5s", &[Value::Bytes(b"ab".to_vec())]), Ok(b"ab\0\0\0".to_vec()));
        assert_eq!(pack(">2s", &[Value::Bytes(b"abc".to_vec())]), Ok(b"ab".to_vec()));
        assert_eq!(pack(">3p", &[Value::Bytes(b"abcdef".to_vec())]), Ok(b"\x02ab".to_vec()));
        assert_eq!(pack(">?", &[Value::Int(5)]), Ok(vec![1]));
        assert_eq!(pack(">e", &[Value::Float(1.5)]), Ok(b">\x00".to_vec()));
        assert_eq!(pack(">f", &[Value::Int(3)]), Ok(b"@@\x00\x00".to_vec()));
        assert_eq!(pack("<I", &[Value::UInt(1)]), Ok(vec![1, 0, 0, 0]));
        if cfg!(target_endian = "little") && std::mem::size_of::<c_int>() == 4 {
            assert_eq!(pack("@bi", &[Value::Int(1), Value::Int(2)]), Ok(vec![1, 0, 0, 0, 2, 0, 0, 0]));
        }
        let range = pack(">h", &[Value::Int(40000)]).unwrap_err();
        assert_eq!(range.to_string(), "'h' format requires -32768 <= number <= 32767");
        assert!(matches!(pack(">B", &[Value::Int(256)]), Err(PackError::Range { .. })));
        assert!(matches!(pack(">H", &[Value::Int(-1)]), Err(PackError::Range { .. })));
        assert_eq!(pack(">c", &[Value::Bytes(b"ab".to_vec())]), Err(PackError::Char));
        assert_eq!(pack(">HH", &[Value::Int(1)]), Err(PackError::Count { expected: 2, got: 1 }));
        // What pack writes, unpack reads back.
        for (f, v) in [(">hHiIqQ", vec![-2, 3, -4, 5, -6, 7]), ("<bBhH", vec![-1, 255, -300, 65535])] {
            let values: Vec<Value> = v.iter().map(|&n| Value::Int(n)).collect();
            let bytes = pack(f, &values).unwrap();
            let back: Vec<i64> = format(f)
                .unpack_from(&bytes)
                .unwrap()
                .0
                .iter()
                .map(|v| match v {
                    Value::Int(n) => *n,
                    Value::UInt(n) => *n as i64,
                    _ => panic!(),
                })
                .collect();
            assert_eq!(back, v);
        }
        assert_eq!(pack("<e", &[Value::Float(65519.0)]), Ok(b"\xff{".to_vec()));
        assert!(matches!(pack("<e", &[Value::Float(65520.0)]), Err(PackError::FloatTooLarge { .. })));
        assert!(matches!(pack("<f", &[Value::Float(1e300)]), Err(PackError::FloatTooLarge { .. })));
        assert_eq!(pack("<f", &[Value::Float(f64::INFINITY)]), Ok(b"\x00\x00\x80\x7f".to_vec()));
        for x in [0.0, 1.0, -2.5, 65504.0, 0.000061035156, 5.96e-8, 0.1] {
            let bytes = pack("<e", &[Value::Float(x)]).unwrap();
            let Value::Float(back) = format("<e").unpack_from(&bytes).unwrap().0[0] else { panic!() };
            let tolerance = if x.abs() < 6.2e-5 { 6e-8 } else { x.abs() / 1024.0 };
            assert!((back - x).abs() <= tolerance, "{x} -> {back}");
        }
    }

    #[test]
    fn course_example() {
        assert_eq!(unpack(">h", &[1, 2]), "(258,)");
    }

    #[test]
    fn tuples_print_like_python() {
        assert_eq!(unpack("", &[]), "()");
        assert_eq!(unpack("<hh", &[1, 0, 2, 0]), "(1, 2)");
        assert_eq!(unpack("<b", &[7]), "(7,)");
    }

    #[test]
    fn integer_codes() {
        assert_eq!(unpack("<bB", &[0xff, 0xff]), "(-1, 255)");
        assert_eq!(unpack("<hH", &[0xfe, 0xff, 0xfe, 0xff]), "(-2, 65534)");
        assert_eq!(unpack(">iI", &[0x80, 0, 0, 0, 0x80, 0, 0, 0]), "(-2147483648, 2147483648)");
        assert_eq!(unpack("<lL", &[0xff; 8]), "(-1, 4294967295)");
        assert_eq!(unpack("<q", &[0, 0, 0, 0, 0, 0, 0, 0x80]), "(-9223372036854775808,)");
        assert_eq!(unpack(">Q", &[0xff; 8]), "(18446744073709551615,)");
        assert_eq!(unpack("!H", &[1, 0]), "(256,)");
    }

    #[test]
    fn native_only_codes() {
        assert_eq!(format("n").size(), size_of::<isize>());
        assert_eq!(format("@N").size(), size_of::<usize>());
        assert_eq!(format("P").size(), size_of::<*const c_void>());
        let minus_one = vec![0xff; size_of::<isize>()];
        assert_eq!(unpack("n", &minus_one), "(-1,)");
    }

    #[test]
    fn bool_is_true_for_any_non_zero_byte() {
        assert_eq!(unpack("????", &[0, 1, 2, 0xff]), "(False, True, True, True)");
        assert_eq!(unpack("<?", &[0x80]), "(True,)");
    }

    #[test]
    fn char_and_byte_strings() {
        assert_eq!(unpack("c", b"A"), "(b'A',)");
        assert_eq!(unpack("2c", b"AB"), "(b'A', b'B')");
        assert_eq!(unpack("4s", b"abcd"), "(b'abcd',)");
        assert_eq!(unpack("0s", b""), "(b'',)");
        assert_eq!(unpack("0c", b""), "()");
        assert_eq!(unpack("3h0h", &[0; 6]), "(0, 0, 0)");
    }

    #[test]
    fn pascal_strings() {
        assert_eq!(unpack("4p", b"\x02abc"), "(b'ab',)");
        // The length byte is clamped to the field size minus the length byte itself.
        assert_eq!(unpack("4p", b"\xffabc"), "(b'abc',)");
        assert_eq!(unpack("1p", b"\x05"), "(b'',)");
        assert_eq!(unpack("0p", b""), "(b'',)");
    }

    #[test]
    fn pad_bytes() {
        assert_eq!(format("3x").size(), 3);
        assert_eq!(unpack(">xbx2xb", &[9, 1, 9, 9, 9, 2]), "(1, 2)");
        assert_eq!(unpack("0x", b""), "()");
    }

    #[test]
    fn floats_are_widened_to_f64() {
        assert_eq!(unpack("<f", &0.1f32.to_le_bytes()), "(0.10000000149011612,)");
        assert_eq!(unpack(">d", &1.5f64.to_be_bytes()), "(1.5,)");
        assert_eq!(unpack("<e", &[0x00, 0x3c]), "(1.0,)");
        assert_eq!(unpack(">e", &[0x35, 0x55]), "(0.333251953125,)");
    }

    #[test]
    fn half_floats_cover_every_class() {
        assert_eq!(f16_to_f64(0x0000).to_bits(), 0.0f64.to_bits());
        assert_eq!(f16_to_f64(0x8000).to_bits(), (-0.0f64).to_bits());
        assert_eq!(f16_to_f64(0x0001), 2f64.powi(-24));
        assert_eq!(f16_to_f64(0x03ff), 1023.0 * 2f64.powi(-24));
        assert_eq!(f16_to_f64(0x0400), 2f64.powi(-14));
        assert_eq!(f16_to_f64(0x7bff), 65504.0);
        assert_eq!(f16_to_f64(0xc000), -2.0);
        assert_eq!(f16_to_f64(0x7c00), f64::INFINITY);
        assert_eq!(f16_to_f64(0xfc00), f64::NEG_INFINITY);
        assert!(f16_to_f64(0x7e00).is_nan());
        assert!(f16_to_f64(0xfc01).is_nan());
    }

    #[test]
    fn float_repr_special_values() {
        assert_eq!(float_repr(f64::NAN), "(nan,)");
        assert_eq!(float_repr(-f64::NAN), "(nan,)");
        assert_eq!(float_repr(f64::INFINITY), "(inf,)");
        assert_eq!(float_repr(f64::NEG_INFINITY), "(-inf,)");
        assert_eq!(float_repr(0.0), "(0.0,)");
        assert_eq!(float_repr(-0.0), "(-0.0,)");
    }

    #[test]
    fn float_repr_positional_range() {
        assert_eq!(float_repr(1.0), "(1.0,)");
        assert_eq!(float_repr(-2.5), "(-2.5,)");
        assert_eq!(float_repr(0.1), "(0.1,)");
        assert_eq!(float_repr(123.456), "(123.456,)");
        assert_eq!(float_repr(0.0001), "(0.0001,)");
        assert_eq!(float_repr(0.00012), "(0.00012,)");
        assert_eq!(float_repr(1e15), "(1000000000000000.0,)");
        assert_eq!(float_repr(9999999999999998.0), "(9999999999999998.0,)");
        assert_eq!(float_repr(1234567890123456.8), "(1234567890123456.8,)");
    }

    #[test]
    fn float_repr_exponent_range() {
        // Python switches at a decimal exponent below -4 or at 16 and above.
        assert_eq!(float_repr(0.00001), "(1e-05,)");
        assert_eq!(float_repr(0.000099), "(9.9e-05,)");
        assert_eq!(float_repr(1e16), "(1e+16,)");
        assert_eq!(float_repr(1.5e16), "(1.5e+16,)");
        assert_eq!(float_repr(-1.2345678901234568e17), "(-1.2345678901234568e+17,)");
        assert_eq!(float_repr(1e300), "(1e+300,)");
        assert_eq!(float_repr(5e-324), "(5e-324,)");
        assert_eq!(float_repr(f64::MAX), "(1.7976931348623157e+308,)");
    }

    #[test]
    fn float_repr_breaks_ties_to_even_like_python() {
        // Exactly ...08.25 and ...08.75: both 17-digit neighbours round-trip and are
        // equally near, and Python keeps the even one.
        assert_eq!(float_repr(4947488338670033.0 / 4.0), "(1236872084667508.2,)");
        assert_eq!(float_repr(4947488338670035.0 / 4.0), "(1236872084667508.8,)");
        // Half float 0x00a4, exactly 9.7751617431640625e-06.
        assert_eq!(float_repr(164.0 / 16777216.0), "(9.775161743164062e-06,)");
    }

    #[test]
    fn bytes_repr_quotes_and_escapes() {
        let repr = |bytes: &[u8]| Value::Bytes(bytes.to_vec()).to_string();
        assert_eq!(repr(b""), "b''");
        assert_eq!(repr(b"it's"), "b\"it's\"");
        assert_eq!(repr(b"'\""), "b'\\'\"'");
        assert_eq!(repr(b"say \"hi\""), "b'say \"hi\"'");
        assert_eq!(repr(b"\t\n\r\\"), "b'\\t\\n\\r\\\\'");
        assert_eq!(repr(b"\x00\x1f\x7f\x80\xff"), "b'\\x00\\x1f\\x7f\\x80\\xff'");
        assert_eq!(repr(b" ~"), "b' ~'");
    }

    #[test]
    fn byte_order_prefixes() {
        let bytes = [1, 2];
        assert_eq!(unpack("<h", &bytes), "(513,)");
        assert_eq!(unpack(">h", &bytes), "(258,)");
        assert_eq!(unpack("!h", &bytes), "(258,)");
        let native = i16::from_ne_bytes(bytes).to_string();
        assert_eq!(unpack("=h", &bytes), format!("({native},)"));
        assert_eq!(unpack("@h", &bytes), format!("({native},)"));
        assert_eq!(unpack("h", &bytes), format!("({native},)"));
    }

    #[test]
    fn standard_sizes_never_align() {
        for prefix in ["=", "<", ">", "!"] {
            assert_eq!(format(&format!("{prefix}bi")).size(), 5, "{prefix}");
            assert_eq!(format(&format!("{prefix}l")).size(), 4, "{prefix}");
            assert_eq!(format(&format!("{prefix}bqhd")).size(), 19, "{prefix}");
        }
        assert_eq!(unpack("<bi", &[1, 2, 0, 0, 0]), "(1, 2)");
    }

    #[test]
    fn native_mode_aligns_like_c() {
        assert_eq!(format("@bi").size(), 8);
        assert_eq!(format("bi").size(), 8);
        assert_eq!(format("bh").size(), 4);
        assert_eq!(format("b?").size(), 2);
        assert_eq!(format("ib").size(), 5);
        // A zero count still pads, which is how Python code aligns the end of a struct.
        assert_eq!(format("b0i").size(), 4);
        assert_eq!(format("3sd").size(), 16);
        let mut bytes = vec![7, 0xee, 0xee, 0xee];
        bytes.extend(5i32.to_ne_bytes());
        assert_eq!(unpack("bi", &bytes), "(7, 5)");
    }

    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    #[test]
    fn native_sizes_on_x86_64_linux() {
        assert_eq!(format("l").size(), 8);
        assert_eq!(format("L").size(), 8);
        assert_eq!(format("bl").size(), 16);
        assert_eq!(format("be").size(), 4);
        assert_eq!(format("bP").size(), 16);
        assert_eq!(unpack("l", &[0xff; 8]), "(-1,)");
    }

    #[test]
    fn whitespace_between_items_is_ignored() {
        assert_eq!(unpack("> h\t\n h\x0b\x0c\r", &[0, 1, 0, 2]), "(1, 2)");
        assert_eq!(unpack(" ", &[]), "()");
    }

    #[test]
    fn unpack_from_ignores_trailing_bytes() {
        assert_eq!(unpack(">h", &[1, 2, 3]), "(258,)");
    }

    #[test]
    fn too_short_input_says_how_many_bytes() {
        let error = format(">hh").unpack_from(&[1, 2, 3]).unwrap_err();
        assert_eq!(error.to_string(), "format '>hh' needs 4 bytes, got 3");
        assert!(format("x").unpack_from(&[]).is_err());
        let error = format("\n4s").unpack_from(b"ab").unwrap_err();
        assert_eq!(error.to_string(), "format '\\n4s' needs 4 bytes, got 2");
    }

    #[test]
    fn unknown_code_names_format_and_position() {
        let error = parse_error(">hz");
        assert_eq!(error.position, 3);
        assert_eq!(error.problem, FormatProblem::UnknownCode('z'));
        assert_eq!(
            error.to_string(),
            "bad struct format '>hz': unknown code 'z' at position 3; valid codes are \
             x c b B ? h H i I l L q Q e f d s p, and n N P without a byte-order prefix"
        );
        // Positions count characters, not bytes.
        assert_eq!(parse_error("é").position, 1);
        assert_eq!(parse_error("h\0").problem, FormatProblem::UnknownCode('\0'));
        // Control characters are escaped, in the format and in the code.
        assert_eq!(
            parse_error("h\0").to_string(),
            "bad struct format 'h\\0': unknown code '\\0' at position 2; valid codes are \
             x c b B ? h H i I l L q Q e f d s p, and n N P without a byte-order prefix"
        );
    }

    #[test]
    fn byte_order_only_at_the_start() {
        let error = parse_error("h<h");
        assert_eq!(error.problem, FormatProblem::MisplacedByteOrder('<'));
        assert_eq!(error.position, 2);
        assert_eq!(parse_error(" >h").position, 2);
        assert_eq!(parse_error("<>h").position, 2);
        assert!(error.to_string().contains("e.g. '<hh'"));
    }

    #[test]
    fn native_only_codes_need_native_mode() {
        for text in ["<n", ">N", "!P", "=n"] {
            let error = parse_error(text);
            assert!(matches!(error.problem, FormatProblem::NativeOnlyCode(_)), "{text}");
            assert_eq!(error.position, 2);
        }
        assert!(parse_error("<n").to_string().contains("drop the prefix"));
    }

    #[test]
    fn count_must_be_followed_by_a_code() {
        let error = parse_error(">h12");
        assert_eq!(error.problem, FormatProblem::CountWithoutCode);
        assert_eq!(error.position, 3);
        assert!(error.to_string().contains("e.g. '4s'"));
        // Python rejects whitespace between a count and its code too.
        assert_eq!(parse_error("3 h").problem, FormatProblem::CountWithoutCode);
        assert_eq!(parse_error("3z").problem, FormatProblem::UnknownCode('z'));
        assert_eq!(parse_error("3z").position, 2);
    }

    #[test]
    fn absurd_sizes_are_rejected_not_allocated() {
        for text in [
            "99999999999999999999h",
            "18446744073709551615x",
            "9223372036854775807q",
            "16777217x",
            "16777216xb",
            "8388608h1b",
            "@16777215bq",
        ] {
            let error = parse_error(text);
            assert_eq!(error.problem, FormatProblem::TooLarge, "{text}");
            assert!(error.to_string().contains("16 MiB limit"), "{error}");
        }
        assert_eq!(parse_error("b99999999999999999999h").position, 2);
        assert_eq!(format("16777216x").size(), MAX_SIZE);
        assert_eq!(format("16777216s").size(), MAX_SIZE);
    }

    #[test]
    fn format_displays_as_its_text() {
        assert_eq!(format("> 2h").to_string(), "> 2h");
    }
}
