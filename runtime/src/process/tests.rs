//! The process core on its own, driven from Rust through its public API (no compiled
//! program, no client module): these build and pass with `--no-default-features`
//! (issue 16's layering test). One test, because a program has one scheduler.

use super::*;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

/// The word of `receive`'s `Some(word)`, or `None` (and the option is freed).
fn take(opt: *mut u8) -> Option<u64> {
    // SAFETY: `opt` is a fresh `Option` object: header, mask, one slot.
    unsafe {
        let tag = *(opt as *const u64) & 0xFFFF_FFFF;
        let word = *(opt as *const u64).add(2);
        crate::memory::mesh_rt_drop(opt);
        (tag == 0).then_some(word)
    }
}

fn recv(timeout_ms: i64) -> Option<u64> {
    take(mailbox::mesh_rt_receive(timeout_ms, 0))
}

fn send(to: Pid, word: u64) {
    // SAFETY: an Int message is a plain word.
    unsafe { mailbox::mesh_rt_send(to, word, 0, std::ptr::null()) }
}

static LOG: Mutex<Vec<String>> = Mutex::new(Vec::new());
static ROUNDS: AtomicI64 = AtomicI64::new(0);

fn log(s: impl Into<String>) {
    LOG.lock().unwrap().push(s.into());
}

fn program() {
    // ping-pong between two processes, each answering the other's pid
    let main = current_pid();
    let ponger = spawn_rust(false, || {
        while let Some(from) = recv(-1) {
            if from == 0 {
                break;
            }
            send(from as Pid, 1);
        }
    });
    let pinger = spawn_rust(false, move || {
        let me = current_pid();
        for _ in 0..10_000 {
            send(ponger, me as u64);
            if recv(2_000) == Some(1) {
                ROUNDS.fetch_add(1, Ordering::Relaxed);
            }
        }
        send(ponger, 0);
        send(main, 7);
    });
    assert_ne!(pinger, ponger);
    assert_eq!(recv(10_000), Some(7), "the pinger finished");

    // a timed receive with nothing to receive times out
    assert_eq!(recv(20), None);

    // registry: a name for a live process, gone when it ends
    let named = spawn_rust(false, || {
        let _ = recv(-1);
    });
    let name = crate::strings::new_str(b"core-test");
    // SAFETY: `name` is a live string.
    assert_eq!(unsafe { registry::mesh_rt_register(name, named) }, 0);
    // SAFETY: the name was borrowed.
    unsafe { crate::memory::mesh_rt_drop(name) };
    assert_eq!(whereis_name("core-test"), named);
    send(named, 1);

    // links (from a process: `main` is not an actor, its links are no-ops): a trapped
    // link turns a crash into an exit signal, and a killed process ends at its wait
    spawn_rust(false, move || {
        trap_exits();
        let crasher = spawn_rust(false, || {
            let _ = recv(-1);
            fail("boom");
        });
        link_to(crasher);
        send(crasher, 1);
        let soon = || Some(std::time::Instant::now() + std::time::Duration::from_secs(10));
        match next_exit_signal(soon()) {
            Some((from, why)) if from == crasher => {
                log(format!("exit {}", why.unwrap_or_default()))
            }
            other => log(format!("unexpected signal {other:?}")),
        }
        let victim = spawn_rust(false, || {
            let _ = recv(-1);
            log("victim was not killed");
        });
        link_to(victim);
        kill(victim, "stop");
        let killed = next_exit_signal(soon()).map(|s| s.0) == Some(victim);
        send(main, if killed { 8 } else { 0 });
    });
    assert_eq!(recv(30_000), Some(8), "the linked victim's exit arrived");

    // timers: a message after 30 ms, not before
    let t0 = std::time::Instant::now();
    // SAFETY: a plain word.
    unsafe { timer::mesh_rt_send_after(main, 30, 9, 0, std::ptr::null()) };
    assert_eq!(recv(5_000), Some(9));
    assert!(t0.elapsed() >= std::time::Duration::from_millis(30));

    // a native future, awaited without blocking the worker
    let v = await_future(async {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        41 + 1
    });
    assert_eq!(v, 42);
    assert_eq!(whereis_name("core-test"), 0, "a name ends with its process");
}

#[test]
fn the_process_core_runs_processes_on_its_own() {
    run_main(program);
    assert_eq!(ROUNDS.load(Ordering::Relaxed), 10_000);
    let log = LOG.lock().unwrap().clone();
    assert_eq!(log.len(), 1, "{log:?}");
    assert!(
        log[0].starts_with("exit ") && log[0].contains("boom"),
        "{log:?}"
    );
}
