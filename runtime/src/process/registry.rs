//! The process table (pid → process) and the name registry (spec 04 §12:
//! `Process.register`, `Process.whereis`).

use super::proc::{arc_of, Process};
use super::Pid;
use crate::strings::as_str;
use dashmap::DashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, LazyLock};

type Hash = foldhash::fast::FixedState;

static PROCS: LazyLock<DashMap<Pid, Arc<Process>, Hash>> =
    LazyLock::new(|| DashMap::with_hasher(Hash::default()));
static NAMES: LazyLock<DashMap<String, Pid, Hash>> =
    LazyLock::new(|| DashMap::with_hasher(Hash::default()));

pub(crate) fn insert(p: &Arc<Process>) {
    PROCS.insert(p.pid, p.clone());
}

pub(crate) fn remove(pid: Pid) {
    PROCS.remove(&pid);
}

thread_local! {
    /// Processes this thread looked up lately, by `pid % 64` (a conversation sends to
    /// the same few pids over and over). An entry may outlive its process: its lock
    /// says `exited` then, and every user checks that.
    static RECENT: std::cell::RefCell<[Option<Arc<Process>>; 64]> =
        const { std::cell::RefCell::new([const { None }; 64]) };
}

/// The process `pid` of this node (it may have ended since: see `Inner::exited`).
pub fn lookup(pid: Pid) -> Option<Arc<Process>> {
    let k = (pid & 63) as usize;
    let hit = RECENT.with(|r| r.borrow()[k].as_ref().filter(|p| p.pid == pid).cloned());
    if hit.is_some() {
        return hit;
    }
    let found = PROCS.get(&pid).map(|p| p.clone());
    if let Some(p) = &found {
        RECENT.with(|r| r.borrow_mut()[k] = Some(p.clone()));
    }
    found
}

/// Every listed process.
pub(crate) fn all() -> Vec<Arc<Process>> {
    PROCS.iter().map(|p| p.clone()).collect()
}

/// Lists `p` in the table if it is not yet (a connection's process whose pid is about
/// to be seen: replies, links, `self()` must find it).
pub(crate) fn ensure_listed(p: &Process) {
    if !p.listed.swap(true, Ordering::Relaxed) {
        PROCS.insert(p.pid, arc_of(p));
    }
}

/// The pid registered under `name`, or 0.
pub fn whereis_name(name: &str) -> Pid {
    NAMES.get(name).map_or(0, |p| *p)
}

/// Removes the names `pid` holds (it ended).
pub(crate) fn unregister_all(pid: Pid, names: Vec<String>) {
    for n in names {
        NAMES.remove_if(&n, |_, v| *v == pid);
    }
}

/// `Process.register(name, pid)`: 0, or 1 when the name is taken or empty, or the
/// process does not exist.
///
/// # Safety
/// `name` is a live string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_register(name: *const u8, pid: Pid) -> i64 {
    // SAFETY: forwarded contract.
    let name = unsafe { as_str(name) }.to_string();
    let Some(p) = lookup(pid) else {
        return 1;
    };
    if name.is_empty() {
        return 1;
    }
    let mut inner = p.lock();
    if inner.exited {
        return 1;
    }
    match NAMES.entry(name.clone()) {
        dashmap::Entry::Occupied(_) => 1,
        dashmap::Entry::Vacant(v) => {
            v.insert(pid);
            inner.names.push(name);
            0
        }
    }
}

/// `Process.whereis(name)`: the pid registered under `name`, or 0.
///
/// # Safety
/// `name` is a live string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_whereis(name: *const u8) -> Pid {
    // SAFETY: forwarded contract.
    whereis_name(unsafe { as_str(name) })
}
