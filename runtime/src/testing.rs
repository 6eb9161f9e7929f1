//! The runner's side of `mesh test` (spec 03 §17): assertion failures of the running
//! test (recorded from whichever process the assertion ran in), the report line of each
//! test, and the summary. The DSL itself is `stdlib/test.mpl`; the parser turns a test
//! file's top-level blocks into calls of it (`passes/src/parse/test_files.rs`).

use crate::strings::as_str;
use std::sync::Mutex;

struct Run {
    /// Failures of the test running now.
    current: Vec<String>,
    passed: i64,
    /// Tests that failed, with their failures, in order.
    failed: Vec<(String, Vec<String>)>,
    started: Option<std::time::Instant>,
}

static RUN: Mutex<Run> = Mutex::new(Run {
    current: Vec::new(),
    passed: 0,
    failed: Vec::new(),
    started: None,
});

fn run() -> std::sync::MutexGuard<'static, Run> {
    RUN.lock().unwrap_or_else(|e| e.into_inner())
}

fn say(text: &str) {
    crate::console::out(&[text.as_bytes(), b"\n"]);
}

/// `Testing.fail(message)`: records a failure of the running test.
///
/// # Safety
/// `msg` is a live string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_test_fail(msg: *const u8) {
    let msg = unsafe { as_str(msg) }.to_string();
    run().current.push(msg);
}

/// `Testing.failures()`: how many failures the running test has recorded.
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_test_failures() -> i64 {
    run().current.len() as i64
}

/// `Testing.truncate(n)`: forgets the failures after the first `n` (`assert_raises`
/// contains the ones its function caused).
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_test_truncate(n: i64) {
    run().current.truncate(n.max(0) as usize);
}

/// `Testing.report(name)`: the test `name` is over: `✓ name`, or `✗ name` and its
/// failures.
///
/// # Safety
/// `name` is a live string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_test_report(name: *const u8) {
    let name = unsafe { as_str(name) }.to_string();
    let mut r = run();
    r.started.get_or_insert_with(std::time::Instant::now);
    let failures = std::mem::take(&mut r.current);
    if failures.is_empty() {
        r.passed += 1;
        drop(r);
        say(&format!("  ✓ {name}"));
    } else {
        let mut text = format!("  ✗ {name}");
        for f in &failures {
            text.push_str(&format!("\n    {f}"));
        }
        r.failed.push((name, failures));
        drop(r);
        say(&text);
    }
}

/// `Testing.summary()`: the failures again, then `N passed in T s` or `F failed, P
/// passed in T s`; a failed run exits with status 1.
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_test_summary() {
    let r = run();
    let secs = r.started.map_or(0.0, |s| s.elapsed().as_secs_f64());
    let mut text = String::new();
    if !r.failed.is_empty() {
        text.push_str("\nFailures:\n");
        for (name, failures) in &r.failed {
            text.push_str(&format!("  {name}\n"));
            for f in failures {
                text.push_str(&format!("    {f}\n"));
            }
        }
        text.push_str(&format!(
            "\n{} failed, {} passed in {secs:.2}s",
            r.failed.len(),
            r.passed
        ));
    } else {
        text.push_str(&format!("\n{} passed in {secs:.2}s", r.passed));
    }
    let failed = !r.failed.is_empty();
    drop(r);
    say(&text);
    if failed {
        std::process::exit(1);
    }
}
