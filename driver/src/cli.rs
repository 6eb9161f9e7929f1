//! `mesh build`, `mesh run`, `mesh test`, `mesh dump` (clap).

use crate::{link, pipeline, project, report};
use clap::{Parser, Subcommand};
use mesh_passes::{Options, PassCx};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(name = "mesh", version, about = "The Mesh compiler")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Compile a project directory (entry `main.mpl`) or one file to a native binary.
    Build {
        /// Project directory or `.mpl` file (default: the current directory).
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Output binary (default: `DIR/<name of DIR>`, or the file without `.mpl`).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Optimise the generated code.
        #[arg(long)]
        release: bool,
        /// Print diagnostics as JSON, one object per line (spec 02 §10).
        #[arg(long)]
        json: bool,
    },
    /// Build, then run the program with the given arguments.
    Run {
        #[arg(default_value = ".")]
        path: PathBuf,
        #[arg(long)]
        release: bool,
        /// Arguments for the program (after `--`).
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Run the tests: every `*.test.mpl` file under a directory (or one such file), each
    /// built with its project's other modules (spec 03 §17).
    Test {
        #[arg(default_value = ".")]
        path: PathBuf,
        #[arg(long)]
        release: bool,
        /// Not supported (spec 03 §17.3: exits non-zero saying so).
        #[arg(long)]
        coverage: bool,
    },
    /// Ask a running cluster node about its membership, continuity records or
    /// diagnostics (spec 05 §14).
    Cluster {
        #[command(subcommand)]
        what: ClusterCmd,
    },
    /// Print the intermediate representation after a pass.
    Dump {
        /// The pass after which to print (`mesh dump --list` names them), or `all`.
        #[arg(long)]
        after: Option<String>,
        /// The pass before which to print (its input IR).
        #[arg(long, conflicts_with = "after")]
        before: Option<String>,
        /// List the passes in pipeline order.
        #[arg(long, alias = "list-passes")]
        list: bool,
        path: Option<PathBuf>,
    },
}

/// What every `mesh cluster` query takes.
#[derive(clap::Args)]
struct Target {
    /// The node, `name@host:port` (its cluster port).
    target: String,
    /// The cluster's cookie (default: `MESH_CLUSTER_COOKIE`).
    #[arg(long)]
    cookie: Option<String>,
    #[arg(long, default_value_t = 5000)]
    timeout_ms: u64,
    /// Print the reply as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand)]
enum ClusterCmd {
    /// Membership and the node's continuity authority.
    Status {
        #[command(flatten)]
        t: Target,
    },
    /// One continuity record, or all of them.
    Continuity {
        #[command(flatten)]
        t: Target,
        request_key: Option<String>,
        #[arg(long)]
        limit: Option<u32>,
    },
    /// The node's last runtime transitions.
    Diagnostics {
        #[command(flatten)]
        t: Target,
        #[arg(long)]
        limit: Option<u32>,
    },
}

fn cluster(what: ClusterCmd) -> Result<i32, String> {
    let (t, kind, key, limit) = match what {
        ClusterCmd::Status { t } => (t, "status", String::new(), None),
        ClusterCmd::Continuity {
            t,
            request_key: Some(k),
            limit,
        } => (t, "continuity_lookup", k, limit),
        ClusterCmd::Continuity {
            t,
            request_key: None,
            limit,
        } => (t, "continuity_list", String::new(), limit),
        ClusterCmd::Diagnostics { t, limit } => (t, "diagnostics", String::new(), limit),
    };
    crate::cluster::run(crate::cluster::Query {
        target: t.target,
        kind,
        key,
        limit,
        cookie: t.cookie,
        timeout_ms: t.timeout_ms,
        json: t.json,
    })
}

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    let result = match cli.cmd {
        Cmd::Build {
            path,
            output,
            release,
            json,
        } => build_with(&path, output, release, json).map(|_| 0),
        Cmd::Run {
            path,
            release,
            args,
        } => run(&path, release, &args),
        Cmd::Test {
            path,
            release,
            coverage,
        } => test(&path, release, coverage),
        Cmd::Dump {
            after,
            before,
            list,
            path,
        } => dump(after, before, list, path),
        Cmd::Cluster { what } => cluster(what),
    };
    match result {
        Ok(code) => code,
        Err(msg) => {
            if !msg.is_empty() {
                eprintln!("{msg}");
            }
            1
        }
    }
}

fn color() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Compiles the program at `path`; returns the binary's path. Diagnostics go to stderr.
pub fn build(path: &Path, output: Option<PathBuf>, release: bool) -> Result<PathBuf, String> {
    build_with(path, output, release, false)
}

fn build_with(
    path: &Path,
    output: Option<PathBuf>,
    release: bool,
    json: bool,
) -> Result<PathBuf, String> {
    let proj = project::load(path)?;
    let out = output.unwrap_or(proj.default_output.clone());
    compile(proj, path, out, release, json)
}

/// Compiles a loaded program to the binary `out`; diagnostics go to stderr.
fn compile(
    proj: project::Project,
    path: &Path,
    out: PathBuf,
    release: bool,
    json: bool,
) -> Result<PathBuf, String> {
    let mut cx = PassCx::new(proj.sources.clone(), Options { release });
    let mut internal = None;
    let module = pipeline::compile_typed(proj.sources, &mut cx, &mut |name, ir| {
        if pipeline::validation_enabled() {
            if let Err(errs) = ir.validate() {
                internal = Some(format!(
                    "internal error: the IR after pass `{name}` is invalid:\n  {}",
                    errs.join("\n  ")
                ));
                return false;
            }
        }
        true
    });
    if json {
        print!("{}", report::render_json(&cx.sources, &cx.diags));
    } else {
        eprint!("{}", report::render(&cx.sources, &cx.diags, color()));
    }
    if let Some(msg) = internal {
        return Err(msg);
    }
    let Some(module) = module else {
        let n = cx
            .diags
            .iter()
            .filter(|d| d.severity == mesh_passes::diag::Severity::Error)
            .count();
        return Err(format!(
            "error: could not compile `{}` ({n} error{})",
            path.display(),
            if n == 1 { "" } else { "s" }
        ));
    };
    link::link(&module.object, &out)?;
    Ok(out)
}

/// `mesh test`: builds and runs each test file in turn (its report on stdout); 1 when a
/// test failed or a file did not compile.
fn test(path: &Path, release: bool, coverage: bool) -> Result<i32, String> {
    if coverage {
        return Err("error: `mesh test --coverage` is not supported".into());
    }
    let files = project::test_files(path)?;
    if files.is_empty() {
        eprintln!("no test files (`*.test.mpl`) in {}", path.display());
        return Ok(0);
    }
    let dir = tempfile::Builder::new()
        .prefix("mesh-test")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let mut failed = false;
    for (i, file) in files.iter().enumerate() {
        println!("{}", file.display());
        let bin = dir.path().join(format!("test{i}"));
        let built = project::load_test(file)
            .and_then(|proj| compile(proj, file, bin.clone(), release, false));
        let ok = match built {
            Ok(bin) => std::process::Command::new(&bin)
                .status()
                .map_err(|e| format!("cannot run {}: {e}", bin.display()))?
                .success(),
            Err(msg) => {
                eprintln!("{msg}");
                false
            }
        };
        failed |= !ok;
    }
    Ok(failed as i32)
}

fn run(path: &Path, release: bool, args: &[String]) -> Result<i32, String> {
    let dir = tempfile::Builder::new()
        .prefix("mesh-run")
        .tempdir()
        .map_err(|e| e.to_string())?;
    let bin = build(path, Some(dir.path().join("program")), release)?;
    let status = std::process::Command::new(&bin)
        .args(args)
        .status()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    Ok(status.code().unwrap_or(1))
}

fn dump(
    after: Option<String>,
    before: Option<String>,
    list: bool,
    path: Option<PathBuf>,
) -> Result<i32, String> {
    let passes = pipeline::passes();
    if list {
        for p in &passes {
            println!("{:<22} {} -> {}", p.name, p.input, p.output);
        }
        return Ok(0);
    }
    // `--before=p` is `--after` the pass preceding `p` (the source for the first pass)
    let after = match (after, before) {
        (Some(a), _) => a,
        (None, Some(b)) => match passes.iter().position(|p| p.name == b) {
            Some(0) => {
                let proj = project::load(&path.unwrap_or_else(|| PathBuf::from(".")))?;
                print!("{}", mesh_ir::Ir::print(&proj.sources));
                return Ok(0);
            }
            Some(i) => passes[i - 1].name.to_string(),
            None => {
                let names: Vec<&str> = passes.iter().map(|p| p.name).collect();
                return Err(format!(
                    "error: unknown pass `{b}`; the passes are: {}",
                    names.join(", ")
                ));
            }
        },
        (None, None) => {
            return Err(
                "error: `mesh dump` needs `--after=<pass>`, `--before=<pass>` or `--list`".into(),
            )
        }
    };
    if after != "all" && !passes.iter().any(|p| p.name == after) {
        let names: Vec<&str> = passes.iter().map(|p| p.name).collect();
        return Err(format!(
            "error: unknown pass `{after}`; the passes are: {}",
            names.join(", ")
        ));
    }
    let path = path.unwrap_or_else(|| PathBuf::from("."));
    let proj = project::load(&path)?;
    let mut cx = PassCx::new(proj.sources.clone(), Options::default());
    let last = if after == "all" {
        None
    } else {
        Some(after.as_str())
    };
    let (ir, ran) = pipeline::run_until(proj.sources, &mut cx, last)?;
    eprint!("{}", report::render(&cx.sources, &cx.diags, color()));
    if cx.has_errors() {
        return Err(format!(
            "error: stopped after pass `{ran}` because of the errors above"
        ));
    }
    print!("{}", ir.print());
    Ok(0)
}
