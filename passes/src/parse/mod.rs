//! `parse : Sources -> surface` — the pest grammar of spec 01 (`mesh.pest`), run on
//! newline-masked text (`mask.rs`), then turned into the AST (`build.rs`).
//!
//! Architecture invariant: parsing never panics, whatever the bytes. A file that does
//! not parse yields diagnostics (`file:line:col`, what was expected, what was found) and
//! an empty module; the parser re-synchronises at the next top-level definition so one
//! run reports the independent errors of a file. Paper: `papers/parse.md`.

mod attributes;
mod build;
pub mod mask;
mod test_files;

use crate::diag::Diagnostic;
use crate::{Pass, PassCx};
use mesh_ir::source::Sources;
use mesh_ir::surface::{External, Item, ItemKind, Module, Program};
use mesh_ir::Span;
use pest::Parser as _;
use pest_derive::Parser;

#[derive(Parser)]
#[grammar = "parse/mesh.pest"]
pub struct MeshParser;

pub struct ParsePass;

impl Pass for ParsePass {
    const NAME: &'static str = "parse";
    type In = Sources;
    type Out = Program;
    fn run(&self, input: Sources, cx: &mut PassCx) -> Program {
        let mut modules = Vec::new();
        for (i, f) in input.files.iter().enumerate() {
            let (mut items, mut diags) = parse_file(i as u32, &f.text);
            if !f.is_library() {
                // `@extern` and `@intrinsic` are the standard library's (decision 47)
                externals_outside_library(&items, &mut diags);
            }
            if f.path.ends_with(".test.mpl") {
                test_files::desugar(&mut items, &f.text, i as u32, &mut diags);
            }
            cx.diags.extend(diags);
            modules.push(Module {
                name: f.module.clone(),
                file: i as u32,
                library: f.is_library(),
                items,
            });
        }
        Program { modules }
    }
}

/// `@extern` and `@intrinsic` declare the standard library's runtime functions and types
/// (decision 47); in a program's own files they are the error spec 01 §3.8 gives for an
/// unknown attribute.
fn externals_outside_library(items: &[Item], diags: &mut Vec<Diagnostic>) {
    for it in items {
        let word = match &it.kind {
            ItemKind::Fn(f) => match &f.external {
                Some(External::Intrinsic | External::Constant) => "intrinsic",
                Some(External::Runtime { .. }) => "extern",
                None => continue,
            },
            ItemKind::ExternType { .. } => "extern",
            _ => continue,
        };
        diags.push(Diagnostic::error(
            "syntax",
            format!("expected `cluster` after `@`, found `{word}`"),
            it.span,
        ));
    }
}

/// Parses one file's text. Returns the items that parsed and the diagnostics.
pub fn parse_file(file: u32, text: &str) -> (Vec<Item>, Vec<Diagnostic>) {
    let mut items = Vec::new();
    let (checked, mut diags) = attributes::check(file, text);
    let text = checked.as_str();
    let mut start = 0;
    // Parse from `start`; on an error, report it and resume at the next line of the
    // original text that starts a top-level definition, masking afresh from there (an
    // unclosed delimiter must not swallow the rest of the file).
    loop {
        let (masked, mask_errs) = mask::mask(&text[start..]);
        if let Some(e) = mask_errs.into_iter().next() {
            let at = start + e.offset;
            diags.push(Diagnostic::error(
                "syntax",
                e.message,
                Span::new(file, at, at + 2),
            ));
            match resync(text, at) {
                Some(next) if next > start => {
                    start = next;
                    continue;
                }
                _ => break,
            }
        }
        match MeshParser::parse(Rule::file, &masked) {
            Ok(mut pairs) => {
                let mut b = build::Builder {
                    file,
                    base: start,
                    diags: Vec::new(),
                };
                items.extend(b.file(pairs.next().unwrap()));
                diags.extend(b.diags);
                break;
            }
            Err(e) => {
                let at = match e.location {
                    pest::error::InputLocation::Pos(p) => p,
                    pest::error::InputLocation::Span((s, _)) => s,
                };
                let mut d = syntax_error(file, &masked, at, &e);
                d.span.lo += start as u32;
                d.span.hi += start as u32;
                diags.push(d);
                match resync(text, start + at) {
                    Some(next) if next > start => start = next,
                    _ => break,
                }
            }
        }
    }
    (items, diags)
}

/// The next line after `offset` that begins, at column 0, with a top-level keyword.
fn resync(text: &str, offset: usize) -> Option<usize> {
    const STARTS: [&str; 15] = [
        "fn ",
        "def ",
        "pub ",
        "struct ",
        "type ",
        "interface ",
        "impl ",
        "import ",
        "from ",
        "actor ",
        "service ",
        "supervisor ",
        "module ",
        "@",
        "trait ",
    ];
    let mut pos = text[..offset.min(text.len())]
        .rfind('\n')
        .map(|p| p + 1)
        .unwrap_or(0);
    while let Some(nl) = text[pos..].find('\n') {
        pos += nl + 1;
        if pos > offset && STARTS.iter().any(|s| text[pos..].starts_with(s)) {
            return Some(pos);
        }
    }
    None
}

fn syntax_error(file: u32, text: &str, at: usize, e: &pest::error::Error<Rule>) -> Diagnostic {
    let found = describe_found(text, at);
    let mut expected: Vec<&'static str> = match &e.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            positives.iter().filter_map(|r| rule_name(*r)).collect()
        }
        pest::error::ErrorVariant::CustomError { .. } => vec![],
    };
    expected.sort();
    expected.dedup();
    let message = match expected.len() {
        0 => format!("unexpected {found}"),
        1 => format!("expected {}, found {found}", expected[0]),
        _ => format!("expected one of {}, found {found}", expected.join(", ")),
    };
    // a caret on the offending character; at a line end or EOF, a point
    let end = match text[at..].chars().next() {
        Some('\n') | Some('\r') | None => at,
        Some(c) => at + c.len_utf8(),
    };
    Diagnostic::error("syntax", message, Span::new(file, at, end)).with_label("unexpected here")
}

fn describe_found(text: &str, at: usize) -> String {
    let rest = &text[at..];
    match rest.chars().next() {
        None => "end of file".into(),
        Some('\n') | Some('\r') => "end of line".into(),
        Some(c) if c.is_alphanumeric() || c == '_' => {
            let w: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            format!("`{w}`")
        }
        Some(c) => format!("`{c}`"),
    }
}

/// Human names of the grammar rules that can appear in "expected …".
fn rule_name(r: Rule) -> Option<&'static str> {
    use Rule::*;
    Some(match r {
        expr | expr_nd | unary | unary_nd | postfix | postfix_nd | primary | stmt
        | stmt_or_item => "expression",
        item => "a definition or statement",
        ident | member => "identifier",
        type_expr | base_type | named_type | type_path | type_seg => "type",
        pattern | prim_pat | cons_pat | or_pat | let_pat | param | cparam | cparams => "pattern",
        infix | range_op | pipe_slot => "operator",
        K_end => "`end`",
        K_do => "`do`",
        K_else => "`else`",
        K_in => "`in`",
        K_import => "`import`",
        K_for => "`for`",
        K_as => "`as`",
        K_after => "`after`",
        K_terminate => "`terminate`",
        arm => "a `case` arm (`pattern -> expression`)",
        guard => "`when`",
        call_args => "`(`",
        field => "`.`",
        fn_body => "`=` or `do`",
        int_lit => "integer",
        string | plain_str => "string",
        EOI => "end of file",
        _ => return None,
    })
}

#[cfg(test)]
mod tests;
