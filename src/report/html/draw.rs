//! The diagram, in SVG: a lifeline per end, each row's call on the
//! lifeline of the end that made it, each packet as an arrow between two
//! lifelines. The page draws each row in an SVG of its own beside its
//! bytes (the row grows with them, the lifelines with it); `--svg` draws
//! all rows in one SVG, without the bytes, for slides. Both with the same
//! function, so they agree. All text is SVG `<text>`: selectable, found
//! by a search, read by a screen reader.

use super::dump::escape;
use super::session::{Lane, Row, Section, Tone};
use crate::event::Role;
use crate::i18n::Lang;
use crate::model::packet::PacketKind;
use crate::msg;
use crate::width::display_width;

/// Width of a character of the diagram's monospace font (12px; DejaVu Sans
/// Mono, Menlo and Liberation Mono advance 0.6em).
pub(super) const CHAR: usize = 8;
/// Height of a row in the SVG alone (in the page, its bytes may make it taller).
pub(super) const ROW: usize = 32;
/// Height of the lifelines' heads.
pub(super) const HEAD: usize = 44;
/// Width of the time column in the SVG alone.
pub(super) const TIME: usize = 80;
/// Labels longer than this many columns are cut (the whole text is in the
/// row's tooltip and beside it).
const LABEL: usize = 52;
const MIN_GAP: usize = 150;

/// Where each lifeline stands.
pub(super) struct Geometry {
    /// x of each lane, by lane number.
    pub(crate) x: Vec<usize>,
    pub(crate) width: usize,
}

/// The order lifelines stand in, left to right: clients left of their
/// server as the course draws them, a broadcast hub among its clients.
pub(super) fn order(lanes: &[Lane]) -> Vec<usize> {
    let clients: Vec<usize> = (0..lanes.len()).filter(|&i| lanes[i].role == Role::Client).collect();
    let servers: Vec<usize> = (0..lanes.len()).filter(|&i| lanes[i].role == Role::Server).collect();
    if servers.iter().any(|&i| lanes[i].hub) && clients.len() > 1 {
        let (left, right) = clients.split_at(clients.len().div_ceil(2));
        return left.iter().chain(&servers).chain(right).copied().collect();
    }
    clients.into_iter().chain(servers).collect()
}

fn cut(label: &str) -> (String, bool) {
    if display_width(label) <= LABEL {
        return (label.to_string(), false);
    }
    let mut out = String::new();
    for c in label.chars() {
        if display_width(&out) + 2 > LABEL {
            break;
        }
        out.push(c);
    }
    out.push('…');
    (out, true)
}

/// The words on a lifeline's head: its role and number, and its address.
pub(super) fn lane_title(lang: Lang, lane: &Lane) -> (String, String) {
    let name = match lane.role {
        Role::Server => msg!("demo-label-server").render(lang),
        Role::Client => msg!("demo-label-client").render(lang),
    };
    let conns: Vec<String> = lane.conns.iter().map(|c| format!("#{c}")).collect();
    let mut title = name;
    if !conns.is_empty() {
        title = format!("{title} {}", conns.join(" "));
    }
    let addr = match (lane.addr, lane.more) {
        (_, more) if more > 0 => msg!("html-lane-others", n = more + 1).render(lang),
        (Some(addr), _) => addr.to_string(),
        (None, _) => String::new(),
    };
    (title, addr)
}

pub(super) fn geometry(lang: Lang, section: &Section) -> Geometry {
    let lanes = &section.lanes;
    let mut room = vec![0usize; lanes.len()];
    let mut half = vec![0usize; lanes.len()];
    for (i, lane) in lanes.iter().enumerate() {
        let (title, addr) = lane_title(lang, lane);
        half[i] = display_width(&title).max(display_width(&addr)).div_ceil(2);
        room[i] = half[i];
    }
    for row in section.rows().flatten() {
        if let Some(lane) = row.lane {
            let extra = row.fold.map_or(0, |_| 12);
            room[lane] = room[lane].max(display_width(&cut(&row.label).0) + extra + 2);
        }
    }
    let mut x = vec![0; lanes.len()];
    let order = order(lanes);
    let mut at = 12 + CHAR * order.first().map_or(4, |&l| half[l].max(4));
    for (n, &lane) in order.iter().enumerate() {
        x[lane] = at;
        if n + 1 < order.len() {
            at += (room[lane] * CHAR + 24).max(MIN_GAP);
        }
    }
    let last = order.last().map_or(0, |&l| room[l] * CHAR);
    Geometry { x, width: at + last + 24 }
}

fn tone_class(tone: Tone) -> &'static str {
    match tone {
        Tone::Step => "step",
        Tone::State => "state",
        Tone::Recv => "recv",
        Tone::Send => "send",
        Tone::Close => "close",
        Tone::Error => "err",
        Tone::Note => "note",
        Tone::Packet(kind) => match kind {
            PacketKind::Syn | PacketKind::SynAck => "pk-syn",
            PacketKind::Fin => "pk-fin",
            PacketKind::Rst
            | PacketKind::IcmpPortUnreachable
            | PacketKind::Icmpv6PortUnreachable
            | PacketKind::Icmp => "pk-err",
            PacketKind::Data | PacketKind::Udp => "pk-data",
            PacketKind::Ack => "pk-ack",
        },
    }
}

/// The CSS class of a row's kind.
pub(super) fn class(row: &Row) -> &'static str {
    tone_class(row.tone)
}

/// The lifelines of `geometry` from `y0` to `y1` (`None`: to the bottom).
pub(super) fn lifelines(geometry: &Geometry, y0: usize, y1: Option<usize>, out: &mut String) {
    let y1 = y1.map_or("100%".to_string(), |y| y.to_string());
    for x in &geometry.x {
        out.push_str(&format!("<line class=\"life\" x1=\"{x}\" x2=\"{x}\" y1=\"{y0}\" y2=\"{y1}\" />"));
    }
}

/// One row at `y0`: its call on its lifeline, its arrow, its note.
/// `fold_note` is what a folded row adds (`× 16,382`).
/// `arrows_of_calls`: draw the path of a call's bytes (where no packet
/// was captured, so no packet shows it).
pub(super) fn row(
    row: &Row,
    geometry: &Geometry,
    y0: usize,
    fold_note: Option<&str>,
    calls: bool,
    out: &mut String,
) {
    let class = tone_class(row.tone);
    let folded = if row.fold.is_some() { " folded" } else { "" };
    out.push_str(&format!("<g class=\"{class}{folded}\">"));
    let arrow = row.arrow.as_ref().filter(|a| a.packet || calls);
    if let Some(arrow) = arrow {
        let (a, b) = (geometry.x[arrow.from], geometry.x[arrow.to]);
        let y = y0 + if arrow.packet { 20 } else { 27 };
        let (tip, dir) = if b > a { (b - 1, -1i64) } else { (b + 1, 1) };
        let dash = if arrow.packet { "" } else { " stroke-dasharray=\"4 3\"" };
        out.push_str(&format!(
            "<line class=\"arrow\" x1=\"{a}\" x2=\"{tip}\" y1=\"{y}\" y2=\"{y}\"{dash} />"
        ));
        let back = (tip as i64 + dir * 8) as usize;
        out.push_str(&format!("<path class=\"head\" d=\"M{tip} {y}L{back} {}L{back} {}Z\" />", y - 4, y + 4));
        if arrow.packet {
            let mut label = arrow.label.clone();
            if let Some(note) = fold_note {
                label = format!("{label} {note}");
            }
            let mid = a.min(b) + a.abs_diff(b) / 2;
            out.push_str(&format!(
                "<text class=\"al\" x=\"{mid}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                y0 + 14,
                escape(&label)
            ));
        }
    }
    match row.lane {
        Some(lane) => {
            let x = geometry.x[lane];
            out.push_str(&format!(
                "<rect class=\"act\" x=\"{}\" y=\"{}\" width=\"8\" height=\"18\" rx=\"2\" />",
                x - 4,
                y0 + 6
            ));
            let (label, was_cut) = cut(&row.label);
            let mut text = escape(&label);
            if let Some(note) = fold_note {
                text = format!("{text} <tspan class=\"more\">{}</tspan>", escape(note));
            }
            let title =
                if was_cut { format!("<title>{}</title>", escape(&row.label)) } else { String::new() };
            out.push_str(&format!("<text x=\"{}\" y=\"{}\">{title}{text}</text>", x + 10, y0 + 19));
        }
        None if arrow.is_none() => {
            let (label, _) = cut(&row.label);
            out.push_str(&format!("<text x=\"8\" y=\"{}\">{}</text>", y0 + 19, escape(&label)));
        }
        None => {}
    }
    out.push_str("</g>");
}

/// The heads of the lifelines, at the top of a diagram.
pub(super) fn heads(lang: Lang, section: &Section, geometry: &Geometry, out: &mut String) {
    for (i, lane) in section.lanes.iter().enumerate() {
        let x = geometry.x[i];
        let (title, addr) = lane_title(lang, lane);
        let ours = if lane.ours { " ours" } else { "" };
        out.push_str(&format!(
            "<g class=\"lane{ours}\"><text class=\"lt\" x=\"{x}\" y=\"16\" text-anchor=\"middle\">{}</text>\
             <text class=\"la\" x=\"{x}\" y=\"32\" text-anchor=\"middle\">{}</text></g>",
            escape(&title),
            escape(&addr)
        ));
    }
}
