//! The command line: clap types, and their conversion into the validated
//! configuration the library runs on. Nothing outside this module sees clap.
//!
//! One job a file, as ripgrep's flags/: `args` (what clap reads: the
//! subcommands and flags with their English doc comments), `values` (the
//! parsers of each flag's text), `parse` (the parse itself, netplay's tips in
//! place of clap's, clap's errors in the run's language), `convert` (parsed
//! arguments into `config::Run`), `doc` (`--help` in each language, the
//! completion scripts, the man page), `addrs` (the addresses the flags
//! name, for both fronts) and `nc` (OpenBSD nc's own words: a front over
//! the others, which none of them imports but `convert`, handing it
//! `netplay nc`'s words).

mod addrs;
mod args;
mod convert;
mod doc;
mod nc;
mod parse;
mod values;

pub(crate) use args::Cli;
pub use parse::greeting;
pub use parse::parse;
pub use parse::print_error;

/// The catalogue ids `--help` looks up by name made at run time (each
/// subcommand's `about-…` and `examples-…`, each flag's `help-…`), for the
/// test that every message of the catalogues is used: netplay's own
/// command's, and `netplay nc`'s, which reads its words with a command of
/// its own.
pub fn help_ids() -> Vec<String> {
    use clap::CommandFactory;
    let mut ids = doc::help_ids_of(&Cli::command(), "");
    ids.extend(doc::help_ids_of(&nc::NcArgs::command(), "nc"));
    ids
}
