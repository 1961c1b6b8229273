//! The page: one HTML file with everything inline (CSS, SVG, a few lines
//! of JavaScript for an extra), nothing fetched, no address in it but its
//! own anchors; every word from the catalogues of the run's language. And
//! the diagram alone, as an SVG file (`--svg`).

use std::fmt::Write as _;

use super::draw::{self, Geometry};
use super::dump::{self, escape, escape_into};
use super::session::{Detail, Row, Section, Session};
use crate::i18n::units::format_duration_in;
use crate::i18n::{Arg, Lang, Msg};
use crate::model::clock::Stamp;
use crate::msg;
use crate::report::tables;

/// Where the run stands when the page is written.
#[derive(Debug, Clone)]
pub(crate) enum Status {
    Running,
    Over,
    /// The run ended with this error, as the terminal said it.
    Failed(String),
}

fn t(lang: Lang, m: Msg) -> String {
    m.render(lang)
}

fn when(lang: Lang, at: Stamp) -> String {
    format!("+{}", format_duration_in(lang, at.0))
}

const CSS: &str = r#"
:root{--fg:#1f2328;--dim:#59636e;--line:#b6bec7;--faint:#eef1f4}
body{margin:0;padding:16px 24px 40px;font:14px/1.45 "DejaVu Sans",system-ui,sans-serif;color:var(--fg);background:#fff}
h1{font-size:21px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px}
header p{margin:2px 0;color:var(--dim)}
code,pre,.t,svg text{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace}
.seq{border-top:1px solid var(--line);min-width:min-content}
.r{display:grid;grid-template-columns:7em var(--w) minmax(46em,1fr);border-bottom:1px solid var(--faint)}
.r.heads{position:sticky;top:0;background:#fff;z-index:1;border-bottom:1px solid var(--line);font-weight:600}
.heads .d{height:44px}
.t{font-size:12px;color:var(--dim);padding:8px 8px 0 0;text-align:right;white-space:nowrap}
.d{position:relative;min-height:32px}
.d>svg{position:absolute;left:0;top:0;height:100%}
.x{padding:4px 10px 6px;min-width:0}
.x p{margin:2px 0}
svg text{font-size:12px;fill:var(--fg)}
line.life{stroke:var(--line);stroke-width:1.5}
.lane.ours .lt{font-weight:700}.lt{font-size:13px}.la{fill:var(--dim)}
rect.act{fill:#fff;stroke:var(--fg)}
.arrow{stroke:var(--fg);stroke-width:1.4}.head{fill:var(--fg)}
.al{font-size:11px}
.step rect.act{stroke:#0969da}.step text{fill:#0550ae}
.state rect.act{fill:#1a7f37;stroke:#1a7f37}.state text{fill:#1a7f37}
.recv rect.act{fill:#1b7c83;stroke:#1b7c83}.recv text{fill:#1b7c83}.recv .arrow{stroke:#1b7c83}.recv .head{fill:#1b7c83}
.send rect.act{fill:#a626a4;stroke:#a626a4}.send text{fill:#a626a4}.send .arrow{stroke:#a626a4}.send .head{fill:#a626a4}
.close rect.act{fill:#9a6700;stroke:#9a6700}.close text{fill:#7d4e00}.close .arrow{stroke:#9a6700}.close .head{fill:#9a6700}
.err text{fill:#cf222e}.err rect.act{fill:#cf222e;stroke:#cf222e}
.note text{fill:var(--dim)}
.pk-syn .arrow{stroke:#1a7f37}.pk-syn .head,.pk-syn text{fill:#1a7f37}
.pk-fin .arrow{stroke:#9a6700}.pk-fin .head,.pk-fin text{fill:#9a6700}
.pk-err .arrow{stroke:#cf222e}.pk-err .head,.pk-err text{fill:#cf222e}
.pk-data .arrow{stroke:#1b7c83}.pk-data .head,.pk-data text{fill:#1b7c83}
.pk-ack .arrow{stroke:#6e7781}.pk-ack .head{fill:#6e7781}
.folded text{font-style:italic}.more{fill:var(--dim)}.fold{font-style:italic}
.gap .d,.gap .x{background:repeating-linear-gradient(135deg,#fff 0 6px,var(--faint) 6px 12px)}
.py code,.dec code{color:#0550ae;white-space:pre-wrap}.why{color:var(--dim)}.warn{color:#cf222e}.cut{color:var(--dim);font-size:12px}
.dump{background:#0d1117;color:#c9d1d9;font-size:12px;line-height:1.35;padding:6px 8px;border-radius:4px;margin:3px 0;width:max-content;max-width:100%;overflow-x:auto}
.bn{color:#8b949e}.bp{color:#39c5cf}.bc{color:#d070d8}.bx{color:#e3b341}
dl.legend{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;background:#0d1117;color:#c9d1d9;padding:10px 14px;border-radius:6px;max-width:56em}
dl.legend dt{font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace}dl.legend dd{margin:0}
table.demo{border-collapse:collapse;max-width:80em}
table.demo th,table.demo td{border:1px solid var(--line);padding:6px 10px;vertical-align:top;text-align:left}
table.demo th{background:var(--faint)}
.status{font-weight:600}
body.compact .x .dump,body.compact .x .cut{display:none}
footer{margin-top:32px;color:var(--dim);font-size:12px}
@media print{.r.heads{position:static}#toggle{display:none}}
"#;

/// Shows or hides the dumps: an extra; without JavaScript every dump shows
/// and the button stays hidden.
const SCRIPT: &str = r#"
var b=document.getElementById('toggle');
if(b){b.hidden=false;b.onclick=function(){var c=document.body.classList.toggle('compact');b.textContent=c?b.dataset.show:b.dataset.hide;};}
"#;

/// The page of `session`.
pub(super) fn html(session: &Session, status: &Status, started: &str) -> String {
    let lang = session.lang;
    let mut out = String::with_capacity(64 << 10);
    let title = t(lang, msg!("html-title", command = session.command.as_str()));
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width\"><title>{}</title><style>{CSS}</style></head>\n<body>\n",
        lang.tag(),
        escape(&title)
    );
    let status_text = match status {
        Status::Running => t(lang, msg!("html-running")),
        Status::Over => t(lang, msg!("html-over")),
        Status::Failed(error) => t(lang, msg!("html-failed", error = error.as_str())),
    };
    let _ = write!(
        out,
        "<header><h1>{}</h1><p class=status>{}</p><p>{}</p>\
         <button id=toggle hidden data-hide=\"{}\" data-show=\"{}\">{}</button></header>\n<main>\n",
        escape(&title),
        escape(&status_text),
        escape(&t(lang, msg!("html-started", date = started))),
        escape(&t(lang, msg!("html-hide-bytes"))),
        escape(&t(lang, msg!("html-show-bytes"))),
        escape(&t(lang, msg!("html-hide-bytes"))),
    );
    for section in &session.sections {
        if section.lanes.is_empty() && section.head.is_empty() {
            continue;
        }
        diagram(session, section, &mut out);
    }
    if !session.table.is_empty() {
        table(session, &mut out);
    }
    dump::legend(lang, &mut out);
    left_out(session, &mut out);
    let _ = write!(
        out,
        "</main>\n<footer>{}</footer>\n<script>{SCRIPT}</script>\n</body></html>\n",
        escape(&t(lang, msg!("html-footer", version = env!("CARGO_PKG_VERSION"))))
    );
    out
}

/// One section's diagram, a row at a time, each with what it returned.
fn diagram(session: &Session, section: &Section, out: &mut String) {
    let lang = session.lang;
    let geometry = draw::geometry(lang, section);
    let width = geometry.width;
    if let Some(title) = &section.title {
        let _ = write!(out, "<section><h2>{}</h2>", escape(title));
    } else {
        out.push_str("<section>");
    }
    let _ = write!(
        out,
        "<div class=seq style=\"--w:{width}px\"><div class=\"r heads\"><div class=t>{}</div>\
         <div class=d><svg width={width} height=44 role=img>",
        escape(&t(lang, msg!("html-head-time")))
    );
    draw::heads(lang, section, &geometry, out);
    let _ =
        writeln!(out, "</svg></div><div class=x>{}</div></div>", escape(&t(lang, msg!("html-head-beside"))));
    let calls = !section.packets;
    for row in section.rows() {
        match row {
            Some(row) => html_row(session, row, &geometry, calls, out),
            None => gap(session, section, &geometry, out),
        }
    }
    out.push_str("</div></section>\n");
}

/// What a folded row adds to its label in the diagram: `× 124`.
fn fold_count(lang: Lang, row: &Row) -> Option<String> {
    row.fold.map(|fold| format!("× {}", crate::i18n::units::format_count_in(lang, fold.count)))
}

/// What a folded row says beside it: how many, how many bytes, until when.
fn fold_note(lang: Lang, row: &Row) -> Option<String> {
    let fold = row.fold?;
    let until = when(lang, fold.last);
    Some(t(
        lang,
        if fold.bytes > 0 {
            msg!("html-fold", n = Arg::count(fold.count), bytes = Arg::bytes(fold.bytes), until = until)
        } else {
            msg!("html-fold-count", n = Arg::count(fold.count), until = until)
        },
    ))
}

fn html_row(session: &Session, row: &Row, geometry: &Geometry, calls: bool, out: &mut String) {
    let lang = session.lang;
    let count = fold_count(lang, row);
    let folded = if row.fold.is_some() { " folded" } else { "" };
    let _ = write!(
        out,
        "<div class=\"r {}{folded}\"><div class=t>{}</div><div class=d><svg width={}>",
        draw::class(row),
        when(lang, row.at),
        geometry.width
    );
    draw::lifelines(geometry, 0, None, out);
    draw::row(row, geometry, 0, count.as_deref(), calls, out);
    out.push_str("</svg></div><div class=x>");
    if let Some(note) = fold_note(lang, row) {
        let _ = write!(out, "<p class=fold>{}</p>", escape(&note));
    }
    if row.lane.is_none() && row.arrow.is_none() {
        // A note across the diagram: its whole text here too.
        let _ = write!(out, "<p>{}</p>", escape(&row.label));
    }
    for detail in &row.details {
        match detail {
            Detail::Note(text) => {
                let _ = write!(out, "<p>{}</p>", escape(text));
            }
            Detail::Warn(text) => {
                let _ = write!(out, "<p class=warn>{}</p>", escape(text));
            }
            Detail::Python(text) => {
                let _ = write!(out, "<p class=py><code>&gt;&gt;&gt; {}</code></p>", escape(text));
            }
            Detail::Sentence(text) => {
                let _ = write!(out, "<p class=why>{}</p>", escape(text));
            }
            Detail::Decoded(text) => {
                let _ = write!(out, "<p class=dec><code>{}</code></p>", escape(text));
            }
            Detail::Dump(d) => {
                if !d.bytes.is_empty() {
                    out.push_str("<pre class=dump>");
                    dump::html(&d.bytes, d.offset, out);
                    out.push_str("</pre>");
                }
                if d.bytes.len() < d.total {
                    let text = msg!(
                        "html-dump-cut",
                        shown = Arg::count(d.bytes.len()),
                        total = Arg::count(d.total),
                        left = Arg::bytes(d.total - d.bytes.len())
                    );
                    let _ = write!(out, "<p class=cut>{}</p>", escape(&t(lang, text)));
                }
            }
        }
    }
    out.push_str("</div></div>\n");
}

fn gap_text(session: &Session, section: &Section) -> String {
    let lang = session.lang;
    let gap = section.gap;
    t(
        lang,
        msg!(
            "html-gap",
            rows = Arg::count(gap.rows),
            events = Arg::count(gap.events),
            from = when(lang, gap.from.unwrap_or_default()),
            to = when(lang, gap.to),
            head = session.limits.head,
            tail = session.limits.tail
        ),
    )
}

fn gap(session: &Session, section: &Section, geometry: &Geometry, out: &mut String) {
    let _ =
        write!(out, "<div class=\"r gap\"><div class=t></div><div class=d><svg width={}>", geometry.width);
    draw::lifelines(geometry, 0, None, out);
    let _ =
        writeln!(out, "</svg></div><div class=x><p>{}</p></div></div>", escape(&gap_text(session, section)));
}

/// The demo's table, as measured in this run.
fn table(session: &Session, out: &mut String) {
    let lang = session.lang;
    let title = session.sections.iter().find(|s| s.key == "table").and_then(|s| s.title.clone());
    let title = title.unwrap_or_else(|| t(lang, msg!("demo-part-table")));
    let _ = write!(
        out,
        "<section><h2>{}</h2><table class=demo><tr><th></th><th>TCP (SOCK_STREAM)</th><th>UDP (SOCK_DGRAM)</th></tr>",
        escape(&title)
    );
    for row in &session.table {
        let cells = tables::demo_row(lang, row);
        let _ = write!(out, "<tr><th>{}</th>", escape(&cells.what));
        match &cells.udp {
            Some(udp) => {
                let _ = write!(out, "<td>{}</td><td>{}</td></tr>", escape(&cells.tcp), escape(udp));
            }
            None => {
                let _ = write!(out, "<td colspan=2>{}</td></tr>", escape(&cells.tcp));
            }
        }
    }
    out.push_str("</table></section>\n");
}

/// What the page left out, said whole.
fn left_out(session: &Session, out: &mut String) {
    let lang = session.lang;
    let left = session.left_out();
    let limits = session.limits;
    let _ =
        write!(out, "<section id=left-out><h2>{}</h2><ul>", escape(&t(lang, msg!("html-left-out-title"))));
    let mut items = Vec::new();
    if left.nothing() {
        items.push(msg!("html-left-out-nothing"));
    }
    if left.folded > 0 {
        items.push(msg!(
            "html-left-out-folded",
            n = Arg::count(left.folded),
            bytes = Arg::bytes(left.folded_bytes),
            repeats = limits.repeats
        ));
    }
    if left.rows > 0 {
        items.push(msg!(
            "html-left-out-rows",
            rows = Arg::count(left.rows),
            events = Arg::count(left.events),
            head = limits.head,
            tail = limits.tail
        ));
    }
    if left.undumped > 0 {
        items.push(msg!(
            "html-left-out-bytes",
            bytes = Arg::bytes(left.undumped),
            chunk = limits.dump_chunk,
            total = Arg::bytes(limits.dump_total as u64)
        ));
    }
    if left.peers > 0 {
        items.push(msg!("html-left-out-peers", n = Arg::count(left.peers), max = limits.peers));
    }
    if left.packets > 0 {
        items.push(msg!("html-left-out-packets", n = Arg::count(left.packets)));
    }
    items.push(msg!("html-bound"));
    for item in items {
        out.push_str("<li>");
        escape_into(&t(lang, item), out);
        out.push_str("</li>");
    }
    out.push_str("</ul></section>\n");
}

/// The diagram alone, every part one under the other, for slides: the
/// calls, the packets and the times, without the bytes.
pub(super) fn svg(session: &Session) -> String {
    let lang = session.lang;
    let mut body = String::new();
    let mut y = 8;
    let mut width = 400;
    for section in &session.sections {
        if section.lanes.is_empty() {
            continue;
        }
        let geometry = draw::geometry(lang, section);
        width = width.max(draw::TIME + geometry.width);
        if let Some(title) = &section.title {
            let _ = write!(body, "<text class=\"title\" x=\"8\" y=\"{}\">{}</text>", y + 16, escape(title));
            y += 28;
        }
        let rows: Vec<Option<&Row>> = section.rows().collect();
        let bottom = y + draw::HEAD + rows.len() * draw::ROW + 8;
        let _ = write!(body, "<g transform=\"translate({},{y})\">", draw::TIME);
        draw::heads(lang, section, &geometry, &mut body);
        draw::lifelines(&geometry, draw::HEAD - 6, Some(bottom - y), &mut body);
        let calls = !section.packets;
        for (i, row) in rows.iter().enumerate() {
            let y0 = draw::HEAD + i * draw::ROW;
            match row {
                Some(row) => {
                    let count = fold_count(lang, row);
                    draw::row(row, &geometry, y0, count.as_deref(), calls, &mut body);
                    let _ = write!(
                        body,
                        "<text class=\"time\" x=\"-8\" y=\"{}\" text-anchor=\"end\">{}</text>",
                        y0 + 19,
                        when(lang, row.at)
                    );
                }
                None => {
                    let _ = write!(
                        body,
                        "<text class=\"gap\" x=\"8\" y=\"{}\">{}</text>",
                        y0 + 19,
                        escape(&gap_text(session, section))
                    );
                }
            }
        }
        body.push_str("</g>");
        y = bottom + 16;
    }
    // The SVG file stands alone: its namespace is a name, nothing fetched.
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{y}\" viewBox=\"0 0 {width} {y}\">\
         <style>{SVG_CSS}</style><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>{body}</svg>\n"
    )
}

const SVG_CSS: &str = r#"
text{font:12px "DejaVu Sans Mono",Menlo,Consolas,monospace;fill:#1f2328}
.title{font:bold 15px "DejaVu Sans",sans-serif}.time,.la,.gap,.more{fill:#59636e}.lt{font-size:13px}.lane.ours .lt{font-weight:700}
line.life{stroke:#b6bec7;stroke-width:1.5}rect.act{fill:#fff;stroke:#1f2328}.arrow{stroke:#1f2328;stroke-width:1.4}.head{fill:#1f2328}.al{font-size:11px}
.step rect.act{stroke:#0969da}.step text{fill:#0550ae}
.state rect.act{fill:#1a7f37;stroke:#1a7f37}.state text{fill:#1a7f37}
.recv rect.act{fill:#1b7c83;stroke:#1b7c83}.recv text{fill:#1b7c83}.recv .arrow{stroke:#1b7c83}.recv .head{fill:#1b7c83}
.send rect.act{fill:#a626a4;stroke:#a626a4}.send text{fill:#a626a4}.send .arrow{stroke:#a626a4}.send .head{fill:#a626a4}
.close rect.act{fill:#9a6700;stroke:#9a6700}.close text{fill:#7d4e00}.close .arrow{stroke:#9a6700}.close .head{fill:#9a6700}
.err text{fill:#cf222e}.err rect.act{fill:#cf222e;stroke:#cf222e}.note text{fill:#59636e}
.pk-syn .arrow{stroke:#1a7f37}.pk-syn .head,.pk-syn text{fill:#1a7f37}
.pk-fin .arrow{stroke:#9a6700}.pk-fin .head,.pk-fin text{fill:#9a6700}
.pk-err .arrow{stroke:#cf222e}.pk-err .head,.pk-err text{fill:#cf222e}
.pk-data .arrow{stroke:#1b7c83}.pk-data .head,.pk-data text{fill:#1b7c83}
.pk-ack .arrow{stroke:#6e7781}.pk-ack .head{fill:#6e7781}.folded text{font-style:italic}
"#;
