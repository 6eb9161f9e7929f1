//! Shared by the targets: run the pipeline on one file up to a pass. A panic, or an
//! invalid IR after a pass (validation is on: cargo fuzz builds with debug assertions),
//! is a finding; diagnostics about the input are the expected outcome.

use mesh_ir::source::{SourceFile, Sources};
use mesh_passes::{Options, PassCx};

pub fn run_until(data: &[u8], pass: &str) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = Sources {
        files: vec![SourceFile {
            path: "fuzz.mpl".into(),
            module: "Main".into(),
            text: text.to_string(),
        }],
    };
    // the parser needs only the file; later passes need the library beside it
    let src = if pass == "parse" {
        file
    } else {
        mesh::project::with_prelude(file)
    };
    let mut cx = PassCx::new(src.clone(), Options::default());
    if let Err(e) = mesh::pipeline::run_until(src, &mut cx, Some(pass)) {
        panic!("{e}");
    }
}
