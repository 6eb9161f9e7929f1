//! Linking: the program's object file plus the embedded runtime library, through the
//! system C compiler (`$CC`, else `cc`), into one executable that needs only libc
//! (libgcc is linked statically).

use std::path::Path;
use std::process::Command;

/// The runtime static library, built by `build.rs` and embedded in the compiler.
static RUNTIME_LIB: &[u8] = include_bytes!(env!("MESH_RUNTIME_LIB"));

/// System libraries the Rust standard library inside the runtime needs
/// (`rustc --print native-static-libs`, with libgcc made static).
const SYSTEM_LIBS: &[&str] = &[
    "-static-libgcc",
    "-lgcc_eh",
    "-lutil",
    "-lrt",
    "-lpthread",
    "-lm",
    "-ldl",
    "-lc",
];

pub fn link(object: &[u8], output: &Path) -> Result<(), String> {
    let dir = tempfile::Builder::new()
        .prefix("mesh-link")
        .tempdir()
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let obj = dir.path().join("program.o");
    let rt = dir.path().join("libmesh_runtime.a");
    std::fs::write(&obj, object).map_err(|e| format!("{}: {e}", obj.display()))?;
    std::fs::write(&rt, RUNTIME_LIB).map_err(|e| format!("{}: {e}", rt.display()))?;
    if let Some(parent) = output.parent() {
        if !parent.as_os_str().is_empty() && !parent.exists() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
    }
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let out = Command::new(&cc)
        .arg("-o")
        .arg(output)
        .arg(&obj)
        .arg(&rt)
        .args(SYSTEM_LIBS)
        .output()
        .map_err(|e| {
            format!("cannot run the C compiler `{cc}` to link: {e} (install gcc or set CC)")
        })?;
    if !out.status.success() {
        return Err(format!(
            "linking with `{cc}` failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}
