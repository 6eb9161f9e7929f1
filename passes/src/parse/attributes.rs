//! The clustered-work attribute's malformed and legacy forms (spec 05 §10.1), checked
//! on the text before the grammar sees it, so each gets the spec's message rather than
//! a generic syntax error: `@cluster(` / `@cluster(x)`, `@cluster(1, 2)`, `@cluster`
//! not before `fn`/`def`, and the legacy prefix `clustered(work)`. A reported form is
//! blanked out (spaces keep every offset), so the function under it still parses.

use crate::diag::Diagnostic;
use mesh_ir::Span;

/// The text with reported forms blanked, and the diagnostics.
pub fn check(file: u32, text: &str) -> (String, Vec<Diagnostic>) {
    let mut out = text.to_string();
    let mut diags = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start().len();
        let at = offset + indent;
        let rest = &line[indent..];
        let found = if let Some(after) = rest.strip_prefix("@cluster") {
            cluster(after, text, at + "@cluster".len())
                .map(|(len, msg)| ("@cluster".len() + len, msg))
        } else if let Some(after) = rest.strip_prefix("clustered(") {
            after.find(')').and_then(|close| {
                let next = first_word(text, at + "clustered(".len() + close + 1);
                matches!(next, "pub" | "fn" | "def").then(|| {
                    (
                        "clustered(".len() + close + 1,
                        "legacy `clustered(work)` declarations are no longer supported; migrate to `@cluster` or `@cluster(N)` before `fn`/`def`",
                    )
                })
            })
        } else {
            None
        };
        if let Some((len, msg)) = found {
            diags.push(Diagnostic::error(
                "syntax",
                msg,
                Span::new(file, at, at + len),
            ));
            out.replace_range(at..at + len, &" ".repeat(len));
        }
        offset += line.len();
    }
    (out, diags)
}

/// The word starting at the first non-blank character from `at`.
fn first_word(text: &str, at: usize) -> &str {
    let rest = text[at..].trim_start();
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(rest.len());
    &rest[..end]
}

/// After `@cluster` (at `at` in `text`): the length of a malformed attribute's tail and
/// its message, or `None` when it is well formed (or not the attribute at all).
fn cluster(after: &str, text: &str, at: usize) -> Option<(usize, &'static str)> {
    if after.starts_with(|c: char| c.is_alphanumeric() || c == '_') {
        return None; // `@clustering`: some other word, the grammar's business
    }
    let (len, tail) = match after.strip_prefix('(') {
        Some(inner) => {
            let Some(close) = inner.find(')') else {
                return Some((
                    after.trim_end().len(),
                    "expected integer replication count inside `@cluster(...)`",
                ));
            };
            let body = &inner[..close];
            if body.split(',').count() > 1 {
                return Some((
                    close + 2,
                    "expected exactly one replication count in `@cluster(N)`",
                ));
            }
            if body.trim().parse::<i64>().is_err() {
                return Some((
                    close + 2,
                    "expected integer replication count inside `@cluster(...)`",
                ));
            }
            (close + 2, at + close + 2)
        }
        None => (0, at),
    };
    let next = first_word(text, tail);
    let next = if next == "pub" {
        let pub_at = tail + text[tail..].find("pub").unwrap_or(0) + 3;
        first_word(text, pub_at)
    } else {
        next
    };
    if matches!(next, "fn" | "def") {
        None
    } else {
        Some((len, "expected `fn` or `def` after `@cluster`"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(text: &str) -> Vec<String> {
        check(0, text).1.into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn each_malformed_form_has_its_message() {
        assert!(messages("@cluster pub fn f() do\n  1\nend\n").is_empty());
        assert!(messages("@cluster(3)\npub fn f() do\n  1\nend\n").is_empty());
        assert_eq!(
            messages("@cluster(\npub fn f() do\n  1\nend\n"),
            ["expected integer replication count inside `@cluster(...)`"]
        );
        assert_eq!(
            messages("@cluster(x) pub fn f() do\n  1\nend\n"),
            ["expected integer replication count inside `@cluster(...)`"]
        );
        assert_eq!(
            messages("@cluster(1, 2) pub fn f() do\n  1\nend\n"),
            ["expected exactly one replication count in `@cluster(N)`"]
        );
        assert_eq!(
            messages("@cluster pub struct S do\n  a :: Int\nend\n"),
            ["expected `fn` or `def` after `@cluster`"]
        );
        assert_eq!(
            messages("clustered(work) pub fn f() do\n  1\nend\n"),
            ["legacy `clustered(work)` declarations are no longer supported; migrate to `@cluster` or `@cluster(N)` before `fn`/`def`"]
        );
        // blanking keeps the offsets
        let (t, _) = check(0, "@cluster(1, 2) pub fn f() do 1 end");
        assert_eq!(t.len(), "@cluster(1, 2) pub fn f() do 1 end".len());
        assert!(t.trim_start().starts_with("pub fn"));
    }
}
