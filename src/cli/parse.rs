//! Reading the words: clap's parse with netplay's own tips in place of
//! clap's (a subcommand without its protocol, nc's habits, a message split by
//! the shell), and clap's errors said in the run's language.

use std::ffi::OsString;

use anyhow::Result;
use clap::{FromArgMatches, ValueEnum};

use super::args::{Cli, Command, LangArg, TcpCommand, UdpCommand};
use super::doc::command;
use crate::exit;
use crate::hexdump;
use crate::i18n::{self, Lang, Msg};
use crate::msg;

/// Parses arguments; a clap error carries its own exit code (0 for --help).
/// A subcommand given without its protocol (`netplay connect`) says which
/// to add.
pub fn parse(args: impl IntoIterator<Item = impl Into<OsString> + Clone>) -> Result<Cli, clap::Error> {
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    // The language first: clap's own errors and ours are said in it.
    i18n::set_current(lang_asked(&args[1..]).unwrap_or_else(i18n::lang::from_env));
    if let Some(tip) = missing_protocol(&args[1..]) {
        return Err(command().error(clap::error::ErrorKind::InvalidSubcommand, tip.to_string()));
    }
    // nc's words are nc's: clap reads netplay's up to `nc`, and they wait
    // for cli/nc.rs.
    let (args, nc_words) = match first_plain(&args[1..]) {
        Some((at, "nc")) => (args[..at + 2].to_vec(), Some(args[at + 2..].to_vec())),
        _ => (args, None),
    };
    let matches = match command().try_get_matches_from(&args) {
        Ok(matches) => matches,
        Err(mut err) => {
            // In place of clap's own tip ("to pass 'Hello' as a value, use
            // '-- Hello'"), which leads into another error (and is English):
            // ours, or none, and the line ends with the command's --help.
            let tips = match usage_tip(&args[1..], &err) {
                Some(tip) => vec![clap::builder::StyledStr::from(tip.to_string())],
                None => Vec::new(),
            };
            err.insert(clap::error::ContextKind::Suggested, clap::error::ContextValue::StyledStrs(tips));
            return Err(err);
        }
    };
    // `tcp serve -q 1` parses (quiet, port 1): an nc habit, said as one.
    let words: Vec<&str> = args[1..].iter().filter_map(|a| a.to_str()).collect();
    if let Some(tip) = quit_habit(&words, true) {
        return Err(command().error(clap::error::ErrorKind::InvalidSubcommand, tip.render(i18n::current())));
    }
    let mut cli = Cli::from_arg_matches(&matches)?;
    in_order(&mut cli, &matches);
    if let (Some(Command::Nc(stub)), Some(words)) = (&mut cli.command, nc_words) {
        stub.args = words;
    }
    Ok(cli)
}

/// The first word that is no flag and no global flag's value (the
/// subcommand, or the protocol), and where it is.
fn first_plain(args: &[OsString]) -> Option<(usize, &str)> {
    let mut at = 0;
    while let Some(word) = args.get(at) {
        let word = word.to_str()?;
        match word {
            "--" => return None,
            w if GLOBAL_WITH_VALUE.contains(&w) => at += 1,
            w if w.starts_with('-') => {}
            w => return Some((at, w)),
        }
        at += 1;
    }
    None
}

/// `-m` and `--hex` together: one list of messages in command-line order
/// (clap keeps each flag's values apart, and their positions).
fn in_order(cli: &mut Cli, matches: &clap::ArgMatches) {
    let mut leaf = matches;
    while let Some((_, sub)) = leaf.subcommand() {
        leaf = sub;
    }
    let input = match &mut cli.command {
        Some(Command::Tcp(TcpCommand::Connect(args))) => &mut args.input,
        Some(Command::Udp(UdpCommand::Send(args))) => &mut args.input,
        _ => return,
    };
    if input.messages.is_empty() || input.hex.is_empty() {
        return;
    }
    let at = |id: &str| leaf.indices_of(id).map(|i| i.collect::<Vec<_>>()).unwrap_or_default();
    let mut parts: Vec<(usize, Vec<u8>)> =
        at("messages").into_iter().zip(std::mem::take(&mut input.messages)).collect();
    parts.extend(at("hex").into_iter().zip(std::mem::take(&mut input.hex)));
    parts.sort_by_key(|(index, _)| *index);
    input.messages = parts.into_iter().map(|(_, bytes)| bytes).collect();
}

/// The global options that take a value, as a word of their own.
const GLOBAL_WITH_VALUE: [&str; 5] = ["--color", "--decode", "--columns", "--lang", "--pcap"];

/// A usage error a learner meets, and the command that does what they
/// meant, whole and quoted for a shell: `udp connect` (UDP opens no
/// connection: `udp send --connect`), `tcp send` (`tcp connect`), a
/// message given without -m or split by the shell at its spaces, `-6`
/// before the subcommand.
fn usage_tip(args: &[OsString], err: &clap::Error) -> Option<Msg> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let words: Vec<&str> = args.iter().map(|a| a.to_str()).collect::<Option<_>>()?;
    let value = |kind| match err.get(kind) {
        Some(ContextValue::String(s)) => Some(s.as_str()),
        _ => None,
    };
    // Where the words that are no flag stand: the protocol, the subcommand,
    // its arguments (a global option's value skipped).
    let mut plain = Vec::new();
    let mut i = 0;
    while i < words.len() && words[i] != "--" {
        if GLOBAL_WITH_VALUE.contains(&words[i]) {
            i += 1;
        } else if !words[i].starts_with('-') {
            plain.push(i);
        }
        i += 1;
    }
    let command =
        |new: Vec<&str>| exit::shell_command(&std::iter::once("netplay").chain(new).collect::<Vec<_>>());
    let (&proto_at, &leaf_at) = (plain.first()?, plain.get(1)?);
    match err.kind() {
        ErrorKind::InvalidSubcommand => {
            let word = value(ContextKind::InvalidSubcommand)?;
            if words[leaf_at] != word {
                return None;
            }
            let (id, instead): (&str, &[&str]) = match (words[proto_at], word) {
                ("udp", "connect") => ("usage-tip-udp-connect", &["send", "--connect"]),
                ("tcp", "send") => ("usage-tip-tcp-send", &["connect"]),
                ("tcp" | "udp", "listen") => ("usage-tip-serve", &["serve"]),
                _ => return None,
            };
            let mut new = words[..leaf_at].to_vec();
            new.extend(instead);
            new.extend(&words[leaf_at + 1..]);
            let command = command(new);
            Some(match id {
                "usage-tip-udp-connect" => msg!("usage-tip-udp-connect", command = command),
                "usage-tip-tcp-send" => msg!("usage-tip-tcp-send", command = command),
                _ => msg!("usage-tip-serve", command = command),
            })
        }
        ErrorKind::UnknownArgument => {
            let arg = value(ContextKind::InvalidArg)?;
            if let Some(tip) = quit_habit(&words, false) {
                return Some(tip);
            }
            if let Some(habit) = nc_habit(words[proto_at], words[leaf_at], arg) {
                return Some(msg!("usage-tip-nc", habit = habit));
            }
            if arg == "-4" || arg == "-6" {
                let at = words.iter().position(|w| *w == arg).filter(|&at| at < leaf_at)?;
                let mut new = words.clone();
                new.remove(at);
                new.insert(leaf_at, arg);
                return Some(msg!("usage-tip-family-after", flag = arg, command = command(new)));
            }
            // A message after HOST PORT, without -m: one word, or several
            // the shell cut at their spaces.
            if !matches!((words[proto_at], words[leaf_at]), ("tcp", "connect") | ("udp", "send")) {
                return None;
            }
            let at = (leaf_at + 1..words.len()).find(|&i| words[i] == arg && plain.contains(&i))?;
            let stray: Vec<&str> = words[at..].iter().take_while(|w| !w.starts_with('-')).copied().collect();
            let text = stray.join(" ");
            let mut new = words[..at].to_vec();
            new.extend(&words[at + stray.len()..]);
            new.extend(["-m", text.as_str()]);
            let command = command(new);
            Some(match stray.len() {
                1 => msg!("usage-tip-message", command = command),
                _ => msg!("usage-tip-message-split", words = text.as_str(), command = command),
            })
        }
        _ => None,
    }
}

/// An nc flag given to a native subcommand (`netplay tcp connect -l`): what
/// does its job here, for usage_tip. None for a word nc does not take.
fn nc_habit(proto: &str, leaf: &str, flag: &str) -> Option<Msg> {
    let command = |words: &[&str]| {
        exit::shell_command(&std::iter::once("netplay").chain(words.iter().copied()).collect::<Vec<_>>())
    };
    Some(match (flag, proto, leaf) {
        ("-l", _, "serve") => msg!("nc-habit-listen-serve"),
        ("-l", "tcp", _) => msg!("nc-habit-listen", command = command(&["tcp", "serve"])),
        ("-l", "udp", _) => msg!("nc-habit-listen", command = command(&["udp", "serve"])),
        ("-u", "udp", _) => msg!("nc-habit-udp-already"),
        ("-u", _, "serve") => msg!("nc-habit-udp", command = command(&["udp", "serve"])),
        ("-u", _, _) => msg!("nc-habit-udp", command = command(&["udp", "send"])),
        ("-k", ..) => msg!("nc-habit-keep"),
        ("-z", ..) => msg!("nc-habit-zero"),
        ("-w", "tcp", "connect") => msg!("nc-habit-wait-connect"),
        ("-w", "tcp", "serve") => msg!("nc-habit-wait-serve"),
        ("-w", "udp", "send") => msg!("nc-habit-wait-send"),
        ("-N", ..) => msg!("nc-habit-shutdown"),
        ("-p", _, "connect" | "send") => msg!("nc-habit-source-port"),
        ("-v", ..) => msg!("nc-habit-verbose"),
        ("-4" | "-6", ..) => return None,
        (flag, ..) if flag.len() == 2 && "CDFIMOPSTUVWXZbcdehimnrstwx".contains(&flag[1..]) => {
            msg!("nc-habit-other", flag = flag)
        }
        _ => return None,
    })
}

/// nc's `-q SECONDS` given to a native subcommand (`netplay tcp serve -q
/// 1`): netplay's -q is --quiet and takes no value, so the number would be
/// taken for a port, and the line that says which one hidden. A number
/// right after -q is refused, with what each reading means.
fn quit_habit(words: &[&str], parsed: bool) -> Option<Msg> {
    let end = words.iter().position(|w| *w == "--").unwrap_or(words.len());
    let proto = words[..end].iter().position(|w| matches!(*w, "tcp" | "udp"))?;
    let at = (proto + 1..end.saturating_sub(1))
        .find(|&i| words[i] == "-q" && words[i + 1].parse::<i64>().is_ok())?;
    if !parsed {
        // The number was refused (a port too many, -1): it is no port.
        return Some(msg!("nc-habit-quit"));
    }
    let mut quiet: Vec<&str> = vec!["netplay", "-q"];
    quiet.extend(words.iter().enumerate().filter(|&(i, _)| i != at).map(|(_, w)| *w));
    let quit = msg!("nc-habit-quit");
    Some(msg!(
        "nc-habit-quit-port",
        quit = quit,
        value = words[at + 1],
        command = exit::shell_command(&quiet)
    ))
}

/// What `netplay` alone prints: what a newcomer should try first.
/// What `netplay` alone prints, in the reader's language.
pub fn greeting() -> String {
    msg!("greeting").render(i18n::lang::from_env())
}

/// Prints `--help` or `--version` on stdout, or a command-line error as one
/// line on stderr (see [`error_text`]). `Err` when stdout could not take
/// the help or the version (`--help > /dev/full`): that is no success.
pub fn print_error(err: &clap::Error) -> std::io::Result<()> {
    use crate::width;
    use std::io::{IsTerminal, Write};
    let wide = width::columns(None, std::io::stderr().is_terminal(), width::stderr_terminal()).is_some();
    match error_text(i18n::current(), err) {
        Some(text) => std::io::stderr().write_all(width::fit_stderr(&text, None).as_bytes()),
        // Help to stderr where it has a width (`netplay tcp`, its
        // subcommand missing): wrapped as every line is (clap would let the
        // terminal cut its words), in clap's colours where clap would use
        // them.
        None if err.use_stderr() && wide => {
            let colour = std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").is_ok_and(|t| t != "dumb");
            let rendered = err.render();
            let text = if colour { rendered.ansi().to_string() } else { rendered.to_string() };
            std::io::stderr().write_all(width::fit_stderr(&text, None).as_bytes())
        }
        None => {
            err.print()?;
            std::io::stdout().flush()
        }
    }
}

/// A command-line error as netplay's other failures are: one line, what
/// is wrong (the flag, the value as typed, escaped as the hex panel shows
/// text), then what to try (a similar flag or subcommand, the values
/// allowed, the usage, or the command's --help), in `lang`. None for
/// `--help` and `--version`, which clap prints.
pub(super) fn error_text(lang: Lang, err: &clap::Error) -> Option<String> {
    error_what(err).map(|what| msg!("error-line", what = what).render(lang) + "\n")
}

/// What [`error_text`] says after `netplay: `; None for `--help` and
/// `--version`.
pub(super) fn error_what(err: &clap::Error) -> Option<Msg> {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let strings = |kind: ContextKind| match err.get(kind) {
        Some(ContextValue::String(s)) => vec![s.clone()],
        Some(ContextValue::Strings(s)) => s.clone(),
        Some(ContextValue::StyledStr(s)) => vec![s.to_string()],
        Some(ContextValue::StyledStrs(s)) => s.iter().map(|s| s.to_string()).collect(),
        _ => Vec::new(),
    };
    // What the person typed, as the hex panel would show it.
    let typed = |kind: ContextKind| {
        strings(kind).iter().map(|s| hexdump::shown_text(s.as_bytes())).collect::<Vec<_>>().join(", ")
    };
    let arg = typed(ContextKind::InvalidArg);
    let value = typed(ContextKind::InvalidValue);
    // The usage, its program name as netplay (clap takes the name the
    // binary was run as), and the command typed, for its --help: the
    // usage's words before the first [OPTIONS], <ARG> or flag.
    let usage = strings(ContextKind::Usage).concat();
    let usage: Vec<&str> =
        usage.trim().strip_prefix("Usage:").unwrap_or(&usage).split_whitespace().skip(1).collect();
    let command = std::iter::once("netplay")
        .chain(usage.iter().copied().take_while(|w| !w.starts_with(['[', '<', '-'])))
        .collect::<Vec<_>>()
        .join(" ");
    let usage = std::iter::once("netplay").chain(usage).collect::<Vec<_>>().join(" ");
    // The command's --help, when clap says which command it was; a bad
    // value's own sentence says what to use.
    let more = (usage != "netplay").then(|| msg!("clap-more", command = command));
    // The command that does what was meant ([`usage_tip`]): already in
    // the reader's words, its values quoted for a shell.
    let tip = strings(ContextKind::Suggested).first().map(|tip| msg!("clap-tip", tip = tip.trim()));
    let (head, hint) = match err.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            return None;
        }
        ErrorKind::InvalidValue if value.is_empty() => (msg!("clap-value-required", arg = arg), more),
        ErrorKind::InvalidValue => {
            let valid = strings(ContextKind::ValidValue);
            let hint = match valid.is_empty() {
                true => more,
                false => Some(msg!("clap-possible-values", values = valid.join(", "))),
            };
            (msg!("clap-invalid-value", value = value, arg = arg), hint)
        }
        ErrorKind::ValueValidation => {
            let why = std::error::Error::source(err).map(|e| e.to_string()).unwrap_or_default();
            (msg!("clap-value-validation", value = value, arg = arg, why = why), None)
        }
        ErrorKind::UnknownArgument => {
            let hint = match (tip, strings(ContextKind::SuggestedArg).first()) {
                (Some(tip), _) => Some(tip),
                (None, Some(similar)) => Some(msg!("clap-tip-argument", arg = similar)),
                (None, None) => more,
            };
            (msg!("clap-unknown-argument", arg = arg), hint)
        }
        ErrorKind::ArgumentConflict => {
            (msg!("clap-conflict", arg = arg, prior = typed(ContextKind::PriorArg)), more)
        }
        ErrorKind::MissingRequiredArgument => {
            let hint = match usage == "netplay" {
                true => more,
                false => Some(msg!("clap-usage", usage = usage)),
            };
            (msg!("clap-missing", args = strings(ContextKind::InvalidArg).join(" ")), hint)
        }
        ErrorKind::InvalidSubcommand => match strings(ContextKind::InvalidSubcommand).first() {
            Some(word) => {
                let hint = match (tip, strings(ContextKind::SuggestedSubcommand).first()) {
                    (Some(tip), _) => Some(tip),
                    (None, Some(similar)) => Some(msg!("clap-tip-subcommand", word = similar)),
                    (None, None) => more,
                };
                (msg!("clap-invalid-subcommand", word = hexdump::shown_text(word.as_bytes())), hint)
            }
            // netplay's own (`netplay serve`): already in the reader's
            // words, and it says what to try.
            None => return Some(Msg::text(clap_first_line(err))),
        },
        _ => (msg!("clap-error", what = clap_first_line(err)), more),
    };
    Some(match hint {
        Some(hint) => msg!("error-with-hint", error = head, hint = hint),
        None => head,
    })
}

/// The first line of clap's own text for an error, without its `error: `.
fn clap_first_line(err: &clap::Error) -> String {
    let rendered = err.render().to_string();
    let first = rendered.lines().next().unwrap_or_default();
    first.strip_prefix("error: ").unwrap_or(first).to_string()
}

/// `netplay connect ...`: the subcommand needs its protocol first.
/// `--lang fr` or `--lang=fr`, wherever it stands, read before clap so
/// that a bad command line is told in the language asked for. A value
/// clap would refuse is left for clap to refuse.
fn lang_asked(args: &[OsString]) -> Option<Lang> {
    let mut words = args.iter().map(|a| a.to_str().unwrap_or(""));
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        let value = match word.strip_prefix("--lang") {
            Some("") => words.next().unwrap_or(""),
            Some(rest) => match rest.strip_prefix('=') {
                Some(value) => value,
                None => continue,
            },
            None => continue,
        };
        return LangArg::from_str(value, true).ok().map(Lang::from);
    }
    None
}

fn missing_protocol(args: &[OsString]) -> Option<Msg> {
    // The first word that is not a flag (or a global flag's value).
    let words: Vec<&str> = args.iter().map(|a| a.to_str()).collect::<Option<_>>()?;
    let mut at = 0;
    let first = loop {
        let word = *words.get(at)?;
        match word {
            w if GLOBAL_WITH_VALUE.contains(&w) => at += 1,
            w if w.starts_with('-') => {}
            w => break w,
        }
        at += 1;
    };
    let (tcp, udp): (&[&str], &[&str]) = match first {
        "serve" | "listen" => (&["tcp", "serve"], &["udp", "serve"]),
        "connect" => (&["tcp", "connect"], &["udp", "send", "--connect"]),
        "send" => (&["tcp", "connect"], &["udp", "send"]),
        "bench" => (&["tcp", "bench"], &["udp", "bench"]),
        _ => return None,
    };
    // The whole command line, the protocol put in: pasted, it runs.
    let whole = |sub: &[&str]| {
        let mut new: Vec<&str> = vec!["netplay"];
        new.extend(&words[..at]);
        new.extend(sub);
        new.extend(&words[at + 1..]);
        exit::shell_command(&new)
    };
    Some(msg!("usage-needs-protocol", first = first, tcp = whole(tcp), udp = whole(udp)))
}
