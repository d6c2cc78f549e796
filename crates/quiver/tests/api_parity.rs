//! The blocking API has the async API's surface: for each pair of types,
//! the public methods are listed from the sources and compared. A method on
//! one side only fails this test unless the allowlist below names it, with
//! the reason.

use std::collections::BTreeSet;

/// Intended differences: (type, method, why). `async:` methods exist only
/// on the async type, `blocking:` ones only on the blocking type.
const ALLOWED: &[(&str, &str, &str)] = &[
    // Driver
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
    // QueryResult
    (
        "async:QueryResult",
        "next",
        "the blocking result is an Iterator: Iterator::next",
    ),
];

/// Public method names of the inherent `impl` blocks of `ty` in `source`
/// (rustfmt layout: items at column 0, methods indented by four spaces).
fn methods(source: &str, ty: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut current: Option<String> = None;
    for line in source.lines() {
        if !line.starts_with(' ') && !line.is_empty() && !line.starts_with('}') {
            current = line.strip_prefix("impl").and_then(|rest| {
                if rest.contains(" for ") {
                    return None;
                }
                // `impl<'d> ExecuteQuery<'d> {` -> `ExecuteQuery`
                let rest = rest.trim_start();
                let rest = if rest.starts_with('<') {
                    let mut depth = 0;
                    let end = rest.char_indices().find_map(|(i, c)| {
                        match c {
                            '<' => depth += 1,
                            '>' => depth -= 1,
                            _ => {}
                        }
                        (depth == 0).then_some(i + 1)
                    })?;
                    rest[end..].trim_start()
                } else {
                    rest
                };
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                Some(name)
            });
            continue;
        }
        if current.as_deref() != Some(ty) {
            continue;
        }
        let method = line
            .strip_prefix("    pub fn ")
            .or_else(|| line.strip_prefix("    pub async fn "));
        if let Some(rest) = method {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.insert(name);
        }
    }
    out
}

fn source(file: &str) -> String {
    let path = format!("{}/src/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn allowed(side: &str, ty: &str, method: &str) -> bool {
    let key = format!("{side}:{ty}");
    ALLOWED.iter().any(|(t, m, _)| *t == key && *m == method)
}

#[test]
fn the_blocking_api_has_the_async_surface() {
    // (async source file, type) paired with the same type in blocking.rs.
    let pairs = [
        ("driver.rs", "Driver"),
        ("execute_query.rs", "ExecuteQuery"),
        ("session.rs", "Session"),
        ("transaction.rs", "Transaction"),
        ("transaction.rs", "ManagedTransaction"),
        ("result.rs", "QueryResult"),
    ];
    let blocking = source("blocking.rs");
    let mut problems = Vec::new();
    for (file, ty) in pairs {
        let a = methods(&source(file), ty);
        let b = methods(&blocking, ty);
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
        let (side, ty) = key.split_once(':').unwrap();
        let file = pairs.iter().find(|(_, t)| *t == ty).unwrap().0;
        let (a, b) = (methods(&source(file), ty), methods(&blocking, ty));
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
fn the_parser_sees_methods_of_inherent_impls_only() {
    let src = "impl<'a> Thing<'a> {\n    pub fn one(&self) {}\n    pub async fn two(&self) {}\n    fn private(&self) {}\n}\n\nimpl Display for Thing<'_> {\n    pub fn not_this() {}\n}\n\nimpl Other {\n    pub fn three() {}\n}\n";
    let found: Vec<_> = methods(src, "Thing").into_iter().collect();
    assert_eq!(found, ["one", "two"]);
}
