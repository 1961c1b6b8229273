//! What the command line says about itself: `--help` in the run's language
//! (the catalogues' texts put on clap's command), the completion scripts and
//! the manual page.

use anyhow::Result;
use clap::CommandFactory;

use super::args::{Cli, OUTPUT};
use crate::exit;
use crate::i18n::{self, Lang};
use crate::msg;

/// The clap command, with the legend and the exit codes under `--help`,
/// in the language of the run.
pub(super) fn command() -> clap::Command {
    command_in(i18n::current())
}

/// The clap command with every text a person reads in `lang`: each
/// subcommand's summary, each flag's help, the examples, the headings, the
/// legend and the exit codes come from the catalogues (`about-…`,
/// `help-…`, `examples-…`), and in French clap's own words too (`Usage:`,
/// `[default: …]`, `Print help`). The doc comments above keep the English
/// for whoever reads the code; a test holds them equal to the English
/// catalogue. Completions and the man page are made in English.
pub(super) fn command_in(lang: Lang) -> clap::Command {
    let after =
        format!("{}\n\n{}", crate::report::legend::legend_in(lang, false).trim_end(), exit::table_in(lang));
    let mut command = localize(Cli::command(), lang, "").after_help(after);
    if lang != Lang::En {
        // clap makes the `help` subcommand when it builds the command.
        command.build();
        command = localize_help_subcommand(command, lang);
    }
    command
}

/// A heading as clap shows it (it adds the colon): French puts a no-break
/// space before it.
fn heading(lang: Lang, id: &str) -> String {
    let text = match id {
        "help-heading-output" => msg!("help-heading-output"),
        "help-heading-options" => msg!("help-heading-options"),
        "help-heading-arguments" => msg!("help-heading-arguments"),
        _ => msg!("help-heading-commands"),
    }
    .render(lang);
    match lang {
        Lang::En => text,
        _ => format!("{text}{}", i18n::NBSP),
    }
}

/// `command` (at `path`, its subcommand names joined by `-`) and all its
/// subcommands, in `lang`.
pub(super) fn localize(mut command: clap::Command, lang: Lang, path: &str) -> clap::Command {
    use clap::{Arg, ArgAction};
    let name = if path.is_empty() { "netplay" } else { path };
    if let Some(about) = i18n::lookup(lang, &format!("about-{name}")) {
        command = command.about(about);
    }
    if let Some(examples) = i18n::lookup(lang, &format!("examples-{name}")) {
        command = command.after_help(examples);
    }
    let ids: Vec<String> = command.get_arguments().map(|a| a.get_id().to_string()).collect();
    for id in ids {
        command = command.mut_arg(&id, |arg| localize_arg(arg, lang, path));
    }
    if lang != Lang::En {
        let usage = msg!("help-usage").render(lang);
        command = command
            .help_template(format!(
                "{{before-help}}{{about-with-newline}}\n{usage} {{usage}}\n\n{{all-args}}{{after-help}}"
            ))
            .subcommand_help_heading(heading(lang, "help-heading-commands"))
            .disable_help_flag(true)
            .arg(
                Arg::new("help")
                    .short('h')
                    .long("help")
                    .action(ArgAction::Help)
                    .help(msg!("help-help").render(lang))
                    .help_heading(heading(lang, "help-heading-options")),
            );
        if command.get_version().is_some() {
            command = command.disable_version_flag(true).arg(
                Arg::new("version")
                    .short('V')
                    .long("version")
                    .action(ArgAction::Version)
                    .help(msg!("help-version").render(lang))
                    .help_heading(heading(lang, "help-heading-options")),
            );
        }
    }
    let subcommands: Vec<String> = command.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for sub in subcommands {
        let inner = if path.is_empty() { sub.clone() } else { format!("{path}-{sub}") };
        command = command.mut_subcommand(&sub, |s| localize(s, lang, &inner));
    }
    command
}

/// The help text of flag `id` of the command at `path`: the command's own
/// (`help-tcp-serve-port`) where the same flag says different things
/// elsewhere, else the flag's (`help-color`); a system's own for the
/// flags whose meaning differs by system.
pub(super) fn arg_help(lang: Lang, path: &str, id: &str) -> Option<String> {
    let dashed = id.replace('_', "-");
    match id {
        "v6only" => Some(crate::sys::v6only::help().render(lang)),
        "no_reuse_addr" => Some(crate::sys::reuse::no_reuse_addr_help().render(lang)),
        _ => i18n::lookup(lang, &format!("help-{path}-{dashed}"))
            .or_else(|| i18n::lookup(lang, &format!("help-{dashed}"))),
    }
}

/// The catalogue ids `--help` looks up by name made at run time for
/// `command` and its subcommands (each one's `about-…` and `examples-…`,
/// each flag's `help-…`), under `path` ("" for netplay's own): what
/// [`super::help_ids`] gathers.
pub(super) fn help_ids_of(command: &clap::Command, path: &str) -> Vec<String> {
    fn walk(command: &clap::Command, path: &str, out: &mut Vec<String>) {
        let name = if path.is_empty() { "netplay" } else { path };
        for id in [format!("about-{name}"), format!("examples-{name}")] {
            if i18n::lookup(Lang::En, &id).is_some() {
                out.push(id);
            }
        }
        // v6only and no_reuse_addr say what their system does: named in sys/.
        for arg in
            command.get_arguments().filter(|a| !["v6only", "no_reuse_addr"].contains(&a.get_id().as_str()))
        {
            let dashed = arg.get_id().as_str().replace('_', "-");
            let own = format!("help-{path}-{dashed}");
            out.push(if i18n::lookup(Lang::En, &own).is_some() { own } else { format!("help-{dashed}") });
        }
        for sub in command.get_subcommands() {
            let inner = if path.is_empty() {
                sub.get_name().to_string()
            } else {
                format!("{path}-{}", sub.get_name())
            };
            walk(sub, &inner, out);
        }
    }
    let mut out = Vec::new();
    walk(command, path, &mut out);
    out
}

fn localize_arg(mut arg: clap::Arg, lang: Lang, path: &str) -> clap::Arg {
    if arg.get_help_heading() == Some(OUTPUT) {
        arg = arg.help_heading(heading(lang, "help-heading-output"));
    }
    let Some(mut help) = arg_help(lang, path, arg.get_id().as_str()) else { return arg };
    if lang != Lang::En {
        if arg.get_help_heading().is_none() {
            let id = if arg.is_positional() { "help-heading-arguments" } else { "help-heading-options" };
            arg = arg.help_heading(heading(lang, id));
        }
        // clap's `[default: …]` and `[possible values: …]`, in words.
        let takes = arg.get_action().takes_values();
        let defaults: Vec<String> =
            arg.get_default_values().iter().map(|v| v.to_string_lossy().into_owned()).collect();
        if takes && !defaults.is_empty() && !arg.is_hide_default_value_set() {
            help.push(' ');
            help.push_str(&msg!("help-default", value = defaults.join(", ")).render(lang));
        }
        let possible: Vec<String> = arg
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect();
        if takes && !possible.is_empty() && !arg.is_hide_possible_values_set() {
            help.push(' ');
            help.push_str(&msg!("help-possible", values = possible.join(", ")).render(lang));
        }
        if takes {
            arg = arg.hide_default_value(true).hide_possible_values(true);
        }
    }
    arg.help(help)
}

/// The `help` subcommand clap made, in `lang`, wherever there is one.
fn localize_help_subcommand(mut command: clap::Command, lang: Lang) -> clap::Command {
    let subcommands: Vec<String> = command.get_subcommands().map(|s| s.get_name().to_string()).collect();
    for sub in subcommands {
        command = command.mut_subcommand(&sub, |s| match sub.as_str() {
            "help" => s.about(msg!("about-help").render(lang)),
            _ => localize_help_subcommand(s, lang),
        });
    }
    command
}

/// The completion script for `shell`, from the clap definitions.
pub(super) fn completions(shell: clap_complete::Shell) -> Vec<u8> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command_in(Lang::En), "netplay", &mut script);
    script
}

/// The manual page, netplay(1), from the clap definitions: the top
/// command's name, synopsis and options, a section for each subcommand with
/// its own options (the global ones are said once, at the top), then the
/// hex dump's legend and the exit codes.
pub(super) fn manual() -> Result<Vec<u8>> {
    let mut top = localize(Cli::command(), Lang::En, "");
    top.build();
    let man = clap_mangen::Man::new(top.clone());
    let mut page = Vec::new();
    man.render_title(&mut page)?;
    man.render_name_section(&mut page)?;
    man.render_synopsis_section(&mut page)?;
    man.render_description_section(&mut page)?;
    man.render_options_section(&mut page)?;
    let global: Vec<String> =
        top.get_arguments().filter(|a| a.is_global_set()).map(|a| a.get_id().to_string()).collect();
    let mut leaves = Vec::new();
    for sub in top.get_subcommands().filter(|s| s.get_name() != "help") {
        match sub.has_subcommands() {
            true => leaves.extend(
                sub.get_subcommands()
                    .filter(|s| s.get_name() != "help")
                    .map(|leaf| (format!("{} {}", sub.get_name(), leaf.get_name()), leaf)),
            ),
            false => leaves.push((sub.get_name().to_string(), sub)),
        }
    }
    for (name, leaf) in leaves {
        let mut leaf = leaf.clone();
        for id in global.iter().map(String::as_str).chain(["help"]) {
            if leaf.get_arguments().any(|a| a.get_id() == id) {
                leaf = leaf.mut_arg(id, |a| a.hide(true));
            }
        }
        page.extend(format!(".SH \"NETPLAY {}\"\n", name.to_uppercase()).as_bytes());
        if let Some(about) = leaf.get_long_about().or(leaf.get_about()) {
            page.extend(format!(".PP\n{}\n", roff_text(&about.to_string())).as_bytes());
        }
        let mut options = Vec::new();
        clap_mangen::Man::new(leaf).render_options_section(&mut options)?;
        // Its headings become sub-headings of this section.
        page.extend(String::from_utf8_lossy(&options).replace(".SH ", ".SS ").as_bytes());
    }
    for (heading, text) in
        [("HEX DUMP", crate::report::legend::legend(false)), ("EXIT STATUS", exit::table())]
    {
        page.extend(format!(".SH \"{heading}\"\n.nf\n{}\n.fi\n", roff_text(text.trim_end())).as_bytes());
    }
    man.render_version_section(&mut page)?;
    Ok(page)
}

/// Text as roff reads it: a backslash is \e, and a line may not start with
/// a dot or a quote.
fn roff_text(text: &str) -> String {
    text.replace('\\', "\\e")
        .lines()
        .map(|line| if line.starts_with(['.', '\'']) { format!("\\&{line}") } else { line.to_string() })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod help_tests {
    use super::*;

    /// Every subcommand's summary and every flag's help, by path.
    fn texts(command: &clap::Command, path: &str, out: &mut Vec<(String, String)>) {
        out.push((format!("about {path}"), command.get_about().map(|a| a.to_string()).unwrap_or_default()));
        if path != "netplay" {
            let examples = command.get_after_help().map(|a| a.to_string()).unwrap_or_default();
            out.push((format!("examples {path}"), examples));
        }
        for arg in command.get_arguments() {
            let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
            out.push((format!("{path} --{}", arg.get_id()), help));
        }
        for sub in command.get_subcommands() {
            texts(sub, &format!("{path} {}", sub.get_name()), out);
        }
    }

    /// The doc comments of the clap definitions are the English catalogue's
    /// help texts, word for word: whoever edits one sees the other.
    #[test]
    fn the_doc_comments_are_the_english_catalogue() {
        let (mut code, mut catalogue) = (Vec::new(), Vec::new());
        texts(&Cli::command(), "netplay", &mut code);
        texts(&command_in(Lang::En), "netplay", &mut catalogue);
        assert_eq!(code.len(), catalogue.len());
        for ((what, from_code), (_, from_catalogue)) in code.iter().zip(&catalogue) {
            assert!(
                !from_catalogue.is_empty() || what.starts_with("examples"),
                "{what} has no help in the catalogue"
            );
            assert_eq!(from_code, from_catalogue, "{what}: the doc comment and locales/en differ");
        }
    }

    /// In French, every flag and subcommand has its own text, none left in
    /// English.
    #[test]
    fn every_help_text_is_in_french() {
        let (mut en, mut fr) = (Vec::new(), Vec::new());
        texts(&command_in(Lang::En), "netplay", &mut en);
        texts(&command_in(Lang::Fr), "netplay", &mut fr);
        let fr: std::collections::HashMap<_, _> = fr.into_iter().collect();
        for (what, english) in
            en.into_iter().filter(|(what, text)| !(what.starts_with("examples") && text.is_empty()))
        {
            let french = fr.get(&what).unwrap_or_else(|| panic!("{what} is not in the French help"));
            assert!(!french.is_empty() && french != &english, "{what}: {french:?}");
        }
    }
}
