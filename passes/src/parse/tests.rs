use super::parse_file;
use mesh_ir::surface::*;

fn parse_ok(src: &str) -> Vec<Item> {
    let (items, diags) = parse_file(0, src);
    assert!(diags.is_empty(), "{src}\n{diags:#?}");
    items
}

fn main_body(src: &str) -> Block {
    match &parse_ok(src)[0].kind {
        ItemKind::Fn(f) => f.body.clone(),
        k => panic!("{k:?}"),
    }
}

fn first_expr(src: &str) -> Expr {
    match &main_body(&format!("fn main() do\n{src}\nend\n"))[0].kind {
        StmtKind::Expr(e) => e.clone(),
        StmtKind::Let { value, .. } => value.clone(),
        k => panic!("{k:?}"),
    }
}

fn shape(e: &Expr) -> String {
    let mut p = Program {
        modules: vec![Module {
            name: "M".into(),
            file: 0,
            library: false,
            items: vec![Item {
                kind: ItemKind::Stmt(Stmt {
                    kind: StmtKind::Expr(e.clone()),
                    span: e.span,
                }),
                span: e.span,
            }],
        }],
    };
    let s = print_program(&p);
    p.modules.clear();
    s.lines().nth(1).unwrap().to_string()
}

#[test]
fn precedence_follows_spec_table() {
    assert_eq!(shape(&first_expr("2 + 3 * 4")), "(2 + (3 * 4))");
    assert_eq!(shape(&first_expr("10 - 4 - 3")), "((10 - 4) - 3)");
    assert_eq!(shape(&first_expr("-2 * 3")), "((-2) * 3)");
    assert_eq!(shape(&first_expr("not a == b")), "((not a) == b)");
    assert_eq!(shape(&first_expr("a < b == c < d")), "((a < b) == (c < d))");
    assert_eq!(shape(&first_expr("0..n + 1")), "(0 .. (n + 1))");
    assert_eq!(shape(&first_expr("a + 1 |> f")), "((a + 1) |> f)");
    assert_eq!(shape(&first_expr("a or b and c")), "(a or (b and c))");
    assert_eq!(shape(&first_expr("\"n=\" <> x + 1")), "(\"n=\" <> (x + 1))");
    assert_eq!(shape(&first_expr("-f(x)?")), "(-f(x)?)");
    assert_eq!(shape(&first_expr("x |2> f(a)")), "(x |2> f(a))");
}

#[test]
fn literals_have_spec_values() {
    for (src, v) in [
        ("0xFF", 255),
        ("0b1010", 10),
        ("0o17", 15),
        ("1_000", 1000),
        ("0xFF_FF", 65535),
    ] {
        assert_eq!(first_expr(src).kind, ExprKind::Int(v), "{src}");
    }
    assert_eq!(first_expr("1e3").kind, ExprKind::Float(1000.0));
    assert_eq!(first_expr("2.5").kind, ExprKind::Float(2.5));
    let (_, d) = parse_file(0, "fn main() do\n 9223372036854775808\nend\n");
    assert_eq!(d.len(), 1);
}

#[test]
fn newlines_inside_delimiters_and_pipes() {
    let b = main_body("fn main() do\n  let x = f(1,\n    2)\n  x\n    |> g\n    |> h\nend\n");
    assert_eq!(b.len(), 2);
}

#[test]
fn heredoc_trims_to_closing_indent() {
    let e = first_expr("let s = \"\"\"\n      a\n        b\n    \"\"\"");
    assert_eq!(
        e.kind,
        ExprKind::Str(vec![StrPart::Text("  a\n    b".into())])
    );
}

#[test]
fn string_escapes_and_interpolation() {
    let e = first_expr(r#""a\tb ${x} #{y} \${z} $5 #t""#);
    match e.kind {
        ExprKind::Str(parts) => {
            assert_eq!(parts.len(), 5);
            assert_eq!(parts[0], StrPart::Text("a\tb ".into()));
            assert_eq!(parts[4], StrPart::Text(" ${z} $5 #t".into()));
        }
        k => panic!("{k:?}"),
    }
}

#[test]
fn syntax_errors_report_and_recover() {
    let (_, d) = parse_file(
        0,
        "fn a() do\n  let = 1\nend\n\nfn b() do\n  1 +\nend\n\nfn c() = 3\n",
    );
    assert_eq!(d.len(), 2, "{d:#?}");
    assert!(d[0].message.contains("expected"), "{}", d[0].message);
}

#[test]
fn garbage_never_panics() {
    for src in [
        "",
        "\u{0}",
        "fn",
        "\"",
        "\"\"\"",
        "#=",
        "(((",
        "end end",
        "fn main() do",
        "~r/",
        "|0>",
        "%{",
        "\u{feff}x",
    ] {
        let _ = parse_file(0, src);
    }
}

#[test]
fn debug_snippet() {
    let src = std::env::var("SNIP").unwrap_or_default();
    if src.is_empty() {
        return;
    }
    let (items, d) = parse_file(0, &src);
    let (m, _) = super::mask::mask(&src);
    eprintln!("MASKED:\n{m}\nDIAGS: {d:#?}\nITEMS: {}", items.len());
}
