//! Supervisors (spec 04 §9.2): a process running Rust code that traps exits, starts its
//! children in order (linked), and restarts them by strategy and restart type within a
//! restart intensity; past it, it ends its children (reverse order) and exits with
//! "restart limit exceeded: N restarts in S seconds", which its links see.
//!
//! Built by `lower-actors`' translation of a `supervisor` declaration into
//! `Process.sup_new`, one `Process.sup_child` per child and `Process.sup_start`. A
//! client of the process core: it uses only its public API.

use crate::memory::mesh_rt_drop;
use crate::process::{self, Pid};
use crate::strings::as_str;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

/// Strategies and restart types, as `lower-actors` numbers them.
pub const ONE_FOR_ALL: i64 = 1;
pub const REST_FOR_ONE: i64 = 2;
pub const PERMANENT: i64 = 0;
pub const TRANSIENT: i64 = 1;
/// `shutdown: brutal_kill`.
pub const BRUTAL_KILL: i64 = -1;

pub struct Child {
    id: String,
    /// The start closure (owned; called once per start).
    start: usize,
    restart: i64,
    shutdown: i64,
}

pub struct Spec {
    strategy: i64,
    max_restarts: i64,
    max_seconds: i64,
    children: Vec<Child>,
}

// SAFETY: the start closures are copies owned by the spec (see `mesh_rt_sup_start`).
unsafe impl Send for Spec {}

/// Supervisors being declared: `sup_new` … `sup_child`* … `sup_start`.
static BUILDING: LazyLock<Mutex<HashMap<i64, Spec>>> = LazyLock::new(Default::default);
static NEXT_SPEC: AtomicI64 = AtomicI64::new(1);

/// A supervisor spec under construction; its handle.
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_sup_new(strategy: i64, max_restarts: i64, max_seconds: i64) -> i64 {
    let id = NEXT_SPEC.fetch_add(1, Ordering::Relaxed);
    BUILDING.lock().unwrap().insert(
        id,
        Spec {
            strategy,
            max_restarts,
            max_seconds,
            children: Vec::new(),
        },
    );
    id
}

/// Adds a child to spec `h`: its id, start closure (borrowed, kept with a reference of
/// its own until `sup_start` copies it), restart type and shutdown (ms or brutal).
///
/// # Safety
/// `id` is a live string, `start` a live closure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_sup_child(
    h: i64,
    id: *const u8,
    start: *mut u8,
    restart: i64,
    shutdown: i64,
) {
    // SAFETY: forwarded contract.
    unsafe { crate::memory::mesh_rt_dup(start) };
    if let Some(s) = BUILDING.lock().unwrap().get_mut(&h) {
        s.children.push(Child {
            // SAFETY: forwarded contract.
            id: unsafe { as_str(id) }.to_string(),
            start: start as usize,
            restart,
            shutdown,
        });
    }
}

/// Starts the supervisor of spec `h`; its pid.
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_sup_start(h: i64) -> Pid {
    let Some(mut spec) = BUILDING.lock().unwrap().remove(&h) else {
        return 0;
    };
    // the supervisor runs elsewhere: it gets its own copy of each start closure
    let starts: Vec<u64> = spec.children.iter().map(|c| c.start as u64).collect();
    // SAFETY: the start closures are live (`sup_child` took a reference to each).
    let pid = unsafe {
        process::spawn_rust_with(starts.clone(), move |copies| {
            for (c, w) in spec.children.iter_mut().zip(copies) {
                c.start = w as usize;
            }
            run(spec)
        })
    };
    for w in starts {
        // SAFETY: the reference `sup_child` took.
        unsafe { mesh_rt_drop(w as *mut u8) };
    }
    if process::current().is_some() {
        // a supervisor started by a process is linked to it (spec 04 §9.2)
        process::link_to(pid);
    }
    pid
}

fn start(c: &Child) -> Pid {
    // SAFETY: the spec owns the closure; the call consumes the reference taken here.
    let pid = unsafe {
        crate::memory::mesh_rt_dup(c.start as *mut u8);
        process::call_thunk(c.start as *mut u8)
    };
    process::link_to(pid);
    pid
}

/// Ends child `pid` (spec 04 §9.2 shutdown) and waits for its exit signal, at most
/// `shutdown` ms unless brutal; signals of other children that arrive meanwhile are
/// kept in `later`.
fn terminate(pid: Pid, shutdown: i64, later: &mut Vec<(Pid, Option<String>)>) {
    let why = if shutdown == BRUTAL_KILL {
        "killed"
    } else {
        "shutdown"
    };
    process::kill(pid, why);
    let deadline = (shutdown >= 0).then(|| Instant::now() + Duration::from_millis(shutdown as u64));
    while let Some((p, w)) = process::next_exit_signal(deadline) {
        if p == pid {
            return;
        }
        later.push((p, w));
    }
}

/// The supervisor process's body; returns its abnormal exit reason.
fn run(spec: Spec) -> Option<String> {
    process::trap_exits();
    let me = process::current_pid();
    let n = spec.children.len();
    let mut pids: Vec<Pid> = spec.children.iter().map(start).collect();
    let mut removed = vec![false; n];
    let mut history: VecDeque<Instant> = VecDeque::new();
    let window = Duration::from_secs(spec.max_seconds.max(0) as u64);
    let mut later: Vec<(Pid, Option<String>)> = Vec::new();
    let outcome = loop {
        let signal = if later.is_empty() {
            process::next_exit_signal(None)
        } else {
            Some(later.remove(0))
        };
        let Some((pid, why)) = signal else { continue };
        let Some(i) = pids.iter().position(|p| *p == pid) else {
            continue;
        };
        pids[i] = 0;
        let c = &spec.children[i];
        let restart = match c.restart {
            PERMANENT => true,
            TRANSIENT => why.is_some(),
            _ => {
                removed[i] = true;
                false
            }
        };
        if !restart {
            if pids.iter().all(|p| *p == 0) && removed.iter().all(|r| *r) {
                break None;
            }
            continue;
        }
        let now = Instant::now();
        history.retain(|t| now.duration_since(*t) < window);
        if history.len() as i64 >= spec.max_restarts {
            break Some(format!(
                "restart limit exceeded: {} restarts in {} seconds",
                spec.max_restarts, spec.max_seconds
            ));
        }
        history.push_back(now);
        let group: Vec<usize> = match spec.strategy {
            ONE_FOR_ALL => (0..n).filter(|j| !removed[*j]).collect(),
            REST_FOR_ONE => (i..n).filter(|j| !removed[*j]).collect(),
            _ => vec![i],
        };
        for &j in group.iter().rev() {
            if pids[j] != 0 {
                terminate(pids[j], spec.children[j].shutdown, &mut later);
                pids[j] = 0;
            }
        }
        for &j in &group {
            pids[j] = start(&spec.children[j]);
        }
    };
    // ending: the children go first, in reverse start order
    for j in (0..n).rev() {
        if pids[j] != 0 {
            terminate(pids[j], spec.children[j].shutdown, &mut later);
        }
    }
    if let Some(why) = &outcome {
        crate::elog!("error: supervisor <0.{me}> shut down: {why}");
    }
    for c in &spec.children {
        let _ = &c.id;
        // SAFETY: the spec's reference to each start closure.
        unsafe { mesh_rt_drop(c.start as *mut u8) };
    }
    outcome
}
