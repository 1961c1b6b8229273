//! What `netplay hex` is asked to dump, and how.

use std::path::PathBuf;

use crate::decode::Format;
use crate::hexdump::{Layout, Renderer};

/// Where the bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Source {
    File(PathBuf),
    Stdin,
}

/// `netplay hex`.
#[derive(Debug, Clone)]
pub(crate) struct HexConfig {
    pub(crate) source: Source,
    /// Bytes to skip from the start; offsets count from the input's start.
    pub(crate) skip: u64,
    /// Bytes to show at most.
    pub(crate) length: Option<u64>,
    pub(crate) layout: Layout,
    /// The code that draws the dump's lines (`--hex-renderer`).
    pub(crate) renderer: Renderer,
    /// Decode consecutive records with this format, like Python's
    /// `struct.iter_unpack`.
    pub(crate) decode: Option<Format>,
    /// Columns the decoded lines fit in (the terminal's, or --columns).
    pub(crate) columns: Option<usize>,
}
