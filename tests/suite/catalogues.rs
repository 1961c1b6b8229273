//! The message catalogues agree: every message is in both languages, with
//! the same placeholders; every message the code names exists, and every
//! message in the catalogues is named by the code; the French one keeps
//! French typography (a no-break space before `: ; ? !` and inside « »).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};
use fluent_syntax::parser;

const EN: &str = include_str!("../../locales/en/netplay.ftl");
const FR: &str = include_str!("../../locales/fr/netplay.ftl");
const NBSP: char = '\u{a0}';

/// Each message's id and the names of the variables it uses.
fn messages(name: &str, source: &str) -> BTreeMap<String, BTreeSet<String>> {
    let resource = match parser::parse(source) {
        Ok(resource) => resource,
        Err((_, errors)) => panic!("{name}: the catalogue does not parse: {errors:?}"),
    };
    let mut out = BTreeMap::new();
    for entry in resource.body {
        match entry {
            Entry::Message(message) => {
                let id = message.id.name.to_string();
                let pattern = message.value.unwrap_or_else(|| panic!("{name}: {id} has no value"));
                let mut vars = BTreeSet::new();
                pattern_vars(&pattern, &mut vars);
                assert!(out.insert(id.clone(), vars).is_none(), "{name}: {id} twice");
            }
            Entry::Junk { content } => panic!("{name}: junk in the catalogue: {content}"),
            _ => {}
        }
    }
    out
}

fn pattern_vars(pattern: &Pattern<&str>, vars: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            expression_vars(expression, vars);
        }
    }
}

fn expression_vars(expression: &Expression<&str>, vars: &mut BTreeSet<String>) {
    match expression {
        Expression::Inline(inline) => inline_vars(inline, vars),
        Expression::Select { selector, variants } => {
            inline_vars(selector, vars);
            for variant in variants {
                pattern_vars(&variant.value, vars);
            }
        }
    }
}

fn inline_vars(inline: &InlineExpression<&str>, vars: &mut BTreeSet<String>) {
    match inline {
        InlineExpression::VariableReference { id } => {
            vars.insert(id.name.to_string());
        }
        InlineExpression::Placeable { expression } => expression_vars(expression, vars),
        _ => {}
    }
}

#[test]
fn every_message_is_in_both_languages_with_the_same_placeholders() {
    let en = messages("en", EN);
    let fr = messages("fr", FR);
    let only_en: Vec<_> = en.keys().filter(|id| !fr.contains_key(*id)).collect();
    let only_fr: Vec<_> = fr.keys().filter(|id| !en.contains_key(*id)).collect();
    assert!(only_en.is_empty(), "in English only: {only_en:?}");
    assert!(only_fr.is_empty(), "in French only: {only_fr:?}");
    for (id, vars) in &en {
        assert_eq!(vars, &fr[id], "{id}: the placeholders differ (en, fr)");
    }
}

/// The check above fails when it should: a message missing in one
/// language, or a placeholder renamed.
#[test]
fn the_parity_check_sees_a_difference() {
    let en = messages("en", "a = one { $n }\nb = two\n");
    let fr = messages("fr", "a = un { $count }\n");
    assert_ne!(en["a"], fr["a"]);
    assert!(!fr.contains_key("b"));
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
        }
    }
}

/// The ids the code names: `msg!("id"` and `tr!(lang, "id"`.
fn ids_in_code() -> BTreeMap<String, String> {
    let mut files = Vec::new();
    sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
    let mut ids = BTreeMap::new();
    for (path, text) in files {
        for (start, _) in text.match_indices("msg!(").chain(text.match_indices("tr!(")) {
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            if text[line_start..start].trim_start().starts_with("//") {
                continue;
            }
            let rest = &text[start..];
            let Some(open) = rest.find('"') else { continue };
            // msg!("id": the first token; tr!(lang, "id": the first literal
            // after the language.
            let prefix = &rest[rest.find('(').unwrap() + 1..open];
            let named = match rest.starts_with("msg!") {
                true => prefix.trim().is_empty(),
                false => prefix.trim_end().ends_with(',') && !prefix.contains([';', '(']),
            };
            if !named {
                continue;
            }
            let id: String = rest[open + 1..].chars().take_while(|c| *c != '"').collect();
            if id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') && !id.is_empty()
            {
                ids.entry(id).or_insert(path.clone());
            }
        }
    }
    ids
}

#[test]
fn the_code_and_the_catalogues_name_the_same_messages() {
    let en = messages("en", EN);
    let mut used = ids_in_code();
    // --help's texts are looked up by ids made from the command tree.
    for id in netplay::cli::help_ids() {
        used.entry(id).or_insert_with(|| "src/cli/doc.rs (help_ids)".into());
    }
    let missing: Vec<_> = used.iter().filter(|(id, _)| !en.contains_key(*id)).collect();
    assert!(missing.is_empty(), "named in the code, in no catalogue: {missing:?}");
    let unused: Vec<_> = en.keys().filter(|id| !used.contains_key(*id)).collect();
    assert!(unused.is_empty(), "in the catalogues, named nowhere in the code: {unused:?}");
}

/// The course's own bytes, typed as they are: `'Hello serveur !'` is data,
/// not French typography; so is struct's code `?` in a list of codes.
const DATA: [&str; 3] = ["Hello serveur !", "Bonjour client !", "B ? h"];

#[test]
fn french_typography() {
    for (n, line) in FR.lines().enumerate() {
        if line.starts_with('#') {
            continue;
        }
        let mut text = line.to_string();
        for data in DATA {
            text = text.replace(data, "");
        }
        // Code between backticks is typed as it is (`while True: accept()`).
        let text: String = text.split('`').step_by(2).collect::<Vec<_>>().join("`");
        let chars: Vec<char> = text.chars().collect();
        for (i, &c) in chars.iter().enumerate() {
            let after = chars.get(i + 1).copied();
            let ends_word = after.is_none_or(|a| a == ' ' || a == NBSP || a == ')');
            // `::` is an IPv6 address, not punctuation.
            let address = c == ':' && i > 0 && chars[i - 1] == ':';
            if matches!(c, ':' | ';' | '?' | '!') && ends_word && i > 0 && !address {
                assert_eq!(chars[i - 1], NBSP, "line {}: a no-break space before '{c}': {line}", n + 1);
            }
            if c == '«' {
                assert_eq!(after, Some(NBSP), "line {}: a no-break space after «: {line}", n + 1);
            }
            if c == '»' {
                assert_eq!(chars[i - 1], NBSP, "line {}: a no-break space before »: {line}", n + 1);
            }
        }
    }
    assert!(!EN.contains(NBSP), "English puts no no-break space before its punctuation");
}

/// The backticked spans of one cell of a Markdown table row.
fn spans(cell: &str) -> Vec<String> {
    cell.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

/// True when `word` is in `text` as words: not inside another word
/// (`seule socket` holds no `le socket`).
fn has_words(text: &str, word: &str) -> bool {
    let letter = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '\'');
    text.match_indices(word).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + word.len()..].chars().next();
        let edge = |c: Option<char>, w: Option<char>| !(letter(c) && letter(w));
        edge(before, word.chars().next()) && edge(after, word.chars().next_back())
    })
}

/// The French catalogue follows docs/glossary.md, the course's words: every
/// term netplay writes is in it, no term it avoids is (`là-bas` said of
/// localhost, `tourne-t-il, sur ce port`, `une espace`, `la fin de chaque
/// envoi est perdue`...). Placeholders and comments are not text.
#[test]
fn french_follows_the_glossary() {
    let glossary =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/glossary.md")).unwrap();
    let placeholder = |line: &str| {
        let mut out = String::new();
        // A line may close a selector opened on an earlier one.
        let mut depth: u32 = 0;
        for c in line.chars() {
            match c {
                '{' => depth += 1,
                '}' => depth = depth.saturating_sub(1),
                c if depth == 0 => out.push(c),
                _ => {}
            }
        }
        out
    };
    let text: String = FR
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| placeholder(&l.replace(NBSP, " ")))
        .collect::<Vec<_>>()
        .join("\n");
    let mut rows = 0;
    for row in glossary.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| anglais")) {
        let cells: Vec<&str> = row.split(" | ").collect();
        assert!(cells.len() >= 4, "a row of four cells: {row}");
        for term in spans(cells[1]) {
            assert!(has_words(&text, &term), "the glossary's {term:?} is not in the French catalogue");
        }
        for avoided in spans(cells[2]) {
            let found: Vec<&str> = text.lines().filter(|l| has_words(l, &avoided)).collect();
            assert!(found.is_empty(), "{avoided:?} (docs/glossary.md avoids it) in:\n{}", found.join("\n"));
        }
        rows += 1;
    }
    assert!(rows >= 20, "the glossary's table has {rows} rows");
    // The check sees what it looks for.
    assert!(has_words("rien n'écoute là-bas", "là-bas") && !has_words("une seule socket", "le socket"));
}
