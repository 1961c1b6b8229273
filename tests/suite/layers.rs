//! The layers of docs/architecture.md, kept by a test: every `crate::` path
//! and `use` in src/ is an edge from the top-level module of its file to the
//! top-level module it names; an edge may not climb the table below, a few
//! named edges are refused whatever the layers (runners never import report:
//! they emit through sink), and no two top-level modules may import each
//! other, even through others; nor may two children of one top-level module
//! (report/human and report/packets, siblings), whose imports are read the
//! same way one level down. A new top-level module must be given a layer
//! here, in the same commit that makes it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Each top-level module of src/ and its layer, from the bottom: a module
/// may import from its own layer and those below, never from above.
const LAYERS: &[(&str, u8)] = &[
    // Plain types and the clock: imports nothing of the crate.
    ("model", 0),
    // Catalogues, numbers and units as each language writes them.
    ("i18n", 1),
    // One system fact a module (they explain themselves in the catalogues).
    ("sys", 2),
    // What happened; the pure renderers of bytes; the course's notation;
    // reading input and the units a person types.
    ("event", 3),
    ("hexdump", 3),
    ("decode", 3),
    ("python", 3),
    ("units", 3),
    ("input", 3),
    ("width", 3),
    // The handle runners emit through, and the renderers: neither imports
    // the other (lib.rs joins them).
    ("sink", 4),
    ("report", 4),
    // Sockets and our packets; output.rs, which joins a sink to its
    // renderers for a run.
    ("net", 5),
    ("capture", 5),
    ("output", 5),
    // The script engine: a job carries its parsed script, so it stands
    // under config; it plays over any connection a runner hands it.
    ("script", 6),
    // Validated jobs: every job's type, under the runners that take them.
    ("config", 7),
    // The runners: one job each.
    ("tcp", 8),
    ("udp", 8),
    ("demo", 8),
    ("bench", 8),
    ("hex", 8),
    ("packets", 8),
    ("nc", 8),
    // The edges of the program: the command line and the exit codes.
    ("exit", 9),
    ("cli", 9),
];

/// Edges refused although the layers allow them.
const REFUSED: &[(&str, &str, &str)] = &[
    ("sink", "report", "sink hands events to a renderer it does not know"),
    ("report", "sink", "a renderer renders; it does not emit"),
    // output.rs shares layer 5 with net and capture, which stand under it:
    // they emit through sink, and never choose a run's renderer.
    ("net", "output", "sockets emit through sink; they do not choose the output"),
    ("capture", "output", "the capture emits through sink; it does not choose the output"),
    // Runners emit events; only the renderers write them.
    ("tcp", "report", "runners never print: they emit through sink"),
    ("udp", "report", "runners never print: they emit through sink"),
    ("demo", "report", "runners never print: they emit through sink"),
    ("bench", "report", "runners never print: they emit through sink"),
    ("hex", "report", "runners never print: they emit through sink"),
    ("packets", "report", "runners never print: they emit through sink"),
    ("nc", "report", "runners never print: they emit through sink"),
];

/// Climbing edges known and not mended yet, each with where and why: they
/// are let through, and the test fails once one is gone (take it out
/// then), so the list only shrinks. None today.
const KNOWN: &[(&str, &str, &str)] = &[];

/// Cycles known and not mended yet, each the modules it joins (as the
/// fault names them) and why: let through while it joins exactly these,
/// and the test fails once it is gone (take it out then). None today.
const KNOWN_CYCLES: &[(&[&str], &str)] = &[];

/// One import: from the top-level module of `file`, to `to`, at `line`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Edge {
    from: String,
    to: String,
    file: String,
    line: usize,
}

/// The module path of a file under src/: `tcp/serve/conn.rs` is
/// [tcp, serve, conn]; `tcp/mod.rs` and `tcp.rs` are [tcp]; lib.rs and
/// main.rs are the root, [].
fn module_path(file: &str) -> Vec<String> {
    let file = file.strip_suffix(".rs").unwrap_or(file);
    let mut parts: Vec<String> = file.split('/').map(String::from).collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    if parts.len() == 1 && (parts[0] == "lib" || parts[0] == "main") {
        parts.clear();
    }
    parts
}

/// The text without comments (doc comments included), so that a path
/// named in prose is not an import. Strings stay: serde's
/// `serialize_with = "crate::..."` names a real path.
fn code_only(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if c == '\\' {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            // A char literal: '"' must not open a string.
            '\'' if chars.peek() == Some(&'"') => {
                out.push(c);
                out.push(chars.next().unwrap());
            }
            '/' if chars.peek() == Some(&'/') => {
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if c == '\n' {
                        out.push('\n');
                    }
                    if last == '*' && c == '/' {
                        break;
                    }
                    last = c;
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The first segments named by the path that starts at `rest` (after
/// `crate::`): one for `net::ports`, several for `{net::ports, sys}`.
fn first_segments(rest: &str) -> Vec<String> {
    let rest = rest.trim_start();
    if let Some(group) = rest.strip_prefix('{') {
        let mut depth = 0;
        let mut items = Vec::new();
        let mut item = String::new();
        for c in group.chars() {
            match c {
                '{' => {
                    depth += 1;
                    item.push(c);
                }
                '}' if depth == 0 => break,
                '}' => {
                    depth -= 1;
                    item.push(c);
                }
                ',' if depth == 0 => items.push(std::mem::take(&mut item)),
                _ => item.push(c),
            }
        }
        items.push(item);
        items.iter().flat_map(|item| first_segments(item)).filter(|name| name != "self").collect()
    } else {
        let name: String = rest.chars().take_while(|&c| is_ident(c)).collect();
        if name.is_empty() { vec![] } else { vec![name] }
    }
}

/// Every import of one file, as (line, top-level module named).
fn imports(file: &str, text: &str, macros: &BTreeMap<String, String>) -> Vec<(usize, String)> {
    let code = code_only(text);
    let path = module_path(file);
    let mut found = Vec::new();
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    for (at, rest) in crate_paths(&code) {
        for name in first_segments(rest) {
            let name = macros.get(&name).cloned().unwrap_or(name);
            found.push((line_of(at), name));
        }
    }
    // `super::` out of a top-level module reaches the root: `super::net`
    // in src/tcp.rs is crate::net.
    for (at, levels, rest) in supers(&code) {
        if levels >= path.len() {
            for name in first_segments(rest) {
                found.push((line_of(at), macros.get(&name).cloned().unwrap_or(name)));
            }
        }
    }
    found
}

/// Every `crate::` path of a file's code: where it starts, and the text
/// after `crate::`. `$crate::` counts; `netplay_crate::` is another name.
fn crate_paths(code: &str) -> Vec<(usize, &str)> {
    code.match_indices("crate::")
        .filter(|(at, _)| !code[..*at].chars().next_back().is_some_and(|c| is_ident(c) && c != '$'))
        .map(|(at, _)| (at, &code[at + "crate::".len()..]))
        .collect()
}

/// Every `super::` path of a file's code: where it starts, how many
/// levels it climbs above the file's own module (the `mod x { ... }`
/// blocks around it climbed first), and the text after its last
/// `super::`. One that stays inside the file is left out.
fn supers(code: &str) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = code[from..].find("super::") {
        let at = from + i;
        if code[..at].chars().next_back().is_some_and(is_ident) {
            from = at + 1;
            continue;
        }
        let mut ups: usize = 0;
        let mut rest = &code[at..];
        while let Some(r) = rest.strip_prefix("super::") {
            ups += 1;
            rest = r;
        }
        from = code.len() - rest.len();
        if let Some(levels) = ups.checked_sub(inline_depth(code, at)).filter(|&l| l > 0) {
            out.push((at, levels, rest));
        }
    }
    out
}

/// How many inline modules (`mod tests { ... }`, `mod linux { ... }`)
/// are open at byte `at` of a file's code. Strings and char literals are
/// stepped over, so a `'{'` opens nothing.
fn inline_depth(code: &str, at: usize) -> usize {
    let bytes = &code.as_bytes()[..at];
    // The brace depth at which each open inline module began.
    let mut open: Vec<usize> = Vec::new();
    let mut depth = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            // An escaped char literal ('\'', '\u{7f}'): up to its end.
            b'\'' if bytes.get(i + 1) == Some(&b'\\') => {
                i += 3;
                while i < bytes.len() && bytes[i] != b'\'' {
                    i += 1;
                }
            }
            // A char literal ('{'); 'a alone is a lifetime.
            b'\'' if bytes.get(i + 2) == Some(&b'\'') => i += 2,
            b'{' => {
                if opens_module(&code[..i]) {
                    open.push(depth);
                }
                depth += 1;
            }
            b'}' => {
                depth = depth.saturating_sub(1);
                if open.last() == Some(&depth) {
                    open.pop();
                }
            }
            _ => {}
        }
        i += 1;
    }
    open.len()
}

/// Whether the code before a `{` ends in `mod name`.
fn opens_module(before: &str) -> bool {
    let before = before.trim_end();
    let name = before.len() - before.trim_end_matches(is_ident).len();
    let rest = before[..before.len() - name].trim_end();
    name > 0 && rest.strip_suffix("mod").is_some_and(|b| b.chars().next_back().is_none_or(|c| !is_ident(c)))
}

/// The edges between top-level modules of a tree of (path under src/,
/// text) files.
fn edges(files: &[(String, String)]) -> Vec<Edge> {
    // `macro_rules! msg` in i18n.rs: `crate::msg!` is an import of i18n.
    let mut macros = BTreeMap::new();
    for (file, text) in files {
        let code = code_only(text);
        for (i, _) in code.match_indices("macro_rules!") {
            let name: String =
                code[i + "macro_rules!".len()..].trim_start().chars().take_while(|&c| is_ident(c)).collect();
            if let Some(top) = module_path(file).first() {
                macros.insert(name, top.clone());
            }
        }
    }
    let mut out = BTreeSet::new();
    for (file, text) in files {
        let Some(top) = module_path(file).first().cloned() else { continue };
        for (line, to) in imports(file, text, &macros) {
            if to != top {
                out.insert(Edge { from: top.clone(), to, file: file.clone(), line });
            }
        }
    }
    out.into_iter().collect()
}

/// The paths named at `rest`, each cut to its first `n` segments:
/// `a::b::c` is [a, b]; `{a::b, c}` is [a, b] and [c]; `a::{self, b}` is
/// [a] and [a, b].
fn paths(rest: &str, n: usize) -> Vec<Vec<String>> {
    let rest = rest.trim_start();
    if let Some(group) = rest.strip_prefix('{') {
        let mut depth = 0;
        let mut items = vec![String::new()];
        for c in group.chars() {
            match c {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    items.push(String::new());
                    continue;
                }
                _ => {}
            }
            items.last_mut().unwrap().push(c);
        }
        return items.iter().flat_map(|item| paths(item, n)).collect();
    }
    let name: String = rest.chars().take_while(|&c| is_ident(c)).collect();
    if name.is_empty() {
        return vec![];
    }
    if name == "self" {
        return vec![vec![]];
    }
    let after = rest[name.len()..].trim_start();
    match after.strip_prefix("::") {
        Some(more) if n > 1 => {
            let tails = paths(more, n - 1);
            if tails.is_empty() {
                return vec![vec![name]];
            }
            tails.into_iter().map(|tail| [vec![name.clone()], tail].concat()).collect()
        }
        _ => vec![vec![name]],
    }
}

/// The imports between children of one top-level module (report/human
/// and report/packets: siblings), each an edge from `top/child` to
/// `top/other`: through `crate::top::other` or through `super::` up to the
/// top-level module, from a file of the child or under it. The top-level
/// module's own files (report/mod.rs) are the parent, not a sibling.
fn sibling_edges(files: &[(String, String)]) -> Vec<Edge> {
    let mut children: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, _) in files {
        if let [top, child, ..] = module_path(file).as_slice() {
            children.entry(top.clone()).or_default().insert(child.clone());
        }
    }
    let mut out = BTreeSet::new();
    for (file, text) in files {
        let path = module_path(file);
        let [top, child, ..] = path.as_slice() else { continue };
        let code = code_only(text);
        let line_of = |at: usize| code[..at].matches('\n').count() + 1;
        let mut named = Vec::new();
        for (at, rest) in crate_paths(&code) {
            for p in paths(rest, 2) {
                if let [t, other] = p.as_slice()
                    && t == top
                {
                    named.push((line_of(at), other.clone()));
                }
            }
        }
        // Up to the top-level module itself: what follows is its child.
        for (at, levels, rest) in supers(&code) {
            if levels + 1 == path.len() {
                for p in paths(rest, 1) {
                    if let [other] = p.as_slice() {
                        named.push((line_of(at), other.clone()));
                    }
                }
            }
        }
        for (line, other) in named {
            if other != *child && children[top].contains(&other) {
                out.insert(Edge {
                    from: format!("{top}/{child}"),
                    to: format!("{top}/{other}"),
                    file: file.clone(),
                    line,
                });
            }
        }
    }
    out.into_iter().collect()
}

/// What is wrong with a tree: imports that climb or are refused, names no
/// layer holds, and cycles between top-level modules or between the
/// children of one, but for the `known_cycles`.
fn faults(
    files: &[(String, String)],
    layers: &[(&str, u8)],
    refused: &[(&str, &str, &str)],
    known: &[(&str, &str, &str)],
    known_cycles: &[(&[&str], &str)],
) -> Vec<String> {
    let layer: BTreeMap<&str, u8> = layers.iter().copied().collect();
    let mut out = Vec::new();
    let tops: BTreeSet<String> = files.iter().filter_map(|(f, _)| module_path(f).first().cloned()).collect();
    for top in &tops {
        if !layer.contains_key(top.as_str()) {
            out.push(format!("src/{top}: a top-level module with no layer in tests/suite/layers.rs"));
        }
    }
    let edges = edges(files);
    for e in &edges {
        let (Some(&from), Some(&to)) = (layer.get(e.from.as_str()), layer.get(e.to.as_str())) else {
            if tops.contains(&e.to) || layer.contains_key(e.to.as_str()) {
                continue;
            }
            out.push(format!(
                "src/{}:{}: {} imports crate::{}, which is no module",
                e.file, e.line, e.from, e.to
            ));
            continue;
        };
        if to > from && !known.iter().any(|(a, b, _)| *a == e.from && *b == e.to) {
            out.push(format!(
                "src/{}:{}: {} (layer {from}) imports {} (layer {to}): an import that climbs",
                e.file, e.line, e.from, e.to
            ));
        }
        if let Some((_, _, why)) = refused.iter().find(|(a, b, _)| *a == e.from && *b == e.to) {
            out.push(format!("src/{}:{}: {} imports {}: refused ({why})", e.file, e.line, e.from, e.to));
        }
    }
    for (from, to, why) in known {
        if !edges.iter().any(|e| e.from == *from && e.to == *to) {
            out.push(format!("{from} no longer imports {to} ({why}): take it out of KNOWN"));
        }
    }
    let mut found = Vec::new();
    for edges in [edges, sibling_edges(files)] {
        for cycle in cycles(&edges) {
            if known_cycles.iter().any(|(modules, _)| *modules == cycle.as_slice()) {
                found.push(cycle);
                continue;
            }
            let witness: Vec<String> = edges
                .iter()
                .filter(|e| cycle.contains(&e.from) && cycle.contains(&e.to))
                .map(|e| format!("{} -> {} (src/{}:{})", e.from, e.to, e.file, e.line))
                .collect();
            out.push(format!("a cycle between {}: {}", cycle.join(", "), witness.join("; ")));
        }
    }
    for (modules, why) in known_cycles {
        if !found.iter().any(|cycle| cycle.as_slice() == *modules) {
            out.push(format!(
                "the cycle between {} is gone ({why}): take it out of KNOWN_CYCLES",
                modules.join(", ")
            ));
        }
    }
    out
}

/// The strongly connected components of more than one module (Tarjan).
fn cycles(edges: &[Edge]) -> Vec<Vec<String>> {
    let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for e in edges {
        graph.entry(&e.from).or_default().push(&e.to);
        graph.entry(&e.to).or_default();
    }
    struct Walk<'a> {
        graph: &'a BTreeMap<&'a str, Vec<&'a str>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    impl<'a> Walk<'a> {
        fn visit(&mut self, v: &'a str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            self.on_stack.insert(v);
            for &w in &self.graph[v] {
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let low = self.low[v].min(self.low[w]);
                    self.low.insert(v, low);
                } else if self.on_stack.contains(w) {
                    let low = self.low[v].min(self.index[w]);
                    self.low.insert(v, low);
                }
            }
            if self.low[v] == self.index[v] {
                let mut component = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on_stack.remove(w);
                    component.push(w.to_string());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    component.sort();
                    self.found.push(component);
                }
            }
        }
    }
    let mut walk = Walk {
        graph: &graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for &v in graph.keys() {
        if !walk.index.contains_key(v) {
            walk.visit(v);
        }
    }
    walk.found
}

/// Every .rs file under `dir`, as (path under src/, text).
fn tree(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            tree(root, &path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let name = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            out.push((name, std::fs::read_to_string(&path).unwrap()));
        }
    }
}

fn src() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    tree(&root, &root, &mut files);
    files.sort();
    files
}

#[test]
fn src_keeps_its_layers() {
    let files = src();
    assert!(files.len() > 100, "src/ has {} files", files.len());
    let faults = faults(&files, LAYERS, REFUSED, KNOWN, KNOWN_CYCLES);
    assert!(faults.is_empty(), "{} faults:\n{}", faults.len(), faults.join("\n"));
}

/// The reading is not empty: the edges every runner is known to have are
/// found (a parser that found nothing would pass every other check).
#[test]
fn the_known_edges_are_found() {
    let edges = edges(&src());
    for (from, to) in
        [("tcp", "net"), ("net", "sys"), ("report", "event"), ("event", "model"), ("sys", "i18n")]
    {
        assert!(edges.iter().any(|e| e.from == from && e.to == to), "no edge {from} -> {to} found");
    }
}

fn fake(files: &[(&str, &str)]) -> Vec<(String, String)> {
    files.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect()
}

/// The test can fail: a small tree with an import that climbs, a cycle, a
/// refused edge and a module with no layer is faulted for each, and the
/// same tree set right is not.
#[test]
fn a_climbing_import_and_a_cycle_are_caught() {
    let layers = [("model", 0), ("net", 1), ("report", 1), ("sink", 1), ("tcp", 2)];
    let refused = [("sink", "report", "apart")];
    let bad = fake(&[
        // model climbs to net, in a grouped use.
        ("model/mod.rs", "use crate::{event_free, net::Socket};\nmod x;"),
        // net and report import each other (one through a full path, one
        // through `super::` out of a top-level file's test module).
        ("net/mod.rs", "pub fn f() { crate::report::draw(); }"),
        ("report.rs", "#[cfg(test)]\nmod tests {\n    use super::super::net::f;\n}"),
        ("sink/mod.rs", "// crate::tcp in a comment is no import\nuse crate::report::Human;"),
        ("tcp/serve.rs", "use crate::net;\nuse crate::model;"),
        ("newcomer.rs", "use crate::model::A;"),
    ]);
    let found = faults(&bad, &layers, &refused, &[("tcp", "report", "gone")], &[]);
    let has = |what: &str| found.iter().any(|f| f.contains(what));
    assert!(
        has("src/model/mod.rs:1: model (layer 0) imports net (layer 1): an import that climbs"),
        "{found:#?}"
    );
    assert!(has("a cycle between net, report"), "{found:#?}");
    assert!(has("src/sink/mod.rs:2: sink imports report: refused (apart)"), "{found:#?}");
    assert!(has("src/newcomer: a top-level module with no layer"), "{found:#?}");
    assert!(has("model imports crate::event_free, which is no module"), "{found:#?}");
    assert!(!has("sink imports tcp"), "a comment is no import: {found:#?}");
    assert!(has("tcp no longer imports report (gone): take it out of KNOWN"), "{found:#?}");
    assert_eq!(found.len(), 6, "{found:#?}");

    let good = fake(&[
        ("model/mod.rs", "pub struct Socket;"),
        ("net/mod.rs", "use crate::model::Socket;"),
        ("report.rs", "#[serde(serialize_with = \"crate::model::micros\")]\nstruct S;"),
        ("tcp/serve.rs", "use crate::{net, report::{self, Human}};\nuse super::super::model;"),
        // A climbing edge let through as known.
        ("sink/mod.rs", "use crate::tcp::Conn;"),
    ]);
    let found = faults(&good, &layers, &refused, &[("sink", "tcp", "let through")], &[]);
    assert!(found.is_empty(), "{found:#?}");
    let edges = edges(&good);
    let tcp: Vec<&str> = edges.iter().filter(|e| e.from == "tcp").map(|e| e.to.as_str()).collect();
    assert_eq!(tcp, ["model", "net", "report"], "{edges:#?}");
    assert!(edges.iter().any(|e| e.from == "report" && e.to == "model"), "serde's path is an import");
}

/// The test can fail one level down: two children of one top-level module
/// that import each other (report/human and report/packets did, for
/// label_columns) are a cycle, whether through `crate::report::...`, a
/// `super::` up to report, or a grouped `use`; a child importing what its
/// parent holds, or its own children, is not; and a cycle let through as
/// known is faulted once it is gone.
#[test]
fn a_cycle_between_siblings_is_caught() {
    let layers = [("model", 0), ("report", 1)];
    let bad = fake(&[
        ("report/mod.rs", "mod human;\nmod packets;\nmod tables;\npub trait Reporter {}"),
        ("report/human/mod.rs", "mod steps;\nuse super::{Reporter, tables::COLUMN};\nuse super::steps::x;"),
        ("report/human/steps.rs", "fn f() { super::super::packets::tcp_info_text(); }"),
        ("report/packets.rs", "fn g() { crate::report::human::label_columns(); }\nuse crate::model::A;"),
        ("report/tables.rs", "use super::Reporter;"),
        ("model/mod.rs", "pub struct A;"),
    ]);
    let edges = sibling_edges(&bad);
    let named: Vec<(&str, &str, usize)> =
        edges.iter().map(|e| (e.from.as_str(), e.to.as_str(), e.line)).collect();
    assert_eq!(
        named,
        [
            ("report/human", "report/packets", 1),
            ("report/human", "report/tables", 2),
            ("report/packets", "report/human", 1)
        ],
        "{edges:#?}"
    );
    let found = faults(&bad, &layers, &[], &[], &[]);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(
        found[0].starts_with("a cycle between report/human, report/packets: ")
            && found[0].contains("report/packets -> report/human (src/report/packets.rs:1)"),
        "{found:#?}"
    );
    // Known, it is let through; the same tree without it says to take it out.
    assert!(faults(&bad, &layers, &[], &[], &[(&["report/human", "report/packets"], "known")]).is_empty());

    let good = fake(&[
        ("report/mod.rs", "mod human;\nmod labels;\nmod packets;"),
        ("report/human/mod.rs", "use super::labels::columns;\nuse crate::report::packets::Ladder;"),
        ("report/packets.rs", "use super::labels::columns;"),
        ("report/labels.rs", "pub fn columns() {}"),
    ]);
    assert!(faults(&good, &layers, &[], &[], &[]).is_empty());
    let found = faults(&good, &layers, &[], &[], &[(&["report/human", "report/packets"], "known")]);
    assert!(
        found.len() == 1 && found[0].contains("report/human, report/packets is gone (known): take it out"),
        "{found:#?}"
    );
}

/// A `super::` inside an inline module climbs that module first. In
/// src/sys/zerocopy.rs, `mod linux { use super::super::offload; }` reaches
/// sys (zerocopy's sibling offload), not the root; in src/tcp.rs, a
/// `super::super::` in a module inside `mod tests` stays in tcp.rs, while
/// one in `mod tests` itself reaches the root. A `'{'` or a brace in a
/// string opens no module.
#[test]
fn a_super_inside_an_inline_module_climbs_it_first() {
    let layers = [("model", 0), ("net", 1), ("sys", 2), ("tcp", 3)];
    let files = fake(&[
        ("sys/mod.rs", "mod offload;\nmod zerocopy;"),
        ("sys/offload.rs", "pub fn f() {}"),
        ("sys/zerocopy.rs", "mod linux {\n    use super::super::offload::f;\n}\nuse super::super::model::A;"),
        (
            "tcp.rs",
            "fn open() { let _ = ('{', '\\'', \"{ mod x {\"); }\n#[cfg(test)]\nmod tests {\n    \
             mod reference {\n        use super::super::open;\n    }\n    use super::super::net;\n}",
        ),
        ("net.rs", "pub fn f() {}"),
        ("model.rs", "pub struct A;"),
    ]);
    let found: Vec<(String, String, usize)> =
        edges(&files).into_iter().map(|e| (e.from, e.to, e.line)).collect();
    let want = [("sys", "model", 4), ("tcp", "net", 7)].map(|(a, b, l)| (a.to_string(), b.to_string(), l));
    assert_eq!(found, want);
    let siblings: Vec<(String, String)> = sibling_edges(&files).into_iter().map(|e| (e.from, e.to)).collect();
    assert_eq!(siblings, [("sys/zerocopy".to_string(), "sys/offload".to_string())]);
    assert!(faults(&files, &layers, &[], &[], &[]).is_empty());
}
