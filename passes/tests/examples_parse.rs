//! Every `.mpl` file of the spec examples (copied under `tests/examples`) parses, and
//! printing the tree then re-parsing gives the same tree.

use mesh_ir::surface::{print_module, Module};
use mesh_passes::parse::parse_file;
use std::path::{Path, PathBuf};

fn mpl_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            mpl_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "mpl") {
            out.push(p);
        }
    }
}

#[test]
fn all_spec_examples_parse_and_round_trip() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/examples");
    let mut files = Vec::new();
    mpl_files(&root, &mut files);
    assert!(
        files.len() >= 95,
        "found only {} example files",
        files.len()
    );
    let mut failures = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let (items, diags) = parse_file(0, &text);
        if !diags.is_empty() {
            failures.push(format!(
                "{}: {:?}",
                f.display(),
                diags
                    .iter()
                    .map(|d| (&d.message, d.span.lo))
                    .collect::<Vec<_>>()
            ));
            continue;
        }
        let printed = print_module(
            &Module {
                name: "M".into(),
                file: 0,
                library: false,
                items: items.clone(),
            },
            false,
        );
        let (again, diags2) = parse_file(0, &printed);
        if !diags2.is_empty() || again != items {
            failures.push(format!(
                "{}: print/re-parse differs: {:?}\n{printed}",
                f.display(),
                diags2
                    .iter()
                    .map(|d| (&d.message, d.span.lo))
                    .collect::<Vec<_>>()
            ));
        }
    }
    println!(
        "{} of {} example files parse and round-trip",
        files.len() - failures.len(),
        files.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
