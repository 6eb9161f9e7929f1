//! Supervisors (spec 04 §9.2): a process running Rust code that traps exits, starts its
//! children in order (linked), and restarts them by strategy and restart type within a
//! restart intensity; past it, it ends its children (reverse order) and exits with
//! "restart limit exceeded: N restarts in S seconds", which its links see.
//!
//! Built by `lower-actors`' translation of a `supervisor` declaration into
//! `Process.sup_new`, one `Process.sup_child` per child and `Process.sup_start`.

use super::*;
use std::collections::HashMap;

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
    let p = new_process();
    for c in &mut spec.children {
        // the supervisor runs elsewhere: it gets its own copy of each start closure
        // SAFETY: `start` holds the reference `sup_child` took.
        unsafe {
            let copy = copy_to(&p, c.start as u64, true);
            mesh_rt_drop(c.start as *mut u8);
            c.start = copy as usize;
        }
    }
    if let Some(me) = current() {
        // a supervisor started by a process is linked to it (spec 04 §9.2)
        PROCS.insert(p.pid, p.clone());
        link(me, p.pid);
    }
    launch(p, Entry::Supervisor(Box::new(spec)))
}

fn start(me: &Process, c: &Child) -> Pid {
    // SAFETY: the spec owns the closure; the call consumes the reference taken here.
    let pid = unsafe {
        crate::memory::mesh_rt_dup(c.start as *mut u8);
        run_thunk(c.start as *mut u8)
    };
    link(me, pid);
    pid
}

/// The next exit signal (waiting for one).
fn next_signal(me: &Process, deadline: Option<Instant>) -> Option<(Pid, Option<String>)> {
    loop {
        loop {
            match me.lock().signals.pop_front() {
                Some(Sig::Exit(pid, why)) => return Some((pid, why)),
                Some(Sig::Down(..)) => continue,
                None => break,
            }
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return None;
        }
        me.lock().wants_signals = true;
        suspend(me, Suspend::Wait(deadline));
        me.lock().wants_signals = false;
    }
}

/// Ends child `pid` (spec 04 §9.2 shutdown) and waits for its exit signal, at most
/// `shutdown` ms unless brutal; signals of other children that arrive meanwhile are
/// kept in `later`.
fn terminate(me: &Process, pid: Pid, shutdown: i64, later: &mut Vec<(Pid, Option<String>)>) {
    let why = if shutdown == BRUTAL_KILL {
        "killed"
    } else {
        "shutdown"
    };
    kill(pid, why);
    let deadline = (shutdown >= 0).then(|| Instant::now() + Duration::from_millis(shutdown as u64));
    while let Some((p, w)) = next_signal(me, deadline) {
        if p == pid {
            return;
        }
        later.push((p, w));
    }
}

/// The supervisor process's body; returns its abnormal exit reason.
pub fn run(me: &Process, spec: Spec) -> Option<String> {
    me.lock().trap = true;
    let n = spec.children.len();
    let mut pids: Vec<Pid> = spec.children.iter().map(|c| start(me, c)).collect();
    let mut removed = vec![false; n];
    let mut history: VecDeque<Instant> = VecDeque::new();
    let window = Duration::from_secs(spec.max_seconds.max(0) as u64);
    let mut later: Vec<(Pid, Option<String>)> = Vec::new();
    let outcome = loop {
        let signal = if later.is_empty() {
            next_signal(me, None)
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
                terminate(me, pids[j], spec.children[j].shutdown, &mut later);
                pids[j] = 0;
            }
        }
        for &j in &group {
            pids[j] = start(me, &spec.children[j]);
        }
    };
    // ending: the children go first, in reverse start order
    for j in (0..n).rev() {
        if pids[j] != 0 {
            terminate(me, pids[j], spec.children[j].shutdown, &mut later);
        }
    }
    if let Some(why) = &outcome {
        crate::elog!("error: supervisor <0.{}> shut down: {why}", me.pid);
    }
    for c in &spec.children {
        let _ = &c.id;
        // SAFETY: the spec's reference to each start closure.
        unsafe { mesh_rt_drop(c.start as *mut u8) };
    }
    outcome
}
