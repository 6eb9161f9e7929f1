//! End-to-end tests through the real `mesh` binary: every spec example is built and run
//! (or rejected, for compile_fail), generated programs are compared with their
//! reference meaning, and the CLI's error behaviour is checked. One test binary builds
//! all programs, on as many threads as the machine has.

use mesh_fuzz::int_program;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, TestRunner};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

mod support;
use support::*;

/// Properties explore new cases locally; under CI (`CI` set) they replay a fixed seed,
/// so a run is reproducible.
fn runner(config: Config) -> TestRunner {
    if std::env::var_os("CI").is_some() {
        let rng = proptest::test_runner::TestRng::deterministic_rng(config.rng_algorithm);
        TestRunner::new_with_rng(config, rng)
    } else {
        TestRunner::new(config)
    }
}

/// Checks `cases` programs from `strategy` with proptest's runner, which shrinks a
/// failing program to a small one. The small one is saved in the regression corpus
/// (`fuzz/regressions/found_<property>_<hash>.mpl`, with its `.out` when the generator
/// knows the right output), headed by the property and the failure, so that it runs as
/// an ordinary test from then on; then the test fails.
fn check_programs<S: Strategy>(
    property: &str,
    strategy: S,
    cases: u32,
    program: impl Fn(&S::Value) -> (String, Option<String>),
    check: impl Fn(&S::Value),
) where
    S::Value: std::fmt::Debug,
{
    // `MESH_PROPTEST_SCALE=N` multiplies every property's cases (`just fuzz-long`)
    let scale: u32 = std::env::var("MESH_PROPTEST_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1);
    let mut runner = runner(Config {
        cases: cases * scale.max(1),
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&strategy, |v| {
        check(&v);
        Ok(())
    });
    if let Err(proptest::test_runner::TestError::Fail(reason, small)) = result {
        let (source, expected) = program(&small);
        let path = save_regression(property, &source, expected.as_deref(), &reason.to_string());
        panic!(
            "{property} failed; the shrunk program is saved as {}:\n{source}\n{reason}",
            path.display()
        );
    }
}

/// Writes a found program into `fuzz/regressions`; returns its path.
fn save_regression(property: &str, source: &str, expected: Option<&str>, failure: &str) -> PathBuf {
    let hash = source.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    });
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/regressions");
    let path = dir.join(format!("found_{property}_{:08x}.mpl", hash as u32));
    let mut text =
        format!("# found by the property `{property}` (shrunk by proptest); it failed with:\n");
    for line in failure.lines().take(6) {
        text.push_str(&format!("#   {line}\n"));
    }
    text.push_str(source);
    std::fs::write(&path, text).unwrap();
    if let Some(out) = expected {
        std::fs::write(path.with_extension("out"), out).unwrap();
    }
    path
}

/// `tests/examples/PENDING`: path → reason.
fn pending() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(examples().join("PENDING")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (p, why) = l.split_once(" — ").unwrap_or((l, ""));
            (p.trim().to_string(), why.trim().to_string())
        })
        .collect()
}

enum Outcome {
    Pass,
    Fail(String),
}

fn run_example(rel: &str, tmp: &Path) -> Outcome {
    let src = examples().join(rel);
    let bin = tmp.join(rel.replace('/', "_").trim_end_matches(".mpl"));
    if rel.starts_with("compile_fail/") {
        let out = build(&src, &bin);
        let stderr = String::from_utf8_lossy(&out.stderr);
        if out.status.success() || bin.exists() {
            return Outcome::Fail("was accepted".into());
        }
        if stderr.contains("panicked") {
            return Outcome::Fail(format!("compiler panicked:\n{stderr}"));
        }
        let err = std::fs::read_to_string(src.with_extension("err")).unwrap();
        for fact in expected_facts(&err) {
            if !stderr.contains(&fact) {
                return Outcome::Fail(format!(
                    "diagnostic lacks `{fact}` ({})\n{stderr}",
                    err.trim()
                ));
            }
        }
        return Outcome::Pass;
    }
    let out = build(&project_of(&src, tmp), &bin);
    if !out.status.success() {
        return Outcome::Fail(format!(
            "build failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let mut run = Command::new(&bin);
    // the server examples run standalone (09, 16: "without any MESH_* variables")
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("MESH_") || k.starts_with("FLY_"))
    {
        run.env_remove(k);
    }
    let run = run.env("MESH_CHECK_LEAKS", "1").output().unwrap();
    let want = std::fs::read_to_string(src.with_extension("out")).unwrap();
    let got = String::from_utf8_lossy(&run.stdout);
    if !run.status.success() {
        return Outcome::Fail(format!(
            "exit {:?}, stderr:\n{}",
            run.status.code(),
            String::from_utf8_lossy(&run.stderr)
        ));
    }
    if got != want {
        return Outcome::Fail(format!("stdout differs\n--- want\n{want}--- got\n{got}"));
    }
    Outcome::Pass
}

/// From `category (E0001): facts` the code and the names/types the diagnostic must show.
fn expected_facts(err: &str) -> Vec<String> {
    let mut facts = Vec::new();
    if let Some(code) = err.split('(').nth(1).and_then(|s| s.split(')').next()) {
        facts.push(code.to_string());
    }
    let rest = err.split_once("):").map(|x| x.1).unwrap_or("");
    for (i, part) in rest.split('`').enumerate() {
        if i % 2 == 1 {
            facts.push(part.to_string());
        }
    }
    for word in rest.split(|c: char| !c.is_alphanumeric()) {
        if matches!(word, "Int" | "Float" | "String" | "Bool") {
            facts.push(word.to_string());
        }
    }
    facts
}

#[test]
fn spec_examples() {
    let pending = pending();
    let mut all = Vec::new();
    for dir in ["core", "compile_fail", "server"] {
        let mut v: Vec<String> = std::fs::read_dir(examples().join(dir))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".mpl"))
            .filter(|n| {
                dir != "server" || examples().join(dir).join(n).with_extension("out").exists()
            })
            .map(|n| format!("{dir}/{n}"))
            .collect();
        v.sort();
        all.extend(v);
    }
    for p in pending.keys() {
        assert!(
            all.contains(p),
            "PENDING names `{p}`, which is not an example"
        );
    }
    let tmp = tempfile::tempdir().unwrap();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let results: Vec<(String, Outcome)> = std::thread::scope(|s| {
        let chunks: Vec<Vec<String>> = (0..threads)
            .map(|t| all.iter().skip(t).step_by(threads).cloned().collect())
            .collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                let tmp = tmp.path().to_path_buf();
                s.spawn(move || {
                    chunk
                        .into_iter()
                        .map(|rel| (rel.clone(), run_example(&rel, &tmp)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let mut failures = Vec::new();
    let mut counts: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (rel, outcome) in &results {
        let group = rel.split('/').next().unwrap();
        let c = counts.entry(group).or_default();
        c.1 += 1;
        match (outcome, pending.get(rel)) {
            (Outcome::Pass, None) => c.0 += 1,
            (Outcome::Pass, Some(_)) => failures.push(format!(
                "{rel}: passes now — remove it from tests/examples/PENDING"
            )),
            (Outcome::Fail(why), None) => failures.push(format!("{rel}: {why}")),
            (Outcome::Fail(_), Some(_)) => {}
        }
    }
    for (group, (pass, total)) in &counts {
        println!(
            "{group}: {pass} of {total} examples pass ({} pending)",
            total - pass
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Generated well-typed programs: the native binary prints what the reference
/// evaluator computes (spec 02 §8 wrapping Int arithmetic).
#[test]
fn generated_programs_match_reference() {
    let cases: u32 = std::env::var("MESH_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    let tmp = tempfile::tempdir().unwrap();
    let n = std::sync::atomic::AtomicUsize::new(0);
    check_programs(
        "generated_programs_match_reference",
        int_program(),
        cases,
        |prog| (prog.source.clone(), Some(prog.expected_stdout.clone())),
        |prog| {
            let i = n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let dir = tmp.path().join(format!("p{i}"));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("main.mpl"), &prog.source).unwrap();
            let mut cmd = mesh();
            cmd.arg("run").arg(&dir).env("MESH_CHECK_LEAKS", "1");
            assert_prints(cmd, &prog.source, &prog.expected_stdout);
        },
    );
}

/// Runs a `mesh run` command for a generated program: it must succeed and print exactly
/// `expected`; failures show the program.
fn assert_prints(mut cmd: Command, source: &str, expected: &str) {
    let out = cmd.env("NO_COLOR", "1").output().unwrap();
    assert!(
        out.status.success(),
        "program failed:\n{source}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        expected,
        "program:\n{source}"
    );
}

/// Generated interface programs (`mesh_fuzz::trait_program`: required and default
/// methods, overrides, defaults calling required methods, generic callers): no
/// diagnostic and a valid IR after every pass for 48 of them, and 6 run natively with
/// the computed output (issue 19: a default method crashed the compiler).
#[test]
fn generated_trait_programs_compile_and_run() {
    use mesh_fuzz::trait_program;
    validate_generated(trait_program(), 48);
    let tmp = tempfile::tempdir().unwrap();
    let n = std::sync::atomic::AtomicUsize::new(0);
    check_programs(
        "generated_trait_programs_compile_and_run",
        trait_program(),
        6,
        |prog| (prog.source.clone(), Some(prog.expected_stdout.clone())),
        |prog| {
            let i = n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let f = tmp.path().join(format!("t{i}.mpl"));
            std::fs::write(&f, &prog.source).unwrap();
            let mut cmd = mesh();
            cmd.arg("run").arg(&f);
            assert_prints(cmd, &prog.source, &prog.expected_stdout);
        },
    );
}

/// Generated actor programs (`mesh_fuzz::actor_program`): messages of a generated type
/// sent through a chain of relay actors arrive at the sink in send order, deep-copied
/// (lists, strings, tuples), with no leaked cell; a process that crashes ends alone;
/// the program ends although the relays wait for ever.
#[test]
fn actor_chains_deliver_in_order() {
    use mesh_fuzz::actor_program;
    let tmp = tempfile::tempdir().unwrap();
    let n = std::sync::atomic::AtomicUsize::new(0);
    check_programs(
        "actor_chains_deliver_in_order",
        actor_program(),
        8,
        |prog| (prog.source.clone(), Some(prog.expected_stdout.clone())),
        |prog| {
            let i = n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let dir = tmp.path().join(format!("a{i}"));
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("main.mpl"), &prog.source).unwrap();
            let out = mesh()
                .arg("run")
                .arg(&dir)
                .env("NO_COLOR", "1")
                .env("MESH_CHECK_LEAKS", "1")
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(
                out.status.success(),
                "program failed:\n{}\n{stderr}",
                prog.source
            );
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                prog.expected_stdout,
                "program:\n{}",
                prog.source
            );
        },
    );
}

#[test]
fn project_directory_with_modules() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("shop");
    std::fs::create_dir_all(dir.join("math")).unwrap();
    std::fs::write(dir.join("main.mpl"), "import Math.Vector\nfrom Utils import double\n\nfn main() do\n  println(\"${double(Vector.dot(2, 3))}\")\nend\n").unwrap();
    std::fs::write(
        dir.join("utils.mpl"),
        "pub fn double(x :: Int) -> Int = x * 2\nfn hidden() = 1\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("math/vector.mpl"),
        "pub fn dot(a :: Int, b :: Int) -> Int = a * b + helper()\nfn helper() = 1\n",
    )
    .unwrap();
    let out = mesh().arg("build").arg(&dir).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let run = Command::new(dir.join("shop")).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&run.stdout), "14\n");
    // importing a private item names it and suggests `pub`
    std::fs::write(
        dir.join("main.mpl"),
        "from Utils import hidden\nfn main() do\n  println(\"${hidden()}\")\nend\n",
    )
    .unwrap();
    let out = mesh()
        .arg("build")
        .arg(&dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(err.contains("private") && err.contains("pub"), "{err}");
}

#[test]
fn syntax_errors_give_location_caret_and_exit_1() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("bad.mpl");
    std::fs::write(
        &f,
        "fn main() do\n  let x = (1 +\nend\n\nfn g() do\n  case 1 do\n    1 -> \n  end\nend\n",
    )
    .unwrap();
    let out = mesh()
        .arg("build")
        .arg(&f)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("bad.mpl:3:1"), "{err}");
    assert!(err.contains('^'), "{err}");
    assert!(err.contains("expected"), "{err}");
    assert!(
        err.contains("bad.mpl:7:"),
        "second error not reported:\n{err}"
    );
    assert!(!tmp.path().join("bad").exists());
}

#[test]
fn hostile_inputs_never_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let inputs: Vec<Vec<u8>> = vec![
        vec![],
        vec![0xff, 0xfe, 0x00],
        b"\"unterminated".to_vec(),
        b"#= open".to_vec(),
        "fn main() do println(\"\u{1F600}\") end"
            .as_bytes()
            .to_vec(),
        b"fn main() do\n  println(\"${1 / 0}\")\nend\n".to_vec(),
    ];
    for (i, bytes) in inputs.iter().enumerate() {
        let f = tmp.path().join(format!("h{i}.mpl"));
        std::fs::write(&f, bytes).unwrap();
        let out = mesh().arg("build").arg(&f).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "input {i}: {err}");
    }
    // division by zero at run time: a message with the location and exit status 1
    let out = mesh()
        .arg("run")
        .arg(tmp.path().join("h5.mpl"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("h5.mpl:2:"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn dump_lists_passes_and_rejects_unknown_names() {
    let out = mesh().args(["dump", "--list"]).output().unwrap();
    let list = String::from_utf8_lossy(&out.stdout);
    let names: Vec<&str> = list
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(names.first(), Some(&"parse"));
    assert_eq!(names.last(), Some(&"codegen"));
    let hello = examples().join("core/01_hello_arith.mpl");
    for n in &names {
        let out = mesh()
            .args(["dump", &format!("--after={n}")])
            .arg(&hello)
            .output()
            .unwrap();
        assert!(
            out.status.success() && !out.stdout.is_empty(),
            "dump --after={n}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = mesh()
        .args(["dump", "--after=nope"])
        .arg(&hello)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("unknown pass `nope`") && err.contains("infer"),
        "{err}"
    );
}

/// Generated programs go through every pass with the validators on and no diagnostics.
#[test]
fn generated_programs_validate_after_every_pass() {
    validate_generated(int_program(), 64);
}

/// `cases` programs of `strategy` go through every pass to `codegen` with the
/// validators on and no diagnostic.
fn validate_generated(strategy: impl Strategy<Value = mesh_fuzz::IntProgram>, cases: u32) {
    use mesh::pipeline::run_until;
    use mesh_ir::source::{SourceFile, Sources};
    use mesh_passes::{Options, PassCx};
    let mut runner = runner(Config {
        cases,
        ..Config::default()
    });
    for _ in 0..cases {
        let prog = strategy.new_tree(&mut runner).unwrap().current();
        let src = mesh::project::with_prelude(Sources {
            files: vec![SourceFile {
                path: "gen.mpl".into(),
                module: "Main".into(),
                text: prog.source.clone(),
            }],
        });
        let mut cx = PassCx::new(src.clone(), Options::default());
        let (_, ran) =
            run_until(src, &mut cx, None).unwrap_or_else(|e| panic!("{e}\n{}", prog.source));
        assert!(cx.diags.is_empty(), "{:?}\n{}", cx.diags, prog.source);
        assert_eq!(ran, "codegen");
    }
}

/// Spec 02 §8.1: `MIN % -1` is 0 and `MIN / -1` is a runtime error (exit 1, message).
#[test]
fn int_min_division_edge_cases() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("ovf.mpl");
    std::fs::write(&f, "fn main() do\n  let m = -9223372036854775807 - 1\n  println(\"${m % -1}\")\n  println(\"${m / -1}\")\nend\n").unwrap();
    let out = mesh().arg("run").arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "0\n");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("ovf.mpl:4:") && err.contains("overflow"),
        "{err}"
    );
}

/// Spec 02 §3 property: writing the inferred signatures back as annotations and
/// inferring again succeeds with the same types; an ill-typed mutation (an Int
/// operator turned into `<>`) and truncated sources are rejected without a panic.
#[test]
fn inferred_types_recheck_and_mutations_are_rejected() {
    use mesh::pipeline::{run_until, AnyIr};
    use mesh_ir::source::{SourceFile, Sources};
    use mesh_ir::surface::{print_module, ItemKind, Module, TypeExpr, TypeKind};
    use mesh_ir::types::Ty;
    use mesh_passes::{Options, PassCx};

    fn sources(text: &str) -> Sources {
        mesh::project::with_prelude(Sources {
            files: vec![SourceFile {
                path: "gen.mpl".into(),
                module: "Main".into(),
                text: text.into(),
            }],
        })
    }
    fn sigs(text: &str) -> (Vec<(String, Ty)>, usize) {
        let mut cx = PassCx::new(sources(text), Options::default());
        let (ir, _) = run_until(sources(text), &mut cx, Some("infer")).unwrap();
        let errors = cx
            .diags
            .iter()
            .filter(|d| d.severity == mesh_passes::diag::Severity::Error)
            .count();
        let AnyIr::Typed(t) = ir else {
            return (vec![], errors);
        };
        let mut out: Vec<(String, Ty)> = t.0.modules[0]
            .items
            .iter()
            .filter_map(|i| match &i.kind {
                ItemKind::Fn(f) => Some((f.name.clone(), f.sig.clone().unwrap())),
                _ => None,
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        (out, errors)
    }
    fn type_expr(t: &Ty) -> TypeExpr {
        let named = |n: &str| TypeKind::Named {
            path: vec![n.to_string()],
            args: vec![],
        };
        let kind = match t {
            Ty::Int => named("Int"),
            Ty::Float => named("Float"),
            Ty::Bool => named("Bool"),
            Ty::String => named("String"),
            Ty::Unit => TypeKind::Tuple(vec![]),
            other => panic!("generated programs only use scalar types, found {other}"),
        };
        TypeExpr {
            kind,
            span: Default::default(),
        }
    }

    let mut runner = runner(Config {
        cases: 32,
        ..Config::default()
    });
    let strategy = int_program();
    for _ in 0..32 {
        let prog = strategy.new_tree(&mut runner).unwrap().current();
        let (first, errors) = sigs(&prog.source);
        assert_eq!(errors, 0, "{}", prog.source);
        // annotate every clause with the inferred signature, print, infer again
        let (mut items, diags) = mesh_passes::parse::parse_file(0, &prog.source);
        assert!(diags.is_empty());
        for it in &mut items {
            if let ItemKind::Fn(f) = &mut it.kind {
                let (_, Ty::Fun(ps, r)) = first.iter().find(|(n, _)| *n == f.name).unwrap() else {
                    unreachable!()
                };
                for (p, t) in f.params.iter_mut().zip(ps) {
                    p.ty = Some(type_expr(t));
                }
                f.ret = Some(type_expr(r));
            }
        }
        let annotated = print_module(
            &Module {
                name: "Main".into(),
                file: 0,
                library: false,
                items,
            },
            false,
        );
        let (second, errors) = sigs(&annotated);
        assert_eq!(errors, 0, "{annotated}");
        assert_eq!(first, second, "{annotated}");
        // an ill-typed mutation is an error, not a panic
        for op in [" + ", " * ", " - "] {
            if let Some(at) = prog.source.rfind(op) {
                let mutated = format!(
                    "{}{}{}",
                    &prog.source[..at],
                    " <> ",
                    &prog.source[at + op.len()..]
                );
                let (_, errors) = sigs(&mutated);
                assert!(errors > 0, "mutation accepted:\n{mutated}");
                break;
            }
        }
        // truncated programs: diagnostics, never a panic
        for cut in [
            prog.source.len() / 3,
            prog.source.len() / 2,
            prog.source.len() - 5,
        ] {
            let mut cx = PassCx::new(sources(&prog.source[..cut]), Options::default());
            let _ = run_until(sources(&prog.source[..cut]), &mut cx, None);
        }
    }
}

/// Every spec file — including the server examples whose features are not implemented
/// yet — either builds or is rejected with diagnostics and exit status 1; never a panic.
#[test]
fn every_spec_file_builds_or_fails_cleanly() {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "mpl") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(&examples(), &mut files);
    files.sort();
    let tmp = tempfile::tempdir().unwrap();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let failures: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let files: Vec<PathBuf> = files.iter().skip(t).step_by(threads).cloned().collect();
                let tmp = tmp.path().to_path_buf();
                s.spawn(move || {
                    let mut bad = Vec::new();
                    for (i, f) in files.iter().enumerate() {
                        let out = build(f, &tmp.join(format!("b{t}_{i}")));
                        let err = String::from_utf8_lossy(&out.stderr);
                        let code = out.status.code();
                        if err.contains("panicked")
                            || !(code == Some(0) || code == Some(1))
                            || (code == Some(1) && !err.contains("error"))
                        {
                            bad.push(format!("{}: exit {code:?}\n{err}", f.display()));
                        }
                    }
                    bad
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The `core` interpreter (the meaning codegen must preserve) agrees with the expected
/// output of every core example it can run, and with the reference evaluator on
/// generated programs. Native binaries are checked against the same outputs above, so
/// interpreter and native code agree.
#[test]
fn core_interpreter_agrees_with_expected_outputs() {
    use mesh_ir::core::interp;

    fn core_of(text: &str) -> mesh_ir::core::Program {
        let p = ir_after(text, "lift-lambdas").core().unwrap().clone();
        p
    }
    let mut checked = 0;
    let entries = core_examples();
    for f in entries {
        let text = std::fs::read_to_string(&f).unwrap();
        let want = std::fs::read_to_string(f.with_extension("out")).unwrap();
        let outcome = interp::run(&core_of(&text), 50_000_000);
        match &outcome.error {
            Some(e) if e.starts_with("Unsupported") || e == "out of fuel" => continue,
            Some(e) => panic!("{}: interpreter failed: {e}", f.display()),
            None => {
                // example 43 prints a random UUID's length only; all others are exact
                assert_eq!(outcome.stdout, want, "{}", f.display());
                checked += 1;
            }
        }
    }
    println!("core interpreter: {checked} of 58 core examples run and match");
    assert!(
        checked >= 48,
        "only {checked} examples ran in the interpreter"
    );
    let mut runner = runner(Config {
        cases: 64,
        ..Config::default()
    });
    let strategy = int_program();
    for _ in 0..64 {
        let prog = strategy.new_tree(&mut runner).unwrap().current();
        let outcome = interp::run(&core_of(&prog.source), 10_000_000);
        assert_eq!(outcome.error, None, "{}", prog.source);
        assert_eq!(outcome.stdout, prog.expected_stdout, "{}", prog.source);
    }
}

/// Reference counting is exact: representative programs (strings, structs, sum types,
/// lists, maps, closures, loops with break/continue/return, JSON, iterators) run under
/// valgrind with no invalid access and no leaked memory (cells, and the Rust values
/// inside foreign cells: regexes, JSON values).
#[test]
fn memory_is_exact_under_valgrind() {
    let tmp = tempfile::tempdir().unwrap();
    for name in [
        "03_strings_interp",
        "21_for_comprehension",
        "22_break_continue",
        "26_structs",
        "29_sum_types",
        "18_maps",
        "11_closures_capture",
        "47_early_return",
        "42_json",
        "41_iterators",
        "50_binary_tree",
        "44_regex",
        "../../library/maps_runtime",
        "../../library/sort_reuse",
        "../../library/reuse_shapes",
        "../../library/drop_moved",
        "../../library/borrowed_params",
    ] {
        let src = examples().join(format!("core/{name}.mpl"));
        let bin = tmp.path().join(name.rsplit('/').next().unwrap());
        assert!(build(&src, &bin).status.success());
        let out = Command::new("valgrind")
            // "possibly lost" blocks are the worker threads' TLS (they run until the
            // process exits); Mesh's own cells are checked exactly by MESH_CHECK_LEAKS
            .args([
                "-q",
                "--error-exitcode=9",
                "--leak-check=full",
                "--errors-for-leak-kinds=definite",
                "--show-leak-kinds=definite",
            ])
            .arg(&bin)
            .env("MESH_CHECK_LEAKS", "1")
            .env("MESH_SYSTEM_ALLOC", "1")
            .output()
            .expect("valgrind (scripts/setup.sh installs it)");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Whole-pipeline property on richer generated programs (strings, lists, closures,
/// structs, loops, early return): the native binary — run with the leak check — prints
/// exactly what the `core` interpreter prints, and exits 0.
#[test]
fn native_code_matches_the_core_interpreter() {
    use mesh_fuzz::rich_program;
    use mesh_ir::core::interp;

    let cases: u32 = std::env::var("MESH_PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    let mut runner = runner(Config {
        cases,
        ..Config::default()
    });
    let strategy = rich_program();
    let tmp = tempfile::tempdir().unwrap();
    for i in 0..cases {
        let source = strategy.new_tree(&mut runner).unwrap().current();
        // the core program codegen receives
        let core = ir_after(&source, "reuse-cells").core().unwrap().clone();
        let expected = interp::run(&core, 50_000_000);
        assert_eq!(expected.error, None, "{source}");
        let file = tmp.path().join(format!("rich{i}.mpl"));
        std::fs::write(&file, &source).unwrap();
        let bin = tmp.path().join(format!("rich{i}"));
        let out = build(&file, &bin);
        assert!(
            out.status.success(),
            "{}\n{source}",
            String::from_utf8_lossy(&out.stderr)
        );
        // `MESH_VALGRIND=1` (long campaigns): run under valgrind, cells from libc malloc
        let run = if std::env::var("MESH_VALGRIND").is_ok_and(|v| v == "1") {
            Command::new("valgrind")
                .args(["-q", "--error-exitcode=9"])
                .arg(&bin)
                .env("MESH_CHECK_LEAKS", "1")
                .env("MESH_SYSTEM_ALLOC", "1")
                .output()
                .unwrap()
        } else {
            Command::new(&bin)
                .env("MESH_CHECK_LEAKS", "1")
                .output()
                .unwrap()
        };
        assert_eq!(
            run.status.code(),
            Some(0),
            "{}\n{source}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&run.stdout),
            expected.stdout,
            "{source}"
        );
    }
}

/// Every program in the regression corpus (`fuzz/regressions`) builds and prints
/// exactly its `.out`, leak-checked.
#[test]
fn regression_corpus() {
    assert!(run_corpus("../fuzz/regressions") >= 4);
}

/// The project's own library programs (`tests/library`): functions of spec 03 the
/// shared examples do not use, each program with its exact `.out`, leak-checked.
#[test]
fn library_programs() {
    assert!(run_corpus("../tests/library") >= 2);
}

/// Builds and runs every `.mpl` of `dir` (relative to the driver crate), comparing its
/// stdout with the `.out` beside it — or, when an `.err` is beside it instead, checking
/// that the build fails with a diagnostic containing each line of the `.err`; with a
/// `.stderr` beside it, that the program ends with status 1 and each of its lines in
/// its stderr (a runtime error); with a `.warn`, that the build warns with each of its
/// lines (and not with those written `!text`); returns how many ran.
fn run_corpus(dir: &str) -> usize {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let tmp = tempfile::tempdir().unwrap();
    let mut n = 0;
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "mpl"))
        .collect();
    files.sort();
    for f in files {
        let bin = tmp.path().join(f.file_stem().unwrap());
        let out = build(&f, &bin);
        if let Ok(err) = std::fs::read_to_string(f.with_extension("err")) {
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{}: {stderr}", f.display());
            for line in err.lines().filter(|l| !l.trim().is_empty()) {
                assert!(
                    stderr.contains(line),
                    "{}: no `{line}` in\n{stderr}",
                    f.display()
                );
            }
            n += 1;
            continue;
        }
        assert!(
            out.status.success(),
            "{}: {}",
            f.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        // `NAME.warn`: the build warns, with each of its lines
        if let Ok(warn) = std::fs::read_to_string(f.with_extension("warn")) {
            let stderr = String::from_utf8_lossy(&out.stderr);
            for line in warn.lines().filter(|l| !l.trim().is_empty()) {
                // `!text`: a warning that must not be given
                match line.strip_prefix('!') {
                    Some(not) => assert!(
                        !stderr.contains(not),
                        "{}: `{not}` in\n{stderr}",
                        f.display()
                    ),
                    None => assert!(
                        stderr.contains(line),
                        "{}: no `{line}` in\n{stderr}",
                        f.display()
                    ),
                }
            }
        }
        let run = Command::new(&bin)
            .env("MESH_CHECK_LEAKS", "1")
            .output()
            .unwrap();
        // `NAME.stderr`: the program ends with a runtime error, whose lines it lists
        let fails = std::fs::read_to_string(f.with_extension("stderr")).ok();
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(
            run.status.code(),
            Some(if fails.is_some() { 1 } else { 0 }),
            "{}: {stderr}",
            f.display(),
        );
        for line in fails
            .iter()
            .flat_map(|e| e.lines())
            .filter(|l| !l.trim().is_empty())
        {
            assert!(
                stderr.contains(line),
                "{}: no `{line}` in\n{stderr}",
                f.display()
            );
        }
        let want = std::fs::read_to_string(f.with_extension("out")).unwrap_or_else(|_| {
            panic!(
                "{}: no .out beside it — a found program needs its right output (see the \
                 comment at its top), written once the bug is fixed",
                f.display()
            )
        });
        assert_eq!(
            String::from_utf8_lossy(&run.stdout),
            want,
            "{}",
            f.display()
        );
        n += 1;
    }
    n
}

/// `mesh build --json` prints one JSON object per diagnostic with the spec 02 §10
/// fields; `mesh dump --before=p` prints the IR `p` receives.
#[test]
fn json_diagnostics_and_dump_before() {
    let src = examples().join("compile_fail/06_arity_mismatch.mpl");
    let out = mesh().args(["build", "--json"]).arg(&src).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let first: serde_json::Value =
        serde_json::from_str(text.lines().next().expect("a diagnostic")).unwrap();
    for field in ["code", "severity", "message", "file", "spans", "fix"] {
        assert!(first.get(field).is_some(), "missing {field}: {first}");
    }
    assert_eq!(first["code"], "E0003");
    assert_eq!(first["spans"][0]["line"], 6);
    let before = mesh()
        .args(["dump", "--before=infer"])
        .arg(examples().join("core/09_multi_clause.mpl"))
        .output()
        .unwrap();
    let after = mesh()
        .args(["dump", "--after=lift-nested-fns"])
        .arg(examples().join("core/09_multi_clause.mpl"))
        .output()
        .unwrap();
    assert!(before.status.success());
    assert_eq!(before.stdout, after.stdout);
}

/// Which property covers each pass of the pipeline table. A pass added to the table
/// without an entry here fails `every_pass_has_a_property`.
const PASS_PROPERTIES: &[(&str, &str)] = &[
    (
        "parse",
        "parser_props (fuzz): no panic on any text, print/re-parse identity; examples_parse",
    ),
    (
        "merge-clauses",
        "generated_programs_validate_after_every_pass; generated programs match the reference",
    ),
    (
        "lower-actors",
        "actor_chains_deliver_in_order (generated relay chains and messages, native run vs expected); server examples",
    ),
    (
        "lower-cluster",
        "cluster_declarations_are_checked (every visibility × parameters × count: exactly the valid ones registered, each invalid one reported); tests/library/clustered_errors (E0046–E0051); examples 16, 17 and the seed on two nodes",
    ),
    (
        "lift-impls",
        "generated_programs_validate_after_every_pass; rich programs (traits via the library)",
    ),
    (
        "remove-pipes",
        "generated_programs_validate_after_every_pass; rich programs (pipes into Iter)",
    ),
    (
        "expand-keyword-args",
        "generated_programs_validate_after_every_pass",
    ),
    (
        "resolve-names",
        "generated_programs_validate_after_every_pass; mutations are rejected",
    ),
    (
        "lift-nested-fns",
        "generated_programs_validate_after_every_pass",
    ),
    ("infer", "inferred_types_recheck_and_mutations_are_rejected"),
    (
        "check-exhaustiveness",
        "generated_programs_validate_after_every_pass (case with guards); core_passes_preserve_meaning (the typed tree evaluated = mono = core)",
    ),
    (
        "monomorphise",
        "core_passes_preserve_meaning (surface evaluator on the mono tree = core interpreter); rich programs",
    ),
    (
        "match-compile",
        "decision_trees_pick_the_first_matching_arm (generated matrices vs a reference matcher); no value tested twice on a path",
    ),
    (
        "explicate-core",
        "core_passes_preserve_meaning (interpreter output = native output)",
    ),
    ("convert-closures", "core_passes_preserve_meaning"),
    (
        "lift-lambdas",
        "core_passes_preserve_meaning; cleanup_passes_are_idempotent",
    ),
    (
        "tail-mod-cons",
        "core_passes_preserve_meaning; cleanup_passes_are_idempotent; leak check and valgrind on native runs (tests/library/tail_mod_cons: a million elements in constant stack)",
    ),
    (
        "insert-rc",
        "core_passes_preserve_meaning; leak check and valgrind on native runs",
    ),
    (
        "reuse-cells",
        "core_passes_preserve_meaning; cleanup_passes_are_idempotent; leak check and valgrind on native runs",
    ),
    (
        "specialise-drops",
        "core_passes_preserve_meaning; cleanup_passes_are_idempotent; leak check and valgrind on native runs (tests/library/drop_moved)",
    ),
    (
        "insert-yield-points",
        "core_passes_preserve_meaning; cleanup_passes_are_idempotent; actor_chains_deliver_in_order; server/08 on one worker",
    ),
    (
        "codegen",
        "native_code_matches_the_core_interpreter; generated_programs_match_reference",
    ),
];

#[test]
fn every_pass_has_a_property() {
    let passes: Vec<&str> = mesh::pipeline::passes().iter().map(|p| p.name).collect();
    let covered: Vec<&str> = PASS_PROPERTIES.iter().map(|p| p.0).collect();
    assert_eq!(
        passes, covered,
        "each pass of the pipeline table needs an entry in PASS_PROPERTIES (and a property)"
    );
}

/// `lower-cluster`: every combination of visibility, parameter list and replication
/// count of an `@cluster` declaration — exactly the valid ones are registered in `main`
/// (with the count, 2 by default) and every invalid one is reported with the spec's
/// message; the output validates (`run_until` checks it after the pass).
#[test]
fn cluster_declarations_are_checked() {
    use mesh::pipeline::run_until;
    use mesh_ir::source::{SourceFile, Sources};
    use mesh_passes::{Options, PassCx};
    let params = [
        ("", true),
        ("key :: String, attempt :: String", true),
        ("x :: Int", false),
        ("a :: String, b :: Int", false),
        ("a :: String", false),
    ];
    for public in [true, false] {
        for (ps, params_ok) in params {
            for count in [None, Some(0), Some(1), Some(2), Some(3)] {
                let attr = match count {
                    None => "@cluster".to_string(),
                    Some(n) => format!("@cluster({n})"),
                };
                let vis = if public { "pub " } else { "" };
                let text = format!(
                    "{attr} {vis}fn work({ps}) do\n  println(\"w\")\nend\n\nfn main() do\n  println(\"main\")\nend\n"
                );
                let src = mesh::project::with_prelude(Sources {
                    files: vec![SourceFile {
                        path: "p.mpl".into(),
                        module: "Main".into(),
                        text: text.clone(),
                    }],
                });
                let mut cx = PassCx::new(src.clone(), Options::default());
                let (ir, ran) = run_until(src, &mut cx, Some("lower-cluster")).unwrap();
                assert_eq!(ran, "lower-cluster", "{text}");
                let msgs: Vec<String> = cx.diags.iter().map(|d| d.message.clone()).collect();
                let valid = public && params_ok && count.is_none_or(|n| n >= 1);
                let printed = ir.print();
                let n = count.unwrap_or(2);
                let registered = printed.contains(&format!(
                    "Continuity.declare(\"Main.work\", {n}, Main.mesh_cluster__work)"
                ));
                assert_eq!(registered, valid, "{text}\n{printed}\n{msgs:?}");
                assert_eq!(msgs.is_empty(), valid, "{text}\n{msgs:?}");
                if !public {
                    assert!(
                        msgs.iter()
                            .any(|m| m.contains("target resolves to a private function")),
                        "{msgs:?}"
                    );
                }
            }
        }
    }
}

/// The surface evaluator (`surface::eval`) gives each core example's expected output,
/// on the `mono` tree (before `match-compile`) and on the `matched` tree (after it).
#[test]
fn surface_evaluator_agrees_with_expected_outputs() {
    let mut checked = 0;
    let entries = core_examples();
    let mut unsupported = Vec::new();
    for f in entries {
        let text = std::fs::read_to_string(&f).unwrap();
        let want = std::fs::read_to_string(f.with_extension("out")).unwrap();
        let mut agree = true;
        for pass in ["monomorphise", "match-compile"] {
            let outcome = surface_eval(&text, pass);
            match &outcome.error {
                Some(e) if e.starts_with("Unsupported") || e == "out of fuel" => {
                    unsupported.push(format!("{}: {e}", f.display()));
                    agree = false;
                    break;
                }
                Some(e) => panic!("{} after {pass}: evaluator failed: {e}", f.display()),
                None => assert_eq!(outcome.stdout, want, "{} after {pass}", f.display()),
            }
        }
        checked += agree as usize;
    }
    println!("surface evaluator: {checked} of 58 core examples run and match (mono and matched)");
    assert!(
        checked >= 25,
        "only {checked} examples ran:\n{}",
        unsupported.join("\n")
    );
}

/// The core examples (`tests/examples/core/*.mpl`), sorted.
fn core_examples() -> Vec<PathBuf> {
    let mut entries: Vec<_> = std::fs::read_dir(examples().join("core"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "mpl"))
        .collect();
    entries.sort();
    entries
}

/// The IR of a single-file program (`Main`) after `pass`, which must be reached.
fn ir_after(text: &str, pass: &str) -> mesh::pipeline::AnyIr {
    use mesh::pipeline::run_until;
    use mesh_ir::source::{SourceFile, Sources};
    use mesh_passes::{Options, PassCx};
    let src = mesh::project::with_prelude(Sources {
        files: vec![SourceFile {
            path: "p.mpl".into(),
            module: "Main".into(),
            text: text.into(),
        }],
    });
    let mut cx = PassCx::new(src.clone(), Options::default());
    let (ir, ran) = run_until(src, &mut cx, Some(pass)).unwrap();
    assert_eq!(ran, pass, "{:?}\n{text}", cx.diags);
    ir
}

/// Runs a single-file program up to `pass` (a typed-surface pass) and evaluates it.
fn surface_eval(text: &str, pass: &str) -> mesh_ir::core::interp::Outcome {
    use mesh::pipeline::AnyIr;
    let (p, defs) = match ir_after(text, pass) {
        AnyIr::Mono(m) => (m.0, m.1),
        AnyIr::Matched(m) => (m.0, m.1),
        AnyIr::Typed(t) => (t.0, t.1),
        _ => unreachable!(),
    };
    mesh_ir::surface::eval::run(&p, &defs, 50_000_000)
}

/// `match-compile`: generated clause matrices (nested, overlapping, or-patterns,
/// guards; tuple scrutinees and tuple values) choose, for every input, the first arm
/// a direct reference matcher chooses; the output is in decision-tree form (validated)
/// and no path of the tree tests the same value twice.
#[test]
fn decision_trees_pick_the_first_matching_arm() {
    use mesh::pipeline::{run_until, AnyIr};
    use mesh_fuzz::match_program;
    use mesh_ir::core::interp;
    use mesh_ir::source::{SourceFile, Sources};
    use mesh_ir::surface::{visit, ExprKind};
    use mesh_passes::{Options, PassCx};

    check_programs(
        "decision_trees_pick_the_first_matching_arm",
        match_program(),
        48,
        |prog| (prog.source.clone(), Some(prog.expected.clone())),
        |prog| {
            let src = mesh::project::with_prelude(Sources {
                files: vec![SourceFile {
                    path: "p.mpl".into(),
                    module: "Main".into(),
                    text: prog.source.clone(),
                }],
            });
            let mut cx = PassCx::new(src.clone(), Options::default());
            let (ir, ran) = run_until(src.clone(), &mut cx, Some("match-compile")).unwrap();
            assert_eq!(ran, "match-compile", "{:?}\n{}", cx.diags, prog.source);
            let AnyIr::Matched(mut m) = ir else {
                unreachable!()
            };
            // along any path, a local is switched on at most once
            fn twice(e: &mut mesh_ir::surface::Expr, seen: &mut Vec<String>) -> bool {
                let mut pushed = false;
                if let ExprKind::Case { scrutinee, arms } = &e.kind {
                    if let ExprKind::Var(v) = &scrutinee.kind {
                        if arms.len() > 1 && (v.starts_with("m.") || v.starts_with("f.")) {
                            if seen.contains(v) {
                                return true;
                            }
                            seen.push(v.clone());
                            pushed = true;
                        }
                    }
                }
                let mut found = false;
                visit::children_mut(e, &mut |c| found = found || twice(c, seen));
                if pushed {
                    seen.pop();
                }
                found
            }
            let mut repeated = false;
            visit::exprs_mut(&mut m.0, &mut |e| {
                if matches!(e.kind, ExprKind::Case { .. }) && twice(e, &mut Vec::new()) {
                    repeated = true;
                }
            });
            assert!(
                !repeated,
                "a value is tested twice on one path:\n{}",
                prog.source
            );
            // the tree's meaning, by the surface evaluator, before explicate-core
            let before = mesh_ir::surface::eval::run(&m.0, &m.1, 10_000_000);
            assert_eq!(before.error, None, "{}", prog.source);
            assert_eq!(
                before.stdout, prog.expected,
                "matched tree:\n{}",
                prog.source
            );
            let core =
                mesh_passes::Pass::run(&mesh_passes::explicate_core::ExplicateCore, m, &mut cx);
            let out = interp::run(&core, 10_000_000);
            assert_eq!(out.error, None, "{}", prog.source);
            assert_eq!(out.stdout, prog.expected, "{}", prog.source);
        },
    );
}

/// Evaluating the program after each pass from `check-exhaustiveness` on gives the same
/// output: the typed trees by the surface evaluator (typed, mono, matched), then the `core` program
/// by the core interpreter after explicate-core (lambdas nested), convert-closures
/// (closed), lift-lambdas (lifted), insert-rc (with dup/drop) and reuse-cells.
#[test]
fn core_passes_preserve_meaning() {
    use mesh_fuzz::rich_program;
    use mesh_ir::core::interp;

    let evaluated = std::sync::atomic::AtomicUsize::new(0);
    check_programs(
        "core_passes_preserve_meaning",
        rich_program(),
        24,
        |source| (source.clone(), None),
        |source| {
            let mut outputs = Vec::new();
            for pass in [
                "explicate-core",
                "convert-closures",
                "lift-lambdas",
                "tail-mod-cons",
                "insert-rc",
                "reuse-cells",
                "specialise-drops",
                "insert-yield-points",
            ] {
                let core = ir_after(&source, pass).core().unwrap().clone();
                let out = interp::run(&core, 50_000_000);
                assert_eq!(out.error, None, "after {pass}:\n{source}");
                outputs.push((pass, out.stdout));
            }
            // the typed trees before and after match-compile mean the same (when the
            // surface evaluator models every library function the program uses)
            for pass in ["check-exhaustiveness", "monomorphise", "match-compile"] {
                let out = surface_eval(&source, pass);
                match &out.error {
                    Some(e) if e.starts_with("Unsupported") => {}
                    e => {
                        assert_eq!(e, &None, "after {pass}:\n{source}");
                        outputs.insert(0, (pass, out.stdout));
                        evaluated.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            }
            for (pass, out) in &outputs[1..] {
                assert_eq!(
                    out, &outputs[0].1,
                    "{pass} changed the meaning of\n{source}"
                );
            }
        },
    );
    // the surface evaluator ran (not "Unsupported") on most programs
    let evaluated = evaluated.into_inner();
    assert!(
        evaluated >= 48,
        "surface evaluator ran {evaluated} times of 72"
    );
}

/// Found by the libFuzzer `typecheck` target: a program the type checker rejects (here
/// a construct not supported yet) is an error about the program, never an "internal
/// error" about an invalid IR, also through `mesh dump`.
#[test]
fn rejected_programs_are_not_internal_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("rejected.mpl");
    std::fs::write(
        &src,
        "service S do\n  fn init() -> Int do\n    0\n  end\n\n  info Tick() do |n|\n    n + 1\n  end\nend\n\nfn main() do\n  let _ = S.start()\nend\n",
    )
    .unwrap();
    let bin = std::env::temp_dir().join("mesh-rejected");
    let bin = bin.to_str().unwrap();
    for args in [
        vec!["dump", "--after=check-exhaustiveness"],
        vec!["build", "-o", bin],
    ] {
        let out = mesh()
            .args(&args)
            .arg(&src)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(
            !err.contains("internal error") && !err.contains("panicked"),
            "{args:?}: {err}"
        );
        assert!(
            err.contains("not supported by this compiler yet"),
            "{args:?}: {err}"
        );
    }
}

/// Cleanup passes are idempotent: running `lift-lambdas`, `reuse-cells`,
/// `specialise-drops` or `insert-yield-points` again on
/// their own output changes nothing.
#[test]
fn cleanup_passes_are_idempotent() {
    use mesh_fuzz::rich_program;
    use mesh_ir::source::Sources;
    use mesh_passes::{Options, Pass, PassCx};
    check_programs(
        "cleanup_passes_are_idempotent",
        rich_program(),
        16,
        |source| (source.clone(), None),
        |source| {
            let mut cx = PassCx::new(Sources { files: vec![] }, Options::default());
            let once = ir_after(source, "lift-lambdas").core().unwrap().clone();
            let twice = mesh_passes::lift_lambdas::LiftLambdas
                .run(mesh_ir::core::Closed(once.clone()), &mut cx)
                .0;
            assert_eq!(twice, once, "lift-lambdas is not idempotent on\n{source}");
            let once = ir_after(source, "tail-mod-cons").core().unwrap().clone();
            let twice = mesh_passes::tail_mod_cons::TailModCons
                .run(mesh_ir::core::Lifted(once.clone()), &mut cx)
                .0;
            assert_eq!(twice, once, "tail-mod-cons is not idempotent on\n{source}");
            let once = ir_after(source, "reuse-cells").core().unwrap().clone();
            let twice = mesh_passes::reuse_cells::ReuseCells
                .run(mesh_ir::core::RcExplicit(once.clone()), &mut cx)
                .0;
            assert_eq!(twice, once, "reuse-cells is not idempotent on\n{source}");
            let once = ir_after(source, "specialise-drops").core().unwrap().clone();
            let twice = mesh_passes::specialise_drops::SpecialiseDrops
                .run(mesh_ir::core::RcExplicit(once.clone()), &mut cx)
                .0;
            assert_eq!(
                twice, once,
                "specialise-drops is not idempotent on\n{source}"
            );
            let once = ir_after(source, "insert-yield-points")
                .core()
                .unwrap()
                .clone();
            let twice = mesh_passes::insert_yield_points::InsertYieldPoints
                .run(mesh_ir::core::RcExplicit(once.clone()), &mut cx)
                .0;
            assert_eq!(
                twice, once,
                "insert-yield-points is not idempotent on\n{source}"
            );
        },
    );
}

/// The system-facing library (spec 03: IO, Env, File, assert) and the Mesh-written
/// Tuple/Queue modules, end to end: stdin, stderr, environment, arguments and files.
#[test]
fn system_library_end_to_end() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data.txt");
    let src = tmp.path().join("main.mpl");
    let program = r##"
fn main() do
  let q = Queue.new() |> Queue.push(1) |> Queue.push(2) |> Queue.push(3)
  let (x, q2) = Queue.pop(q)
  println("popped #{x}, size #{Queue.size(q2)}, next #{Queue.peek(q2)}")
  println("#{Tuple.first((4, "a"))} #{Tuple.second((4, "b"))}")
  IO.eprintln("to stderr")
  case IO.read_line() do
    Ok(line) -> println("line <#{line}>")
    Err(e) -> println("read error #{e}")
  end
  println("#{Env.get("MESH_TEST_UNSET", "dflt")} #{Env.get("MESH_TEST_S", "x")} #{Env.get_int("MESH_TEST_N", 7)}")
  let _ = File.write("PATH", "hello")
  let _ = File.append("PATH", " world")
  println("exists #{File.exists("PATH")}")
  case File.read("PATH") do
    Ok(s) -> println("read #{s}")
    Err(e) -> println("err #{e}")
  end
  let _ = File.delete("PATH")
  case File.read("PATH") do
    Ok(s) -> println("read #{s}")
    Err(e) -> println("err #{e}")
  end
  assert(1 + 1 == 2)
  assert_eq("a", "a")
  assert_ne(1, 2)
  println("args #{Env.args() |> List.drop(1) |> String.join(",")}")
end
"##
    .replace("PATH", &data.display().to_string());
    std::fs::write(&src, program).unwrap();
    let bin = tmp.path().join("main");
    let out = build(&src, &bin);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut child = Command::new(&bin)
        .args(["a", "b"])
        .env("MESH_CHECK_LEAKS", "1")
        .env("MESH_TEST_S", "")
        .env("MESH_TEST_N", "-3")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"first line\r\nsecond\n")
        .unwrap();
    let run = child.wait_with_output().unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&run.stderr), "to stderr\n");
    assert_eq!(
        String::from_utf8_lossy(&run.stdout),
        "popped 1, size 2, next 2\n4 b\nline <first line>\ndflt  -3\nexists true\n\
         read hello world\nerr No such file or directory (os error 2)\nargs a,b\n"
    );
}

/// Runtime errors (spec 02 §8.5) name the user's source line — also when the failure is
/// inside the library (`List.get`, `Map.get`, `List.head`, `Option`-less lookups), where
/// the location is the user's call into the library — keep stdout, and exit with 1.
#[test]
fn runtime_errors_name_the_user_location() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            "fn main() do\n  let xs = [1, 2]\n  println(\"before\")\n  println(\"${List.get(xs, 5)}\")\nend\n",
            "4:14: List.get: index 5 out of bounds (len 2)",
        ),
        (
            "fn main() do\n  let m = %{\"a\" => 1}\n  println(\"before\")\n  println(\"${Map.get(m, \"zz\")}\")\nend\n",
            "4:14: Map.get: key not found: zz",
        ),
        (
            "fn pick(xs :: List<Int>) -> Int do\n  List.head(xs)\nend\nfn main() do\n  println(\"before\")\n  println(\"${pick([])}\")\nend\n",
            "2:3: List.head: empty list",
        ),
        (
            "fn main() do\n  let ys = [1]\n  println(\"before\")\n  let zs = List.map([0, 3], fn(i) ->\n    List.get(ys, i)\n  end)\n  println(\"${zs}\")\nend\n",
            "5:5: List.get: index 3 out of bounds (len 1)",
        ),
        (
            "fn main() do\n  let o = List.find([1], fn(x) -> x > 5 end)\n  println(\"before\")\n  println(\"${Option.unwrap(o)}\")\nend\n",
            "4:14: Option.unwrap: the value is None",
        ),
        (
            "fn main() do\n  println(\"before\")\n  assert_eq(1 + 1, 3)\nend\n",
            "3:3: assert_eq failed: assert_eq(1 + 1, 3)\n  left: 2\n  right: 3",
        ),
        (
            // recursion that is not in tail position exhausts the stack: an error, not
            // a segfault (runtime/src/guard.rs)
            "fn sum(xs :: List<Int>) -> Int do\n  case xs do\n    h :: t -> h + sum(t)\n    _ -> 0\n  end\nend\nfn main() do\n  println(\"before\")\n  println(\"${sum(List.range(0, 10000000))}\")\nend\n",
            "error: stack overflow: recursion too deep",
        ),
    ];
    for (i, (src, expected)) in cases.iter().enumerate() {
        let f = tmp.path().join(format!("r{i}.mpl"));
        std::fs::write(&f, src).unwrap();
        let bin = tmp.path().join(format!("r{i}"));
        let out = build(&f, &bin);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let run = Command::new(&bin).output().unwrap();
        let err = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(1), "case {i}: {err}");
        assert_eq!(String::from_utf8_lossy(&run.stdout), "before\n", "case {i}");
        if expected.starts_with("error:") {
            assert!(err.starts_with(expected), "case {i}: {err}");
        } else {
            assert_eq!(
                err.trim_end(),
                format!("error: {}:{expected}", f.display()),
                "case {i}"
            );
        }
    }
}

// ------------------------------------------------------------------ HTTP servers

/// Server examples 10 (routing, params, queries, headers, middleware) and 15 (rate
/// limiting with a service), checked as their `.md` files say; a crashing handler
/// answers 500 and the server goes on; sleeping handlers run side by side; malformed,
/// oversized and abandoned requests get 4xx or a closed connection, never a crash.
#[test]
fn http_servers() {
    let tmp = tempfile::tempdir().unwrap();
    let ex = examples().join("server");

    // example 10
    let s = start_server(&ex.join("10_http_basics.mpl"), &tmp.path().join("h10"), &[]);
    let p = s.port;
    let get = |path: &str| http(p, "GET", path, &[], "");
    let (st, h, b) = get("/");
    assert_eq!(
        (st, json(&b)),
        (200, json(r#"{"service":"library","version":1}"#))
    );
    assert_eq!(h["content-type"], "application/json; charset=utf-8");
    assert_eq!(h["content-length"], b.len().to_string());
    assert_eq!(
        json(&get("/books/42").2),
        json(r#"{"id":"42","title":"Book 42"}"#)
    );
    assert_eq!(
        json(&get("/books/featured").2),
        json(r#"{"id":"featured","title":"Editor's pick"}"#)
    );
    assert_eq!(
        json(&get("/search?q=mesh&limit=5").2),
        json(r#"{"limit":5,"query":"mesh"}"#)
    );
    assert_eq!(json(&get("/search").2), json(r#"{"limit":10,"query":""}"#));
    assert_eq!(
        json(&get("/search?q=a%20b&limit=x").2),
        json(r#"{"limit":10,"query":"a%20b"}"#)
    );
    let (st, h, b) = http(p, "POST", "/echo", &[], "hello");
    assert_eq!(
        (st, b.as_str(), h["x-echo-length"].as_str()),
        (201, "hello", "5")
    );
    assert_eq!(get("/echo").0, 404);
    let (st, _, b) = http(p, "PATCH", "/whoami", &[("X-Client", "cli")], "");
    assert_eq!(
        (st, json(&b)),
        (
            200,
            json(r#"{"client":"cli","method":"PATCH","path":"/whoami"}"#)
        )
    );
    assert_eq!(
        json(&get("/whoami?x=1").2),
        json(r#"{"client":"anonymous","method":"GET","path":"/whoami"}"#)
    );
    let (st, _, b) = get("/admin/stats");
    assert_eq!(
        (st, json(&b)),
        (401, json(r#"{"error":"missing api key"}"#))
    );
    let (st, _, b) = http(p, "GET", "/admin/stats", &[("X-Api-Key", "nope")], "");
    assert_eq!((st, json(&b)), (403, json(r#"{"error":"forbidden"}"#)));
    let (st, _, b) = http(p, "GET", "/admin/stats", &[("X-Api-Key", "letmein")], "");
    assert_eq!((st, json(&b)), (200, json(r#"{"admin":true}"#)));
    let (st, _, b) = get("/nope");
    assert_eq!((st, b.as_str()), (404, "Not Found"));
    // 200 requests, 50 at a time: all 200
    let ok = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|sc| {
        for t in 0..50 {
            let ok = &ok;
            sc.spawn(move || {
                for i in 0..4 {
                    if http(p, "GET", &format!("/books/{}", t * 4 + i), &[], "").0 == 200 {
                        ok.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            });
        }
    });
    assert_eq!(ok.into_inner(), 200);
    drop(s);

    // example 15
    let s = start_server(
        &ex.join("15_rate_limited.mpl"),
        &tmp.path().join("h15"),
        &[("LIMIT", "3"), ("WINDOW_MS", "10000")],
    );
    let p = s.port;
    let alice = [("X-Client-Id", "alice")];
    let codes: Vec<u16> = (0..5)
        .map(|_| http(p, "GET", "/quote", &alice, "").0)
        .collect();
    assert_eq!(codes, [200, 200, 200, 429, 429]);
    let (st, h, b) = http(p, "GET", "/quote", &alice, "");
    assert_eq!((st, json(&b)), (429, json(r#"{"error":"rate limited"}"#)));
    assert_eq!(h["retry-after"], "10");
    let (st, h, b) = http(p, "GET", "/quote", &[("X-Client-Id", "bob")], "");
    assert_eq!((st, json(&b)["remaining"].clone()), (200, json("2")));
    assert_eq!(h["x-ratelimit-remaining"], "2");
    assert_eq!(
        json(&http(p, "GET", "/quote", &[], "").2)["remaining"],
        json("2")
    );
    for _ in 0..5 {
        assert_eq!(http(p, "GET", "/health", &[], "").0, 200);
    }
    drop(s);

    // crashes, concurrency, bad input
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/http/crash_server.mpl");
    let s = start_server(&src, &tmp.path().join("crash"), &[]);
    let p = s.port;
    let (st, _, b) = http(p, "GET", "/crash", &[], "");
    assert_eq!((st, b.as_str()), (500, "Internal Server Error"));
    assert_eq!(http(p, "GET", "/health", &[], "").0, 200);
    // one kept-alive connection: its process serves request after request; a crash
    // ends it and the next request gets a new one (spec 06 §1.4, §1.5)
    {
        use std::io::Write;
        let mut c = std::net::TcpStream::connect(("127.0.0.1", p)).unwrap();
        c.set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        for (path, want) in [
            ("/health", 200),
            ("/crash", 500),
            ("/health", 200),
            ("/crash", 500),
            ("/slow", 200),
            ("/health", 200),
        ] {
            write!(c, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            assert_eq!(read_one_response(&mut c), want, "{path}");
        }
    }
    assert_eq!(http(p, "GET", "/files/a/b", &[], "").0, 200);
    assert_eq!(http(p, "GET", "/files", &[], "").0, 200);
    // clients that reset their connection while the handler sleeps: the handler's
    // process is ended, the server goes on (it used to abort here)
    for _ in 0..10 {
        use std::io::Write;
        let c = std::net::TcpStream::connect(("127.0.0.1", p)).unwrap();
        (&c).write_all(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(30));
        // SO_LINGER 0: close sends a reset
        let linger = libc::linger {
            l_onoff: 1,
            l_linger: 0,
        };
        // SAFETY: a valid socket and option of the right size.
        unsafe {
            libc::setsockopt(
                std::os::fd::AsRawFd::as_raw_fd(&c),
                libc::SOL_SOCKET,
                libc::SO_LINGER,
                &linger as *const libc::linger as *const libc::c_void,
                std::mem::size_of::<libc::linger>() as libc::socklen_t,
            )
        };
        drop(c);
    }
    std::thread::sleep(std::time::Duration::from_millis(400));
    assert_eq!(http(p, "GET", "/health", &[], "").0, 200);
    // ten handlers sleeping 300 ms each finish together, not one after another
    let start = std::time::Instant::now();
    std::thread::scope(|sc| {
        for _ in 0..10 {
            sc.spawn(|| assert_eq!(http(p, "GET", "/slow", &[], "").2, "slept"));
        }
    });
    assert!(
        start.elapsed() < std::time::Duration::from_millis(2500),
        "{:?}",
        start.elapsed()
    );
    // a body is read whole; too big a body is refused
    assert_eq!(
        http(p, "POST", "/size", &[], &"x".repeat(100_000)).2,
        "100000"
    );
    // a declared body over the limit is refused before it is read
    assert_eq!(
        http(p, "POST", "/size", &[("Content-Length", "9437184")], "").0,
        413
    );
    // garbage, oversized headers, a client that goes away: 4xx or closed, no crash
    for raw in [
        "NOT HTTP AT ALL\r\n\r\n".to_string(),
        format!(
            "GET / HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
            "y".repeat(100_000)
        ),
        format!("GET / HTTP/1.1\r\n{}\r\n", "X-H: 1\r\n".repeat(200)),
        "GET /health HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc".to_string(),
    ] {
        use std::io::{Read, Write};
        let mut c = std::net::TcpStream::connect(("127.0.0.1", p)).unwrap();
        c.set_read_timeout(Some(std::time::Duration::from_secs(2)))
            .unwrap();
        let _ = c.write_all(raw.as_bytes());
        let _ = c.shutdown(std::net::Shutdown::Write);
        let mut out = Vec::new();
        let _ = c.read_to_end(&mut out);
        let (st, _, _) = parse_response(&out);
        assert!(st == 0 || (400..500).contains(&st), "{st} for {:.40}", raw);
    }
    assert_eq!(http(p, "GET", "/health", &[], "").0, 200);
    // SIGTERM: no new connections, the request in flight is answered, exit 0
    let mut s = s;
    let slow = std::thread::spawn(move || http(p, "GET", "/slow", &[], "").2);
    std::thread::sleep(std::time::Duration::from_millis(100));
    let asked = std::time::Instant::now();
    // SAFETY: a signal to our own child.
    unsafe { libc::kill(s.child.id() as i32, libc::SIGTERM) };
    assert_eq!(slow.join().unwrap(), "slept");
    assert!(s.child.wait().unwrap().success());
    // it waited for the one request in flight, not for the abandoned ones
    assert!(asked.elapsed() < std::time::Duration::from_secs(5));
    drop(s);
}

/// `mesh test` (spec 03 §17) on `tests/testing`: each `*.test.mpl` file is built with
/// the project's other modules and run; `test`/`describe` blocks, `setup`/`teardown`,
/// every assertion and its failure text, a crashing test, the report and summary, and
/// the exit status (1 when a test failed).
#[test]
fn mesh_test_runs_test_files() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/testing");
    let run = |target: &Path| {
        let out = mesh().arg("test").arg(target).output().unwrap();
        let stdout =
            String::from_utf8_lossy(&out.stdout).replace(&format!("{}/", dir.display()), "");
        // the summary's time: "… passed in 0.01s" → "… passed in Ts"
        let lines: Vec<String> = stdout
            .lines()
            .map(|l| match l.rsplit_once(" passed in ") {
                Some((head, t)) if t.ends_with('s') => format!("{head} passed in Ts"),
                _ => l.to_string(),
            })
            .collect();
        (out.status.code(), lines.join("\n") + "\n")
    };
    let (code, out) = run(&dir.join("shapes/area.test.mpl"));
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(
        out,
        "shapes/area.test.mpl\n  ✓ square\n[setup]\n[teardown]\n  ✓ ratio > divides\n\
         [setup]\n[teardown]\n  ✓ ratio > by zero raises\n\n3 passed in Ts\n"
    );
    let (code, out) = run(&dir);
    assert_eq!(code, Some(1), "{out}");
    let failures = "  group > wrong values\n    assert_eq failed: square(2), 5\n  left:  4\n  \
                    right: 5\n    assert failed: square(1) > 1\n    assert_ne failed: \"a\", \
                    \"a\"\n  both:  a\n";
    let crash = "    error: failing.test.mpl:17:18: List.get: index 3 out of \
                 bounds (len 1)\n";
    let nothing = "    assert_raises failed: fn() -> println(\"quiet\") end raised nothing\n";
    let want = format!(
        "failing.test.mpl\n  ✓ passes\n  ✗ {}{}  ✗ group > inner > crashes\n{crash}quiet\n  \
         ✗ raises nothing\n{nothing}  ✓ last\n\nFailures:\n{failures}  group > inner > \
         crashes\n{crash}  raises nothing\n{nothing}\n3 failed, 2 passed in Ts\n\
         shapes/area.test.mpl\n",
        &failures[2..failures.find('\n').unwrap() + 1],
        &failures[failures.find('\n').unwrap() + 1..],
    );
    assert!(out.starts_with(&want), "{out}");
    assert!(out.ends_with("3 passed in Ts\n"), "{out}");
    // the project itself still builds without its test files
    let bin = tempfile::tempdir().unwrap();
    assert!(build(&dir, &bin.path().join("app")).status.success());
    // a test file with a `main` is refused, with the place
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("bad.test.mpl");
    std::fs::write(&f, "fn main() do\n  println(\"x\")\nend\n").unwrap();
    let out = mesh().arg("test").arg(&f).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.contains("a test file has no `main`") && err.contains("bad.test.mpl:1:1"),
        "{err}"
    );
    // --coverage: not supported, said so
    let out = mesh()
        .args(["test", "--coverage"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

/// Server example 12 (a JSON todo API on SQLite) as its `.md` says: the whole
/// transcript on a fresh database, persistence across a restart (ids never reused),
/// concurrent handlers each opening the database, and the failure path of a database
/// path that cannot be opened.
#[test]
fn sqlite_todo_example() {
    let tmp = tempfile::tempdir().unwrap();
    let src = examples().join("server/12_todo_sqlite.mpl");
    let bin = tmp.path().join("todo");
    let db = tmp.path().join("todos.sqlite3");
    let db_path = db.to_str().unwrap();
    let is_ts = |v: &serde_json::Value| {
        let t = v.as_str().unwrap_or("");
        t.len() == 24 && t.ends_with('Z') && chrono_like(t)
    };
    let todo = |body: &str, id: i64, title: &str, priority: i64, done: bool| {
        let mut v = json(body);
        assert!(is_ts(&v["created_at"]), "{body}");
        v["created_at"] = serde_json::Value::Null;
        assert_eq!(
            v,
            serde_json::json!({"created_at": null, "done": done, "id": id,
                               "priority": priority, "title": title}),
            "{body}"
        );
    };
    let s = start_server(&src, &bin, &[("TODO_DB", db_path)]);
    let p = s.port;
    assert_eq!(
        s.stdout
            .recv_timeout(std::time::Duration::from_secs(5))
            .unwrap(),
        format!("[todos] sqlite={db_path} port={p}")
    );
    let (st, _, b) = http(
        p,
        "POST",
        "/todos",
        &[],
        r#"{"title":"write spec","priority":3}"#,
    );
    assert_eq!(st, 201);
    todo(&b, 1, "write spec", 3, false);
    let (st, _, b) = http(p, "POST", "/todos", &[], r#"{"title":"  ship it  "}"#);
    assert_eq!(st, 201);
    todo(&b, 2, "ship it", 1, false);
    for body in [r#"{"title":"   "}"#, "not json"] {
        let (st, _, b) = http(p, "POST", "/todos", &[], body);
        assert_eq!(
            (st, json(&b)),
            (400, json(r#"{"error":"title is required"}"#))
        );
    }
    let (st, _, b) = http(p, "GET", "/todos", &[], "");
    let list = json(&b);
    assert_eq!((st, list.as_array().map(|a| a.len())), (200, Some(2)));
    todo(&list[0].to_string(), 1, "write spec", 3, false);
    todo(&list[1].to_string(), 2, "ship it", 1, false);
    let (st, _, b) = http(p, "PUT", "/todos/1", &[], r#"{"done":true}"#);
    assert_eq!(st, 200);
    todo(&b, 1, "write spec", 3, true);
    let (st, _, b) = http(p, "GET", "/todos?done=true", &[], "");
    assert_eq!(st, 200);
    assert_eq!(json(&b).as_array().unwrap().len(), 1);
    todo(&json(&b)[0].to_string(), 1, "write spec", 3, true);
    let (_, _, b) = http(p, "GET", "/todos?done=false", &[], "");
    todo(&json(&b)[0].to_string(), 2, "ship it", 1, false);
    let error = |st: u16, msg: &str| (st, serde_json::json!({ "error": msg }));
    let call = |m: &str, t: &str, body: &str| {
        let (st, _, b) = http(p, m, t, &[], body);
        (st, json(&b))
    };
    assert_eq!(
        call("PUT", "/todos/1", r#"{"done":"maybe"}"#),
        error(400, "done must be true or false")
    );
    assert_eq!(call("GET", "/todos/abc", ""), error(400, "invalid id"));
    assert_eq!(call("GET", "/todos/0", ""), error(400, "invalid id"));
    assert_eq!(call("GET", "/todos/99", ""), error(404, "todo not found"));
    assert_eq!(
        call("PUT", "/todos/99", r#"{"done":true}"#),
        error(404, "todo not found")
    );
    assert_eq!(
        call("DELETE", "/todos/2", ""),
        (200, serde_json::json!({"deleted": 2}))
    );
    assert_eq!(call("DELETE", "/todos/2", ""), error(404, "todo not found"));
    assert_eq!(
        call("GET", "/health", ""),
        (200, serde_json::json!({"db": db_path, "status": "ok"}))
    );
    // handlers side by side, each with its own connection to the database
    std::thread::scope(|sc| {
        for i in 0..8 {
            sc.spawn(move || {
                let body = format!(r#"{{"title":"parallel {i}"}}"#);
                assert_eq!(http(p, "POST", "/todos", &[], &body).0, 201);
            });
        }
    });
    let (_, _, b) = http(p, "GET", "/todos", &[], "");
    assert_eq!(json(&b).as_array().unwrap().len(), 9);
    drop(s);
    // restart on the same file: the data is there, and AUTOINCREMENT skips used ids
    let s = start_server(&src, &bin, &[("TODO_DB", db_path)]);
    let (_, _, b) = http(s.port, "GET", "/todos?done=true", &[], "");
    todo(&json(&b)[0].to_string(), 1, "write spec", 3, true);
    let (st, _, b) = http(s.port, "POST", "/todos", &[], r#"{"title":"after"}"#);
    assert_eq!((st, json(&b)["id"].clone()), (201, serde_json::json!(11)));
    drop(s);
    // a directory is no database: the program says so and does not listen
    let out = Command::new(&bin)
        .env("PORT", "1")
        .env("TODO_DB", tmp.path())
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "[todos] schema error: unable to open database file\n"
    );
}

/// A self-signed certificate for `localhost` and its key, made by `openssl` in `dir`:
/// (cert.pem, key.pem).
fn self_signed_cert(dir: &Path) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=localhost", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(made.status.success());
    (cert, key)
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`.
fn chrono_like(t: &str) -> bool {
    t.char_indices().all(|(i, c)| match i {
        4 | 7 => c == '-',
        10 => c == 'T',
        13 | 16 => c == ':',
        19 => c == '.',
        23 => c == 'Z',
        _ => c.is_ascii_digit(),
    })
}

/// Slow and idle clients (issue 7): a connection that sends half a request head and
/// stalls, or a kept-alive one nobody uses, is closed after one to two idle periods
/// (30 s; 200 ms here through `MESH_HTTP_IDLE_MS`), while a handler that takes longer
/// than a period is not cut off.
#[test]
fn http_idle_connections_close() {
    use std::io::{Read, Write};
    let tmp = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/http/crash_server.mpl");
    let s = start_server(
        &src,
        &tmp.path().join("idle"),
        &[("MESH_HTTP_IDLE_MS", "200")],
    );
    let connect = || {
        let c = std::net::TcpStream::connect(("127.0.0.1", s.port)).unwrap();
        c.set_read_timeout(Some(std::time::Duration::from_secs(10)))
            .unwrap();
        c
    };
    let closed_within = |c: &mut std::net::TcpStream| {
        let t = std::time::Instant::now();
        let mut rest = Vec::new();
        let _ = c.read_to_end(&mut rest);
        (t.elapsed(), rest)
    };
    // half a head, then silence
    let mut c = connect();
    c.write_all(b"GET /health HTTP/1.1\r\nHo").unwrap();
    let (took, rest) = closed_within(&mut c);
    assert!(
        rest.is_empty() && took < std::time::Duration::from_secs(3),
        "{took:?}"
    );
    // a handler sleeping 300 ms (longer than a period) answers; then the idle
    // connection is closed
    let mut c = connect();
    c.write_all(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    assert_eq!(read_one_response(&mut c), 200);
    let (took, rest) = closed_within(&mut c);
    assert!(
        rest.is_empty() && took < std::time::Duration::from_secs(3),
        "{took:?}"
    );
    assert_eq!(http(s.port, "GET", "/health", &[], "").0, 200);
}

/// 10,000 concurrent keep-alive connections are held and served: each sends a request,
/// gets its answer, and sends a second one on the same connection (issue 7).
#[test]
fn http_ten_thousand_connections() {
    use std::io::Write;
    const N: usize = 10_000;
    // this test holds N sockets too
    // SAFETY: plain libc calls on a local struct.
    unsafe {
        let mut lim: libc::rlimit = std::mem::zeroed();
        libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim);
        lim.rlim_cur = lim.rlim_max;
        libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        if (lim.rlim_max as usize) < N + 100 {
            println!("skipped: the hard limit of open files is {}", lim.rlim_max);
            return;
        }
    }
    let tmp = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/http/crash_server.mpl");
    let s = start_server(&src, &tmp.path().join("many"), &[]);
    let p = s.port;
    let ok = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|sc| {
        for _ in 0..4 {
            let ok = &ok;
            sc.spawn(move || {
                let mut conns: Vec<std::net::TcpStream> = (0..N / 4)
                    .map(|_| {
                        let c = std::net::TcpStream::connect(("127.0.0.1", p)).unwrap();
                        c.set_read_timeout(Some(std::time::Duration::from_secs(30)))
                            .unwrap();
                        c
                    })
                    .collect();
                for round in 0..2 {
                    for c in &mut conns {
                        c.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
                            .unwrap();
                    }
                    for c in &mut conns {
                        if read_one_response(c) == 200 && round == 1 {
                            ok.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                }
            });
        }
    });
    assert_eq!(ok.into_inner(), N);
    drop(s);
}

/// Server example 14 (WebSocket chat) as its `.md` says: welcome, echo, broadcast to
/// the others, rooms left on disconnect, rejection with close 1008, 400 for a plain
/// request, the HTTP health route beside it, and the server's event lines in order.
#[test]
fn websocket_chat() {
    use tungstenite::Message;
    let tmp = tempfile::tempdir().unwrap();
    let (mut child, ws_port, http_port, lines) = chat_server(tmp.path(), &[]);
    let next_line = || {
        lines
            .recv_timeout(std::time::Duration::from_secs(5))
            .unwrap()
    };
    let url = format!("ws://127.0.0.1:{ws_port}/chat");
    let text = |ws: &mut Ws| ws_text(ws);
    // session 1: A alone
    let (mut a, _) = tungstenite::connect(&url).unwrap();
    assert_eq!(text(&mut a), "welcome to the lobby");
    assert_eq!(next_line(), "[chat] joined path=/chat");
    a.send(Message::Text("/echo hi there".into())).unwrap();
    assert_eq!(text(&mut a), "echo: hi there");
    assert_eq!(next_line(), "[chat] echoed");
    a.send(Message::Text("hello?".into())).unwrap();
    assert_eq!(text(&mut a), "delivered");
    assert_eq!(next_line(), "[chat] broadcast");
    // session 2: B joins
    let (mut b, _) = tungstenite::connect(&url).unwrap();
    assert_eq!(text(&mut b), "welcome to the lobby");
    assert_eq!(next_line(), "[chat] joined path=/chat");
    a.send(Message::Text("hello all".into())).unwrap();
    assert_eq!(text(&mut a), "delivered");
    assert_eq!(text(&mut b), "someone: hello all");
    assert_eq!(next_line(), "[chat] broadcast");
    b.send(Message::Text("/echo x".into())).unwrap();
    assert_eq!(text(&mut b), "echo: x");
    assert_eq!(next_line(), "[chat] echoed");
    b.close(None).unwrap();
    let _ = b.flush();
    drop(b);
    assert_eq!(next_line(), "[chat] closed code=1000 reason=");
    a.send(Message::Text("anyone?".into())).unwrap();
    assert_eq!(text(&mut a), "delivered");
    assert_eq!(next_line(), "[chat] broadcast");
    // rejection: close 1008, no on_close
    let (mut r, _) = tungstenite::connect(format!("ws://127.0.0.1:{ws_port}/admin")).unwrap();
    let close = loop {
        match r.read() {
            Ok(Message::Close(c)) => break c,
            Ok(_) => {}
            Err(e) => panic!("{e}"),
        }
    };
    let close = close.unwrap();
    assert_eq!(
        (u16::from(close.code), close.reason.as_ref()),
        (1008, "rejected")
    );
    assert_eq!(next_line(), "[chat] rejected path=/admin");
    // a plain request is not an upgrade
    let (st, _, _) = http(ws_port, "GET", "/chat", &[], "");
    assert_eq!(st, 400);
    let (st, _, body) = http(http_port, "GET", "/health", &[], "");
    assert_eq!(
        (st, json(&body)),
        (200, json(r#"{"room":"lobby","status":"ok"}"#))
    );
    let _ = child.kill();
    let _ = child.wait();
}

/// `Ws.send_binary`; `on_close` hears `1000, ""` whatever code the client closes with;
/// a callback that crashes ends its connection with close 1011 and `on_close(conn, 1011,
/// "internal error")` runs; the server goes on (spec 06 §4.1, §4.2).
#[test]
fn websocket_close_codes_and_binary() {
    use tungstenite::protocol::{frame::coding::CloseCode, CloseFrame};
    use tungstenite::Message;
    let tmp = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/http/ws_edges.mpl");
    let (mut child, port, _, lines) = ws_program(&src, tmp.path(), &[], false);
    let next_line = || {
        lines
            .recv_timeout(std::time::Duration::from_secs(5))
            .unwrap()
    };
    let url = format!("ws://127.0.0.1:{port}/edge");
    let (mut a, _) = tungstenite::connect(&url).unwrap();
    assert_eq!(next_line(), "[ws] connected path=/edge");
    a.send(Message::Text("bytes: ü".into())).unwrap();
    loop {
        match a.read().unwrap() {
            Message::Binary(b) => break assert_eq!(b, "bytes: ü".as_bytes()),
            Message::Ping(_) | Message::Pong(_) => {}
            m => panic!("{m:?}"),
        }
    }
    assert_eq!(next_line(), "[ws] sent binary 8 status=0");
    a.close(Some(CloseFrame {
        code: CloseCode::Away,
        reason: "tab closed".into(),
    }))
    .unwrap();
    assert_eq!(next_line(), "[ws] closed code=1000 reason=");
    let (mut b, _) = tungstenite::connect(&url).unwrap();
    assert_eq!(next_line(), "[ws] connected path=/edge");
    b.send(Message::Text("crash".into())).unwrap();
    let code = loop {
        match b.read() {
            Ok(Message::Close(Some(f))) => break Some(f.code),
            Ok(Message::Close(None)) | Err(_) => break None,
            Ok(_) => {}
        }
    };
    assert_eq!(code, Some(CloseCode::Error));
    assert_eq!(next_line(), "[ws] closed code=1011 reason=internal error");
    // the server goes on
    let (_c, _) = tungstenite::connect(&url).unwrap();
    assert_eq!(next_line(), "[ws] connected path=/edge");
    let _ = child.kill();
    let _ = child.wait();
}

/// WebSocket keep-alive (spec 06 §4: a ping every 30 s, close 1001 `pong timeout` when
/// none answers within 10 s — shortened here to 200 ms and 400 ms through
/// `MESH_WS_PING_MS` / `MESH_WS_PONG_TIMEOUT_MS`): a client that answers stays connected
/// across many pings, one that never reads is closed (1001) and `on_close` hears the
/// normal end, `1000, ""`. Then
/// `Ws.serve_tls`: an upgrade and an echo over TLS (`openssl s_client`).
#[test]
fn websocket_pings_and_tls() {
    use std::io::{Read, Write};
    use tungstenite::Message;
    let tmp = tempfile::tempdir().unwrap();
    let env = [
        ("MESH_WS_PING_MS", "200"),
        ("MESH_WS_PONG_TIMEOUT_MS", "400"),
    ];
    let (mut child, ws_port, _, lines) = chat_server(tmp.path(), &env);
    let next_line = || {
        lines
            .recv_timeout(std::time::Duration::from_secs(5))
            .unwrap()
    };
    let (mut a, _) = tungstenite::connect(format!("ws://127.0.0.1:{ws_port}/chat")).unwrap();
    assert_eq!(ws_text(&mut a), "welcome to the lobby");
    assert_eq!(next_line(), "[chat] joined path=/chat");
    let mut pings = 0;
    while pings < 4 {
        if let Message::Ping(p) = a.read().unwrap() {
            assert_eq!(p.len(), 4);
            pings += 1;
        }
    }
    // a client's ping is answered
    a.send(Message::Ping(vec![7, 7, 7].into())).unwrap();
    loop {
        match a.read().unwrap() {
            Message::Pong(p) if p[..] == [7, 7, 7] => break,
            Message::Pong(_) | Message::Ping(_) => {}
            m => panic!("{m:?}"),
        }
    }
    // four pings (800 ms, twice the pong timeout): still connected
    a.send(Message::Text("/echo still here".into())).unwrap();
    assert_eq!(ws_text(&mut a), "echo: still here");
    assert_eq!(next_line(), "[chat] echoed");
    // a client that upgrades and then never reads or answers
    let mut silent = std::net::TcpStream::connect(("127.0.0.1", ws_port)).unwrap();
    silent
        .write_all(
            b"GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
              Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        )
        .unwrap();
    assert_eq!(next_line(), "[chat] joined path=/chat");
    assert_eq!(next_line(), "[chat] closed code=1000 reason=");
    let _ = child.kill();
    let _ = child.wait();
    drop(silent);

    // wss://
    let have = |tool: &str| Command::new(tool).arg("version").output().is_ok();
    if !have("openssl") {
        println!("skipped wss: needs openssl");
        return;
    }
    let (cert, key) = self_signed_cert(tmp.path());
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/http/wss_server.mpl");
    let (c, k) = (cert.to_str().unwrap(), key.to_str().unwrap());
    let s = start_server(&src, &tmp.path().join("wss"), &[("CERT", c), ("KEY", k)]);
    let mut client = Command::new("openssl")
        .args(["s_client", "-quiet", "-connect"])
        .arg(format!("127.0.0.1:{}", s.port))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = client.stdin.take().unwrap();
    stdin
        .write_all(
            b"GET /secure HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
              Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        )
        .unwrap();
    // a masked text frame "hi" (mask 0: the payload as it is)
    stdin
        .write_all(&[0x81, 0x82, 0, 0, 0, 0, b'h', b'i'])
        .unwrap();
    stdin.flush().unwrap();
    let mut stdout = client.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = stdout.read(&mut buf) {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
            if seen.windows(15).any(|w| w == b"secure echo: hi") {
                break;
            }
        }
        let _ = tx.send(seen);
    });
    let seen = rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
    let seen = String::from_utf8_lossy(&seen);
    assert!(
        seen.starts_with("HTTP/1.1 101 Switching Protocols"),
        "{seen}"
    );
    assert!(seen.contains("secure echo: hi"), "{seen}");
    drop(stdin);
    let _ = client.kill();
    let _ = client.wait();
}

/// `HTTP.serve_tls` (rustls): a self-signed certificate made by `openssl`, requests by
/// `curl`; a plain-text request to the TLS port is dropped and the server goes on; a
/// missing certificate is reported and `serve_tls` returns.
#[test]
fn https_server() {
    let have = |tool: &str| Command::new(tool).arg("--version").output().is_ok();
    if !have("openssl") || !have("curl") {
        println!("skipped: needs openssl and curl");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let (cert, key) = self_signed_cert(tmp.path());
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/http/tls_server.mpl");
    let (c, k) = (cert.to_str().unwrap(), key.to_str().unwrap());
    let s = start_server(&src, &tmp.path().join("tls"), &[("CERT", c), ("KEY", k)]);
    let curl = |scheme: &str| {
        Command::new("curl")
            .args(["-sk", "-m", "5"])
            .arg(format!("{scheme}://127.0.0.1:{}/", s.port))
            .output()
            .unwrap()
    };
    assert_eq!(
        String::from_utf8_lossy(&curl("https").stdout),
        r#"{"secure":true}"#
    );
    assert!(!curl("http").status.success());
    assert_eq!(
        String::from_utf8_lossy(&curl("https").stdout),
        r#"{"secure":true}"#
    );
    drop(s);
    // a missing certificate: reported, and serve_tls returns (exit 0)
    let out = Command::new(tmp.path().join("tls"))
        .env("PORT", "0")
        .env("CERT", tmp.path().join("nope.pem"))
        .env("KEY", k)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr)
        .starts_with("[mesh-rt] Failed to load TLS certificates:"));
}

/// Property: whatever bytes a client sends — random, or a valid request cut or with
/// bytes flipped — the server answers with a status below 500 or closes the
/// connection, and keeps serving (issue 7's bad input).
#[test]
fn http_server_survives_garbage() {
    use proptest::prelude::*;
    use std::io::{Read, Write};
    let tmp = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/http/crash_server.mpl");
    let s = start_server(&src, &tmp.path().join("garbage"), &[]);
    let p = s.port;
    let valid = b"POST /size HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello".to_vec();
    let input = prop_oneof![
        prop::collection::vec(any::<u8>(), 0..2048),
        (0..valid.len()).prop_map({
            let v = valid.clone();
            move |cut| v[..cut].to_vec()
        }),
        (prop::collection::vec((0..valid.len(), any::<u8>()), 1..6)).prop_map({
            let v = valid.clone();
            move |flips| {
                let mut v = v.clone();
                for (i, b) in flips {
                    v[i] = b;
                }
                v
            }
        }),
    ];
    let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
        cases: 64,
        ..Default::default()
    });
    runner
        .run(&input, |bytes| {
            let mut c = std::net::TcpStream::connect(("127.0.0.1", p)).unwrap();
            c.set_read_timeout(Some(std::time::Duration::from_secs(5)))
                .unwrap();
            let _ = c.write_all(&bytes);
            let _ = c.shutdown(std::net::Shutdown::Write);
            let mut out = Vec::new();
            let _ = c.read_to_end(&mut out);
            let (st, _, _) = parse_response(&out);
            prop_assert!(
                st < 500,
                "status {} for {:?}",
                st,
                String::from_utf8_lossy(&bytes)
            );
            prop_assert_eq!(http(p, "GET", "/health", &[], "").0, 200);
            Ok(())
        })
        .unwrap();
    drop(s);
}

/// Server example 11: an actor calls the program's own server through the HTTP client
/// (query encoding, any status is `Ok`, JSON bodies, a refused connection is `Err`).
#[test]
fn http_client_example() {
    let tmp = tempfile::tempdir().unwrap();
    let port = free_port();
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert_eq!(
        client_lines(
            &examples().join("server/11_http_client.mpl"),
            tmp.path(),
            port,
            5
        ),
        [
            r#"GET /hello -> 200 {"greeting":"hello mesh%20lang"}"#,
            r#"GET /teapot -> 418 {"error":"short and stout"}"#,
            r#"POST /echo -> 200 {"method":"POST","raw":"{\"n\":1}"}"#,
            "GET closed port -> transport error",
            "probe done",
        ]
    );
    // the legacy helpers and a client pool
    assert_eq!(
        client_lines(
            &here.join("../tests/http/legacy_client.mpl"),
            tmp.path(),
            port,
            7
        ),
        [
            "get: ok hi",
            "get 404: error http status: 404",
            r#"post: ok {"a":1}"#,
            "handler get: ok via hi",
            "pool: 20 of 20",
            "closed pool: unknown client",
            "done"
        ]
    );
    // Http.stream
    assert_eq!(
        client_lines(
            &here.join("../tests/http/stream_client.mpl"),
            tmp.path(),
            port,
            5
        ),
        [
            "handle: true",
            "streamed 40000 bytes, more than 4 pieces: true",
            "stopped after 1 piece",
            "failed: 0",
            "done"
        ]
    );
}

/// Builds `src` (a program that serves on `PORT` and calls itself), runs it and
/// returns the first `n` lines it prints.
fn client_lines(src: &Path, dir: &Path, port: u16, n: usize) -> Vec<String> {
    use std::io::BufRead;
    let bin = build_in(src, dir);
    let mut child = Command::new(&bin)
        .env("PORT", port.to_string())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let lines: Vec<String> = std::io::BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(|l| l.unwrap())
        .take(n)
        .collect();
    let _ = child.kill();
    let _ = child.wait();
    lines
}

/// The two sides of the runtime's C ABI agree (decision 47): every `@extern` of the
/// standard library names a function the runtime exports (`#[unsafe(no_mangle)] …
/// extern "C" fn`) with as many parameters, and every export is declared — in the
/// library, or as one of the functions codegen calls itself (`codegen::SUPPORT`).
#[test]
fn library_externs_match_the_runtime() {
    use mesh_ir::surface::{External, ItemKind};
    use std::collections::BTreeMap;
    // the runtime's exports: symbol → (parameters, file)
    let mut exports: BTreeMap<String, (usize, String)> = BTreeMap::new();
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../runtime/src"),
        &mut files,
    );
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let mut rest = text.as_str();
        while let Some(at) = rest.find("#[unsafe(no_mangle)]") {
            rest = &rest[at + 20..];
            let Some(fn_at) = rest.find("extern \"C\" fn ") else {
                break;
            };
            let sig = &rest[fn_at + 14..];
            let name: String = sig
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let open = sig.find('(').unwrap();
            let (mut depth, mut close) = (0, open);
            for (i, c) in sig[open..].char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            close = open + i;
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let params = sig[open + 1..close]
                .split(',')
                .filter(|p| p.contains(':'))
                .count();
            exports.insert(name, (params, f.display().to_string()));
        }
    }
    assert!(exports.len() > 100, "found only {} exports", exports.len());
    // the library's declarations: symbol → (parameters, declaring function)
    let mut declared: BTreeMap<String, Vec<(usize, String)>> = BTreeMap::new();
    for (module, path, text) in mesh::project::LIBRARY {
        let (items, diags) = mesh_passes::parse::parse_file(0, text);
        assert!(diags.is_empty(), "{path} does not parse");
        for it in items {
            if let ItemKind::Fn(f) = it.kind {
                if let Some(External::Runtime { symbol, .. }) = &f.external {
                    declared
                        .entry(symbol.clone())
                        .or_default()
                        .push((f.params.len(), format!("{module}.{}", f.name)));
                }
            }
        }
    }
    let mut problems = Vec::new();
    for (sym, decls) in &declared {
        for (n, name) in decls {
            match exports.get(sym) {
                None => problems.push(format!(
                    "`{name}` is `@extern(\"{sym}\")`, which the runtime does not export"
                )),
                Some((m, file)) if m != n => problems.push(format!(
                    "`{name}` declares {n} parameter(s) for `{sym}`, which takes {m} ({file})"
                )),
                _ => {}
            }
        }
    }
    for (sym, params, _) in mesh_passes::codegen::SUPPORT {
        match exports.get(*sym) {
            None => problems.push(format!(
                "codegen calls `{sym}`, which the runtime does not export"
            )),
            Some((m, file)) if *m != params.len() => problems.push(format!(
                "codegen calls `{sym}` with {} argument(s); it takes {m} ({file})",
                params.len()
            )),
            _ => {}
        }
    }
    let support: Vec<&str> = mesh_passes::codegen::SUPPORT.iter().map(|s| s.0).collect();
    for (sym, (_, file)) in &exports {
        if sym != "main" && !declared.contains_key(sym) && !support.contains(&sym.as_str()) {
            problems.push(format!(
                "the runtime exports `{sym}` ({file}), which no `@extern` declares and codegen does not call"
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
    println!(
        "{} runtime exports, {} declared symbols, {} codegen support functions: they agree",
        exports.len(),
        declared.len(),
        support.len()
    );
}

/// `core`'s stages are languages of their own (issue 15): a lambda that survived
/// `lift-lambdas`, or one that closure conversion missed, fails the stage's validator;
/// the passes after `explicate-core` print their stage's name in `mesh dump --list`.
#[test]
fn core_stages_reject_what_their_passes_removed() {
    use mesh_ir::Ir;
    let text =
        "fn main() do\n  let k = 3\n  let f = fn(x) -> x + k end\n  println(\"${f(1)}\")\nend\n";
    let converted = ir_after(text, "convert-closures").core().unwrap().clone();
    // a lambda left in the program after lift-lambdas
    let errs = mesh_ir::core::Lifted(converted.clone())
        .validate()
        .unwrap_err();
    assert!(
        errs.iter()
            .any(|e| e.contains("a lambda (lift-lambdas removes them)")),
        "{errs:?}"
    );
    assert!(mesh_ir::core::Closed(converted).validate().is_ok());
    // a lambda that was never closure-converted, in the closed language
    let core = ir_after(text, "explicate-core").core().unwrap().clone();
    let errs = mesh_ir::core::Closed(core).validate().unwrap_err();
    assert!(
        errs.iter().any(|e| e.contains("not closure-converted")),
        "{errs:?}"
    );
    let list = mesh().args(["dump", "--list"]).output().unwrap();
    let list = String::from_utf8_lossy(&list.stdout);
    for line in ["convert-closures", "lift-lambdas", "insert-rc", "codegen"] {
        assert!(list.contains(line), "{list}");
    }
    for lang in ["closed", "lifted", "rc"] {
        assert!(list.contains(lang), "`{lang}` missing from:\n{list}");
    }
}
