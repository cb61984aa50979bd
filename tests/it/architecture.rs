//! The import graph in docs/ARCHITECTURE.md is the code's: this test reads
//! `src/**/*.rs` (it runs no binary), computes which top-level module uses
//! which, and compares that with the `import-graph` block of the document.
//!
//! What counts as a use: a path that starts with `crate::` (also inside a
//! `use crate::{…}` group, in `use` lines and in expressions alike), a
//! `super::` path that climbs to the crate root, and `gov::` in `main.rs`.
//! A node is a top-level module (`store/*.rs` is `store`), plus `main`.
//! Test code is not part of the graph: an item under `#[cfg(test)]` (a
//! `mod tests { … }`, a test-only function, a `mod props;` and the file it
//! names) is left out, since tests may reach anywhere and never ship.
//! Comments and string literals are left out too.
//!
//! The block lists layers from the top down, separated by blank lines; each
//! line is `module → what it uses`. A module may use only modules of lower
//! layers. A use that does not (it points upward, or sideways within its
//! layer) must be written `↑name`: a known flaw, kept visible until it is
//! fixed. On any difference the test prints the block as the code has it,
//! ready to paste.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const DOC: &str = "docs/ARCHITECTURE.md";
const FENCE: &str = "```import-graph";
const UP: char = '↑';
const NOTHING: &str = "(nothing of gov's)";
/// The longest line `render` writes, so the block reads without scrolling.
const WRAP: usize = 78;

type Graph = BTreeMap<String, BTreeSet<String>>;

#[test]
fn the_documented_import_graph_is_the_code_s() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let code = code_graph(&root.join("src"));
    let text = std::fs::read_to_string(root.join(DOC)).unwrap();
    let doc = match DocGraph::parse(&text) {
        Ok(doc) => doc,
        Err(e) => panic!(
            "{DOC}: {e}\n\nthe graph as the code has it:\n\n{}",
            render(&code, &[])
        ),
    };
    let problems = compare(&code, &doc);
    assert!(
        problems.is_empty(),
        "{DOC} does not match the code:\n{}\n\nthe block as the code has it (layers kept, new modules placed \
         above what they use; judge each {UP} before pasting):\n\n{}",
        problems.join("\n"),
        render(&code, &doc.layers)
    );
}

#[test]
fn no_circle_among_top_level_modules() {
    let code = code_graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let circles = circles(&code);
    assert!(
        circles.is_empty(),
        "import circles among top-level modules:\n{}",
        circles
            .iter()
            .map(|c| format!("  {}", c.join(" → ")))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The differences between the code and the document, one line each.
fn compare(code: &Graph, doc: &DocGraph) -> Vec<String> {
    let mut problems = Vec::new();
    let layer = doc.layer_of();
    for node in code.keys() {
        if !layer.contains_key(node) {
            problems.push(format!("  module `{node}` is missing from the document"));
        }
    }
    for node in layer.keys() {
        if !code.contains_key(node) {
            problems.push(format!(
                "  module `{node}` is in the document but not in the code"
            ));
        }
    }
    let doc_edges: BTreeSet<(&String, &String)> = doc
        .uses
        .iter()
        .flat_map(|(from, to)| to.keys().map(move |t| (from, t)))
        .collect();
    for (from, to) in code
        .iter()
        .flat_map(|(f, ts)| ts.iter().map(move |t| (f, t)))
    {
        if !doc_edges.contains(&(from, to)) {
            problems.push(format!(
                "  {from} → {to}: in the code, missing from the document"
            ));
        }
    }
    for &(from, to) in &doc_edges {
        if !code.get(from).is_some_and(|ts| ts.contains(to)) {
            problems.push(format!(
                "  {from} → {to}: in the document, no longer in the code"
            ));
        }
    }
    for (from, to) in &doc.uses {
        let Some(&lf) = layer.get(from) else { continue };
        for (t, marked) in to {
            let Some(&lt) = layer.get(t) else { continue };
            let upward = lt <= lf;
            if upward && !marked {
                problems.push(format!(
                    "  {from} → {t}: points upward (or sideways) in the layer order; \
                     fix the code, or mark it `{UP}{t}` as a known flaw"
                ));
            } else if !upward && *marked {
                problems.push(format!(
                    "  {from} → {UP}{t}: marked upward, but `{t}` is below `{from}`: drop the `{UP}`"
                ));
            }
        }
    }
    problems
}

/// The `import-graph` block: layers from the top down, each a list of
/// modules, and what each module uses (`true`: marked `↑`).
struct DocGraph {
    layers: Vec<Vec<String>>,
    uses: BTreeMap<String, BTreeMap<String, bool>>,
}

impl DocGraph {
    fn parse(text: &str) -> Result<DocGraph, String> {
        let start = text
            .find(FENCE)
            .ok_or(format!("no block that starts with {FENCE}"))?;
        let body = &text[start + FENCE.len()..];
        let body = &body[body.find('\n').ok_or("the block never ends")? + 1..];
        let body = &body[..body.find("```").ok_or("the block never ends")?];
        let mut layers: Vec<Vec<String>> = vec![Vec::new()];
        let mut uses = BTreeMap::new();
        for line in body.lines() {
            let line = line.trim();
            if line.is_empty() {
                if !layers.last().unwrap().is_empty() {
                    layers.push(Vec::new());
                }
                continue;
            }
            let (name, rest) = match line.split_once('→') {
                Some((name, rest)) => {
                    let name = name.trim().to_string();
                    if uses.insert(name.clone(), BTreeMap::new()).is_some() {
                        return Err(format!("module `{name}` is listed twice"));
                    }
                    layers.last_mut().unwrap().push(name.clone());
                    (name, rest)
                }
                // A line without `→` goes on with the module before it.
                None => match layers.last().and_then(|l| l.last()) {
                    Some(name) => (name.clone(), line),
                    None => return Err(format!("a line without `→`: `{line}`")),
                },
            };
            if rest.trim() == NOTHING {
                continue;
            }
            let to = uses.get_mut(&name).unwrap();
            for word in rest.split_whitespace() {
                let (t, marked) = match word.strip_prefix(UP) {
                    Some(t) => (t, true),
                    None => (word, false),
                };
                to.insert(t.to_string(), marked);
            }
        }
        layers.retain(|l| !l.is_empty());
        Ok(DocGraph { layers, uses })
    }

    fn layer_of(&self) -> BTreeMap<String, usize> {
        let mut at = BTreeMap::new();
        for (i, layer) in self.layers.iter().enumerate() {
            for m in layer {
                at.insert(m.clone(), i);
            }
        }
        at
    }
}

/// The block for `code`, in the layers given (those of the document), so a
/// regenerated block differs from the old one only where the code does.
/// A module the layers do not name joins the layer just above the highest
/// of what it uses (the bottom one when it uses nothing of gov's), or gets
/// a layer of its own there when that layer uses it. With no layers at
/// all, each module sits one layer above the highest of what it uses.
fn render(code: &Graph, layers: &[Vec<String>]) -> String {
    let mut layers: Vec<Vec<String>> = layers
        .iter()
        .map(|l| {
            l.iter()
                .filter(|m| code.contains_key(*m))
                .cloned()
                .collect()
        })
        .filter(|l: &Vec<String>| !l.is_empty())
        .collect();
    if layers.is_empty() {
        layers = by_height(code);
    }
    let mut new: Vec<&String> = code
        .keys()
        .filter(|m| !layers.iter().flatten().any(|p| p == *m))
        .collect();
    while !new.is_empty() {
        // What uses only placed modules goes first; in a circle, any.
        let placed = |t: &String| layers.iter().flatten().any(|p| p == t);
        let next = new
            .iter()
            .position(|m| code[*m].iter().all(placed))
            .unwrap_or(0);
        let m = new.remove(next);
        let top = code[m]
            .iter()
            .filter_map(|t| layers.iter().position(|l| l.contains(t)))
            .min()
            .unwrap_or(layers.len());
        let uses_m = |l: &Vec<String>| l.iter().any(|p| code[p].contains(m));
        if top > 0 && !uses_m(&layers[top - 1]) {
            layers[top - 1].push(m.clone());
            layers[top - 1].sort();
        } else {
            layers.insert(top, vec![m.clone()]);
        }
    }
    let width = code.keys().map(|m| m.len()).max().unwrap_or(0);
    let mut out = String::new();
    writeln!(out, "{FENCE}").unwrap();
    for (i, layer) in layers.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for m in layer {
            let uses: Vec<String> = code[m]
                .iter()
                .map(|t| {
                    if layers[i + 1..].iter().any(|l| l.contains(t)) {
                        t.clone()
                    } else {
                        format!("{UP}{t}")
                    }
                })
                .collect();
            if uses.is_empty() {
                writeln!(out, "{m:width$} → {NOTHING}").unwrap();
                continue;
            }
            // Lines of at most WRAP characters, the rest indented below.
            let mut line = format!("{m:width$} →");
            for u in uses {
                if line.chars().count() + 1 + u.chars().count() > WRAP {
                    writeln!(out, "{line}").unwrap();
                    line = " ".repeat(width + 2);
                }
                line.push(' ');
                line.push_str(&u);
            }
            writeln!(out, "{line}").unwrap();
        }
    }
    out.push_str("```\n");
    out
}

/// Layers from the top down: a module's height is one more than the
/// highest of what it uses (a use that closes a circle does not count).
fn by_height(code: &Graph) -> Vec<Vec<String>> {
    fn height<'a>(
        m: &'a String,
        code: &'a Graph,
        known: &mut BTreeMap<&'a String, usize>,
        open: &mut BTreeSet<&'a String>,
    ) -> usize {
        if let Some(&h) = known.get(m) {
            return h;
        }
        open.insert(m);
        let mut h = 0;
        for t in code[m].iter().filter(|t| code.contains_key(*t)) {
            if !open.contains(t) {
                h = h.max(1 + height(t, code, known, open));
            }
        }
        open.remove(m);
        known.insert(m, h);
        h
    }
    let mut known = BTreeMap::new();
    for m in code.keys() {
        height(m, code, &mut known, &mut BTreeSet::new());
    }
    let top = known.values().copied().max().unwrap_or(0);
    (0..=top)
        .rev()
        .map(|h| {
            known
                .iter()
                .filter(|(_, &k)| k == h)
                .map(|(m, _)| (*m).clone())
                .collect()
        })
        .collect()
}

/// Every circle among the modules of `graph`, each once, as a path that
/// returns to its start.
fn circles(graph: &Graph) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut seen_sets = BTreeSet::new();
    for start in graph.keys() {
        // A breadth-first search for the shortest way back to `start`.
        let mut back: BTreeMap<&String, &String> = BTreeMap::new();
        let mut queue = std::collections::VecDeque::from([start]);
        let mut done = None;
        while let Some(m) = queue.pop_front() {
            for t in graph.get(m).into_iter().flatten() {
                if t == start {
                    done = Some(m);
                    break;
                }
                if !back.contains_key(t) {
                    back.insert(t, m);
                    queue.push_back(t);
                }
            }
            if done.is_some() {
                break;
            }
        }
        if let Some(mut m) = done {
            let mut path = vec![start.clone()];
            let mut rev = Vec::new();
            while m != start {
                rev.push(m.clone());
                m = back[m];
            }
            path.extend(rev.into_iter().rev());
            path.push(start.clone());
            let set: BTreeSet<String> = path.iter().cloned().collect();
            if seen_sets.insert(set) {
                found.push(path);
            }
        }
    }
    found
}

/// Which top-level module uses which, from the sources under `src`.
fn code_graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    collect(&src.join("lib.rs"), &[], &mut files);
    let modules: BTreeSet<String> = files
        .iter()
        .filter_map(|(_, path)| path.first().cloned())
        .collect();
    let mut graph: Graph = modules
        .iter()
        .map(|m| (m.clone(), BTreeSet::new()))
        .collect();
    for (file, path) in &files {
        let Some(node) = path.first() else { continue };
        for used in uses(&read_code(file), "crate", path) {
            if &used != node && modules.contains(&used) {
                graph.get_mut(node).unwrap().insert(used);
            }
        }
    }
    let main: BTreeSet<String> = uses(&read_code(&src.join("main.rs")), "gov", &[])
        .into_iter()
        .filter(|m| modules.contains(m))
        .collect();
    graph.insert("main".to_string(), main);
    graph
}

/// `file` (the module at `path`) and every file its non-test `mod x;` lines
/// bring in, recursively.
fn collect(file: &Path, path: &[String], out: &mut Vec<(PathBuf, Vec<String>)>) {
    let code = read_code(file);
    let dir = match file.file_name().and_then(|n| n.to_str()) {
        Some("lib.rs" | "main.rs" | "mod.rs") => file.parent().unwrap().to_path_buf(),
        _ => file.with_extension(""),
    };
    let tokens = tokens(&code);
    for w in tokens.windows(3) {
        if w[0] == "mod" && is_ident(&w[1]) && w[2] == ";" {
            let flat = dir.join(format!("{}.rs", w[1]));
            let nested = dir.join(&w[1]).join("mod.rs");
            let child = if flat.exists() { flat } else { nested };
            assert!(
                child.exists(),
                "{}: `mod {};` names no file this test can find",
                file.display(),
                w[1]
            );
            let mut child_path = path.to_vec();
            child_path.push(w[1].clone());
            collect(&child, &child_path, out);
        }
    }
    out.push((file.to_path_buf(), path.to_vec()));
}

/// The top-level modules that `code` (the module at `path`) names through
/// `root::` (`crate` or `gov`) or through `super::` paths that climb to the
/// crate root.
fn uses(code: &str, root: &str, path: &[String]) -> BTreeSet<String> {
    let t = tokens(code);
    let mut found = BTreeSet::new();
    let mut i = 0;
    while i < t.len() {
        // `a::super` is not a path start, nor is `pub(crate)`.
        let starts = i == 0 || t[i - 1] != "::";
        let mut j = None;
        if starts && t[i] == root && t.get(i + 1).is_some_and(|s| s == "::") {
            j = Some(i + 2);
        } else if starts && t[i] == "super" {
            let mut depth = path.len();
            let mut k = i;
            while t.get(k).is_some_and(|s| s == "super") && t.get(k + 1).is_some_and(|s| s == "::")
            {
                depth = depth.saturating_sub(1);
                k += 2;
            }
            if depth == 0 && k > i {
                j = Some(k);
            }
        }
        if let Some(j) = j {
            match t.get(j).map(String::as_str) {
                Some("{") => found.extend(group_heads(&t[j..])),
                Some(name) if is_ident(name) => {
                    found.insert(name.to_string());
                }
                _ => {}
            }
            i = j;
        } else {
            i += 1;
        }
    }
    found
}

/// The first name of each path in a `{a, b::{c, d}, e}` group.
fn group_heads(t: &[String]) -> Vec<String> {
    let mut heads = Vec::new();
    let mut depth = 0;
    let mut expect = false;
    for s in t {
        match s.as_str() {
            "{" => {
                depth += 1;
                expect = depth == 1;
            }
            "}" => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            "," => expect = depth == 1,
            name if expect && is_ident(name) => {
                heads.push(name.to_string());
                expect = false;
            }
            _ => expect = false,
        }
    }
    heads
}

/// Identifiers, `::`, and every other character on its own.
fn tokens(code: &str) -> Vec<String> {
    let c: Vec<char> = code.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        if c[i].is_whitespace() {
            i += 1;
        } else if c[i].is_alphanumeric() || c[i] == '_' {
            let s = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            out.push(c[s..i].iter().collect());
        } else if c[i] == ':' && c.get(i + 1) == Some(&':') {
            out.push("::".to_string());
            i += 2;
        } else {
            out.push(c[i].to_string());
            i += 1;
        }
    }
    out
}

fn is_ident(s: &str) -> bool {
    s.starts_with(|c: char| c.is_alphabetic() || c == '_')
}

/// A source file without its comments, literals and `#[cfg(test)]` items.
fn read_code(file: &Path) -> String {
    let text = std::fs::read_to_string(file)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
    without_test_items(&without_comments_and_literals(&text))
}

/// `text` with every comment and the inside of every string and character
/// literal blanked out, so that nothing in them looks like a path.
fn without_comments_and_literals(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let ident = |ch: char| ch.is_alphanumeric() || ch == '_';
    let mut i = 0;
    while i < c.len() {
        let prev_ident = i > 0 && ident(c[i - 1]);
        if c[i] == '/' && c.get(i + 1) == Some(&'/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if c[i] == '/' && c.get(i + 1) == Some(&'*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if !prev_ident && (c[i] == 'r' || (c[i] == 'b' && c.get(i + 1) == Some(&'r'))) && {
            let mut k = i + if c[i] == 'b' { 2 } else { 1 };
            while c.get(k) == Some(&'#') {
                k += 1;
            }
            c.get(k) == Some(&'"')
        } {
            // A raw string: r"…", r#"…"#, br"…".
            let mut k = i + if c[i] == 'b' { 2 } else { 1 };
            let mut hashes = 0;
            while c[k] == '#' {
                hashes += 1;
                k += 1;
            }
            k += 1;
            while k < c.len() {
                if c[k] == '"' && (0..hashes).all(|h| c.get(k + 1 + h) == Some(&'#')) {
                    k += 1 + hashes;
                    break;
                }
                k += 1;
            }
            out.push_str("\"\"");
            i = k;
        } else if c[i] == '"' {
            i += 1;
            while i < c.len() && c[i] != '"' {
                i += if c[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c[i] == '\'' && c.get(i + 1) == Some(&'\\') {
            // A character literal with an escape: '\n', '\'', '\u{2028}'.
            i += 3;
            while i < c.len() && c[i] != '\'' {
                i += 1;
            }
            i += 1;
            out.push_str("' '");
        } else if c[i] == '\'' && c.get(i + 2) == Some(&'\'') {
            i += 3;
            out.push_str("' '");
        } else {
            // Lifetimes ('a) and everything else stay.
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

/// `code` without the items under `#[cfg(test)]`: up to the first `;` when
/// it comes before any `{` (`mod props;`), else through the matching `}`.
fn without_test_items(code: &str) -> String {
    const MARK: &str = "#[cfg(test)]";
    let mut out = String::with_capacity(code.len());
    let mut rest = code;
    while let Some(at) = rest.find(MARK) {
        out.push_str(&rest[..at]);
        let item = &rest[at + MARK.len()..];
        let mut depth = 0i32;
        let mut end = item.len();
        for (k, ch) in item.char_indices() {
            match ch {
                '(' | '[' => depth += 1,
                ')' | ']' => depth -= 1,
                ';' if depth == 0 => {
                    end = k + 1;
                    break;
                }
                '{' if depth == 0 => {
                    end = k + matching_brace(&item[k..]);
                    break;
                }
                _ => {}
            }
        }
        rest = &item[end..];
    }
    out.push_str(rest);
    out
}

/// The length of the `{…}` block `s` starts with.
fn matching_brace(s: &str) -> usize {
    let mut depth = 0;
    for (k, ch) in s.char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return k + 1;
                }
            }
            _ => {}
        }
    }
    s.len()
}

#[test]
fn uses_are_found_past_comments_literals_and_test_code() {
    let code = r##"
        //! crate::doc_comment is not a use
        use crate::{store::{Store, Lock}, fsx, self};
        use super::sibling;
        pub(crate) fn f() -> &'static str { let _ = '"'; "crate::in_string" }
        fn g() { crate::ui::warn(r#"crate::raw"#); let _ = '\''; }
        #[cfg(test)]
        mod tests { use crate::testonly; }
        #[cfg(test)]
        mod props;
        /* crate::block /* nested */ comment */
        mod child;
    "##;
    let clean = without_test_items(&without_comments_and_literals(code));
    let top: Vec<String> = uses(&clean, "crate", &["a".to_string()])
        .into_iter()
        .collect();
    assert_eq!(top, ["fsx", "self", "sibling", "store", "ui"]);
    let nested: Vec<String> = uses(&clean, "crate", &["a".to_string(), "b".to_string()])
        .into_iter()
        .collect();
    assert_eq!(nested, ["fsx", "self", "store", "ui"]);
    let t = tokens(&clean);
    let mods: Vec<&String> = t
        .windows(3)
        .filter(|w| w[0] == "mod" && w[2] == ";")
        .map(|w| &w[1])
        .collect();
    assert_eq!(mods, ["child"]);
}

#[test]
fn an_upward_use_fails_unless_marked() {
    let code: Graph = [("a", vec!["b"]), ("b", vec!["c"]), ("c", vec![])]
        .into_iter()
        .map(|(m, ts)| (m.to_string(), ts.into_iter().map(String::from).collect()))
        .collect();
    let doc = |block: &str| DocGraph::parse(&format!("{FENCE}\n{block}```\n")).unwrap();
    assert!(compare(&code, &doc("a → b\n\nb → c\n\nc → (nothing of gov's)\n")).is_empty());
    let sideways = compare(&code, &doc("a → b\n\nb → c\nc → (nothing of gov's)\n"));
    assert_eq!(sideways.len(), 1, "{sideways:?}");
    assert!(sideways[0].contains("b → c: points upward"), "{sideways:?}");
    assert!(compare(&code, &doc("a → b\n\nb → ↑c\nc → (nothing of gov's)\n")).is_empty());
    let stale = compare(&code, &doc("a → b\n\nb → c d\n\nc → (nothing of gov's)\n"));
    assert!(
        stale
            .iter()
            .any(|p| p.contains("b → d: in the document, no longer")),
        "{stale:?}"
    );
    let rendered = render(&code, &[vec!["a".into()], vec!["c".into()]]);
    assert_eq!(
        rendered,
        format!("{FENCE}\na → b\n\nb → c\n\nc → {NOTHING}\n```\n")
    );
    // What the document does not name joins the layer above what it uses.
    let mut more = code.clone();
    more.insert("d".into(), ["c".to_string()].into());
    let rendered = render(
        &more,
        &[vec!["a".into()], vec!["b".into()], vec!["c".into()]],
    );
    assert_eq!(
        rendered,
        format!("{FENCE}\na → b\n\nb → c\nd → c\n\nc → {NOTHING}\n```\n")
    );
    // With no layers, each module sits above the highest of what it uses.
    assert_eq!(render(&more, &[]), rendered);
    // A long line goes on below, and reads back the same.
    let wide: Graph = [(
        "m",
        (0..30).map(|i| format!("module{i}")).collect::<Vec<_>>(),
    )]
    .into_iter()
    .map(|(m, ts)| (m.to_string(), ts.into_iter().collect()))
    .chain((0..30).map(|i| (format!("module{i}"), BTreeSet::new())))
    .collect();
    let block = render(&wide, &[]);
    assert!(block.lines().all(|l| l.chars().count() <= WRAP), "{block}");
    let back = DocGraph::parse(&block).unwrap();
    assert_eq!(back.uses["m"].len(), 30);
    assert!(compare(&wide, &back).is_empty());
}

#[test]
fn a_circle_is_found() {
    let code: Graph = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec![]),
    ]
    .into_iter()
    .map(|(m, ts)| (m.to_string(), ts.into_iter().map(String::from).collect()))
    .collect();
    assert_eq!(circles(&code), [["a", "b", "c", "a"]]);
}
