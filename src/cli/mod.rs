//! The command line: clap types, and their conversion into the validated
//! configuration the library runs on. Nothing outside this module sees clap.
//!
//! One job a file, as ripgrep's flags/: `args` (what clap reads: the
//! subcommands and flags with their English doc comments), `values` (the
//! parsers of each flag's text), `parse` (the parse itself, netplay's tips in
//! place of clap's, clap's errors in the run's language), `convert` (parsed
//! arguments into `config::Run`), `doc` (`--help` in each language, the
//! completion scripts, the man page) and `nc` (OpenBSD nc's own words).

mod args;
mod convert;
mod doc;
mod nc;
mod parse;
mod values;

pub(crate) use args::Cli;
pub use doc::help_ids;
pub use parse::greeting;
pub use parse::parse;
pub use parse::print_error;
