//! One insta snapshot per case under `snapshots/<pass>/<case>.mpl`: the source, the IR
//! before the pass, the IR after it and the rendered diagnostics. Every pass of the
//! pipeline table must have at least one case.

use mesh::pipeline::{passes, run_until};
use mesh::report::render;
use mesh_ir::source::{SourceFile, Sources};
use mesh_passes::{Options, PassCx};
use std::path::Path;

fn dump(src: &Sources, after: Option<&str>) -> (String, String) {
    let mut cx = PassCx::new(src.clone(), Options::default());
    match after {
        None => (String::new(), String::new()),
        Some(p) => match run_until(src.clone(), &mut cx, Some(p)) {
            Ok((ir, ran)) if ran == p => (ir.print(), render(src, &cx.diags, false)),
            Ok((_, ran)) => (
                format!("(stopped after `{ran}`)\n"),
                render(src, &cx.diags, false),
            ),
            Err(e) => panic!("{e}"),
        },
    }
}

#[test]
fn every_pass_has_snapshots() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../snapshots");
    let names: Vec<&str> = passes().iter().map(|p| p.name).collect();
    for (i, pass) in names.iter().enumerate() {
        let dir = root.join(pass);
        let mut cases: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("pass `{pass}` has no snapshots/{pass}/ folder"))
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "mpl"))
            .collect();
        cases.sort();
        assert!(!cases.is_empty(), "pass `{pass}` has no snapshot cases");
        for case in cases {
            let text = std::fs::read_to_string(&case).unwrap();
            assert!(
                text.starts_with('#'),
                "{}: a case starts with a comment saying what it checks",
                case.display()
            );
            let shown = format!(
                "snapshots/{pass}/{}",
                case.file_name().unwrap().to_string_lossy()
            );
            let src = mesh::project::with_prelude(Sources {
                files: vec![SourceFile {
                    path: shown,
                    module: "Main".into(),
                    text: text.clone(),
                }],
            });
            let before = if i == 0 {
                text.clone()
            } else {
                dump(&src, Some(names[i - 1])).0
            };
            let (after, diags) = dump(&src, Some(pass));
            let content = format!("--- source\n{text}\n--- before `{pass}`\n{before}\n--- after `{pass}`\n{after}\n--- diagnostics\n{diags}");
            let name = case.file_stem().unwrap().to_string_lossy().into_owned();
            insta::with_settings!({ snapshot_path => dir.join("snapshots"), prepend_module_to_snapshot => false, omit_expression => true }, {
                insta::assert_snapshot!(name, content);
            });
        }
    }
}
