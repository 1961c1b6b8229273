//! The labels in front of the demo's lines (`server │ `, `client │ `,
//! `  wire │ `): one column as wide as the longer name in the run's
//! language, so the lines of both ends and of the wire line up. The human
//! reporter's lines and the packet ladder's both carry them (output.rs puts
//! them on), so they live beside neither.

use colored::Color;

use super::paint::{Paint, paint};
use crate::event::Role;
use crate::i18n::Lang;
use crate::msg;
use crate::width;

/// The label in front of each line of one end of the demo: the end's name
/// in a colour of its own (yellow server, cyan client), so the two are told
/// apart at a glance as well as by the word.
pub(crate) fn end(lang: Lang, role: Role, color: bool) -> String {
    let (name, hue) = match role {
        Role::Server => (msg!("demo-label-server").render(lang), Color::Yellow),
        Role::Client => (msg!("demo-label-client").render(lang), Color::Cyan),
    };
    // Both labels take as many columns, whatever the language's words.
    let name = format!("{name:<width$}", width = columns(lang) - 3);
    format!("{} {} ", paint(&name, Paint::BoldFg(hue), color), paint("│", Paint::Dim, color))
}

/// The label of the demo's packet lines, as wide as the ends' (`server │ `).
pub(crate) fn wire(lang: Lang, color: bool) -> String {
    let name = msg!("demo-label-wire").render(lang);
    let name = format!("{name:>width$}", width = columns(lang) - 3);
    format!("{} {} ", paint(&name, Paint::Bold, color), paint("│", Paint::Dim, color))
}

/// Columns the label takes: the longer name, then ` │ `.
pub(crate) fn columns(lang: Lang) -> usize {
    let names = [msg!("demo-label-server"), msg!("demo-label-client")];
    names.iter().map(|n| width::display_width(&n.render(lang))).max().unwrap_or(0) + 3
}
