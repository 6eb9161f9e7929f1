//! Builds the runtime static library (`runtime/`) with a nested cargo into OUT_DIR and
//! hands its path to the compiler, which embeds it (`include_bytes!`). So `mesh` finds
//! its runtime by itself, from the build tree or after `cargo install`, with no
//! environment variable to set.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let runtime = manifest_dir.join("../runtime");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let target_dir = out.join("runtime-target");
    println!("cargo:rerun-if-changed={}", runtime.join("src").display());
    // the node protocol crate the runtime's distribution layer is built on
    println!(
        "cargo:rerun-if-changed={}",
        manifest_dir.join("../wire/src").display()
    );
    println!(
        "cargo:rerun-if-changed={}",
        runtime.join("Cargo.toml").display()
    );
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "--lib", "--quiet", "--manifest-path"])
        .arg(runtime.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target_dir)
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_MAKEFLAGS")
        .status()
        .expect("failed to run cargo for the runtime library");
    assert!(status.success(), "building the Mesh runtime library failed");
    let lib = target_dir.join("release/libmesh_runtime.a");
    assert!(lib.exists(), "runtime library missing at {}", lib.display());
    println!("cargo:rustc-env=MESH_RUNTIME_LIB={}", lib.display());
}
