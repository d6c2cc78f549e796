//! The public API of `quiver-neo4j`, kept as a snapshot (`public-api.txt`
//! beside `Cargo.toml`) so that every change to it shows in review, and the
//! blocking-versus-async parity check, which reads its surfaces from that
//! snapshot.
//!
//! The snapshot is read from the sources, not from rustdoc (which would
//! need a nightly toolchain): every `pub` item at the top level of a file
//! under `src/` (re-exports included), and every `pub` method of each `impl`
//! block, with its signature, one line each, outside `#[cfg(test)]` code.
//! After an intended change, regenerate it:
//!
//! ```text
//! QUIVER_BLESS=1 cargo test -p quiver-neo4j --test public_api
//! ```

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const SNAPSHOT: &str = "public-api.txt";

/// Intended differences between the blocking and the async surface:
/// (side:type, method, why). `async:` methods exist only on the async type,
/// `blocking:` ones only on the blocking type.
const ALLOWED: &[(&str, &str, &str)] = &[
    (
        "async:Driver",
        "builder",
        "the blocking driver wraps a built one (from_async)",
    ),
    (
        "blocking:Driver",
        "from_async",
        "wraps an async driver (built with its builder)",
    ),
    (
        "blocking:Driver",
        "as_async",
        "the async driver behind the blocking one",
    ),
    (
        "async:QueryResult",
        "next",
        "the blocking result is an Iterator: Iterator::next",
    ),
];

/// The types the blocking API mirrors: (async file, type), each paired with
/// the same type in `blocking.rs`.
const MIRRORED: &[(&str, &str)] = &[
    ("driver.rs", "Driver"),
    ("execute_query.rs", "ExecuteQuery"),
    ("session.rs", "Session"),
    ("transaction.rs", "Transaction"),
    ("transaction.rs", "ManagedTransaction"),
    ("result.rs", "QueryResult"),
];

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Reads a declaration starting at `lines[i]` up to its body or end (`{`,
/// `;`, or `=` for type aliases and constants), as one line.
fn declaration(lines: &[&str], i: usize) -> (String, usize) {
    let mut text = String::new();
    let mut j = i;
    let is_use = lines
        .get(i)
        .is_some_and(|l| l.trim_start().starts_with("pub use "));
    let ends: &[char] = if is_use { &[';'] } else { &['{', ';'] };
    while let Some(line) = lines.get(j) {
        let line = line.split("//").next().unwrap_or_default();
        if let Some(end) = line.find(ends) {
            text.push_str(&line[..end]);
            break;
        }
        text.push_str(line);
        text.push(' ');
        j += 1;
    }
    let text = collapse(&text);
    let text = match text.split_once(" where ") {
        Some((signature, _bounds)) => signature.to_owned(),
        None => text.trim_end_matches(" where").to_owned(),
    };
    (text, j)
}

/// The public API lines of one source file, each prefixed with `file`.
fn api_of(file: &str, source: &str) -> Vec<String> {
    let lines: Vec<&str> = source.lines().collect();
    let mut out = Vec::new();
    let mut impl_header: Option<String> = None;
    let mut i = 0;
    while let Some(&line) = lines.get(i) {
        // `#[cfg(test)]` on an item at the top level: skip the item.
        if line == "#[cfg(test)]" {
            i += 1;
            if lines.get(i).is_some_and(|l| !l.trim_end().ends_with(';')) {
                while lines.get(i).is_some_and(|l| *l != "}") {
                    i += 1;
                }
            }
            i += 1;
            continue;
        }
        if line.starts_with("impl") {
            let (header, end) = declaration(&lines, i);
            impl_header = Some(header);
            i = end + 1;
            continue;
        }
        if line == "}" {
            impl_header = None;
        } else if line.starts_with("pub ") {
            let (decl, end) = declaration(&lines, i);
            out.push(format!("{file}: {decl}"));
            i = end + 1;
            continue;
        } else if let (Some(header), Some(rest)) = (&impl_header, line.strip_prefix("    pub ")) {
            if !rest.starts_with('(') {
                let (decl, end) = declaration(&lines, i);
                out.push(format!("{file}: {header} :: {decl}"));
                i = end + 1;
                continue;
            }
        }
        i += 1;
    }
    out
}

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs")
            && path.file_name().is_some_and(|n| n != "tests.rs")
        {
            out.push(path);
        }
    }
}

/// The public API as the sources declare it now.
fn current_api() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut lines = Vec::new();
    for path in files {
        let name = path
            .strip_prefix(&src)
            .expect("under src")
            .to_string_lossy()
            .replace('\\', "/");
        let text = std::fs::read_to_string(&path).expect("a source file");
        lines.extend(api_of(&name, &text));
    }
    let mut out = String::from(
        "# The public API of quiver-neo4j, read from its sources by tests/public_api.rs.\n\
         # Regenerate after an intended change: QUIVER_BLESS=1 cargo test -p quiver-neo4j --test public_api\n",
    );
    for line in lines {
        out.push_str(&line);
        out.push('\n');
    }
    out
}

fn snapshot() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(SNAPSHOT);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_public_api_matches_its_snapshot() {
    let now = current_api();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(SNAPSHOT);
    if std::env::var_os("QUIVER_BLESS").is_some() {
        std::fs::write(&path, &now).expect("write the snapshot");
        return;
    }
    let kept = snapshot();
    if kept != now {
        let kept_lines: BTreeSet<&str> = kept.lines().collect();
        let now_lines: BTreeSet<&str> = now.lines().collect();
        let mut diff = Vec::new();
        diff.extend(kept_lines.difference(&now_lines).map(|l| format!("- {l}")));
        diff.extend(now_lines.difference(&kept_lines).map(|l| format!("+ {l}")));
        if diff.is_empty() {
            diff.push("(the same lines in another order)".to_owned());
        }
        panic!(
            "the public API changed; if that is intended, regenerate {SNAPSHOT} with \
             QUIVER_BLESS=1 cargo test -p quiver-neo4j --test public_api\n{}",
            diff.join("\n")
        );
    }
}

/// The method names of `ty` declared in `file`, from snapshot lines like
/// `blocking.rs: impl Driver :: pub fn session(&self) -> Session`.
fn methods(api: &str, file: &str, ty: &str) -> BTreeSet<String> {
    api.lines()
        .filter_map(|line| line.strip_prefix(file)?.strip_prefix(": impl"))
        .filter_map(|rest| {
            let (header, decl) = rest.split_once(" :: ")?;
            let header = header.trim_start();
            // `impl<'d> ExecuteQuery<'d>` -> `ExecuteQuery`; trait impls do not count.
            if header.contains(" for ") {
                return None;
            }
            let header = match header.strip_prefix('<') {
                Some(generic) => generic.split_once("> ")?.1,
                None => header,
            };
            let name: String = header
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if name != ty {
                return None;
            }
            let decl = decl.strip_prefix("pub ")?;
            let decl = decl.strip_prefix("async ").unwrap_or(decl);
            let decl = decl.strip_prefix("fn ")?;
            Some(
                decl.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect(),
            )
        })
        .collect()
}

fn allowed(side: &str, ty: &str, method: &str) -> bool {
    let key = format!("{side}:{ty}");
    ALLOWED.iter().any(|(t, m, _)| *t == key && *m == method)
}

#[test]
fn the_blocking_api_has_the_async_surface() {
    let api = snapshot();
    let mut problems = Vec::new();
    for &(file, ty) in MIRRORED {
        let a = methods(&api, file, ty);
        let b = methods(&api, "blocking.rs", ty);
        assert!(!a.is_empty(), "no methods found for async {ty} in {file}");
        assert!(!b.is_empty(), "no methods found for blocking {ty}");
        for m in a.difference(&b) {
            if !allowed("async", ty, m) {
                problems.push(format!("{ty}::{m} is async only"));
            }
        }
        for m in b.difference(&a) {
            if !allowed("blocking", ty, m) {
                problems.push(format!("{ty}::{m} is blocking only"));
            }
        }
    }
    // The allowlist names only real differences.
    for (key, m, _) in ALLOWED {
        let (side, ty) = key.split_once(':').expect("side:type");
        let file = MIRRORED
            .iter()
            .find(|(_, t)| t == &ty)
            .expect("a mirrored type")
            .0;
        let (a, b) = (methods(&api, file, ty), methods(&api, "blocking.rs", ty));
        let stale = match side {
            "async" => !a.contains(*m) || b.contains(*m),
            _ => !b.contains(*m) || a.contains(*m),
        };
        if stale {
            problems.push(format!("the allowlist's {key}::{m} is not a difference"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_reader_sees_public_items_and_methods_outside_tests() {
    let src = "pub struct Thing<'a> {\n    pub field: u8,\n}\n\nimpl<'a> Thing<'a> {\n    pub fn one(&self) -> u8 {\n        1\n    }\n    pub async fn two(\n        &self,\n        x: u8,\n    ) -> u8\n    where\n        u8: Copy,\n    {\n        x\n    }\n    fn private(&self) {}\n    pub(crate) fn internal(&self) {}\n}\n\npub use other::{A, B};\npub(crate) fn hidden() {}\n\n#[cfg(test)]\nmod tests {\n    pub fn not_this() {}\n}\n";
    let found = api_of("t.rs", src);
    assert_eq!(
        found,
        [
            "t.rs: pub struct Thing<'a>",
            "t.rs: impl<'a> Thing<'a> :: pub fn one(&self) -> u8",
            "t.rs: impl<'a> Thing<'a> :: pub async fn two( &self, x: u8, ) -> u8",
            "t.rs: pub use other::{A, B}",
        ]
    );
    let api: String = found.iter().map(|l| format!("{l}\n")).collect();
    let names: Vec<_> = methods(&api, "t.rs", "Thing").into_iter().collect();
    assert_eq!(names, ["one", "two"]);
}
