//! Exits, links, monitors and signals (spec 04 §10–§11): what happens when a process
//! ends, who is told and how.

use super::mailbox::{me_pub as me, wake};
use super::proc::{Process, Sig, State};
use super::replies::deliver_reply;
use super::Pid;
use crate::memory::mesh_rt_drop;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Exit processing (spec 04 §10): links told (`crash`: the abnormal exit reason),
/// monitors told, names removed, mailbox discarded, callers owed a reply failed, the
/// client's extension told. Runs on the process's worker after its last resume.
pub(crate) fn exit(p: &Arc<Process>, crash: Option<String>) {
    if p.listed.load(Ordering::Relaxed) {
        super::registry::remove(p.pid);
    }
    // everything at once: from now on messages to it are discarded
    let mut inner = p.lock();
    if inner.exited {
        return;
    }
    inner.exited = true;
    inner.state = Some(State::Done);
    let links = std::mem::take(&mut inner.links);
    let monitors = std::mem::take(&mut inner.monitors);
    let watching = std::mem::take(&mut inner.watching);
    let queue = std::mem::take(&mut inner.queue);
    let names = std::mem::take(&mut inner.names);
    let owed = std::mem::take(&mut inner.owed);
    let replies = std::mem::take(&mut inner.replies);
    let idle = inner.idle;
    drop(inner);
    // SAFETY: called on the process's worker, after its last resume.
    drop(unsafe { (*p.run.0.get()).take() });
    for l in links {
        match super::remote(l) {
            Some(r) => r.exit(p.pid, l, crash.as_deref()),
            None => {
                if let Some(q) = super::registry::lookup(l) {
                    signal(&q, p.pid, crash.clone());
                }
            }
        }
    }
    for (r, watcher) in monitors {
        let why = crash.clone().unwrap_or_else(|| "normal".into());
        down(watcher, r, p.pid, why);
    }
    for (r, target) in watching {
        if let Some(t) = super::registry::lookup(target) {
            t.lock().monitors.retain(|(x, _)| *x != r);
        }
    }
    let ext = p.ext.lock().unwrap_or_else(|e| e.into_inner()).take();
    if let Some(e) = ext {
        e.exited(p.pid, crash.as_deref());
    }
    super::registry::unregister_all(p.pid, names);
    for m in queue {
        m.discard();
    }
    for (_, r) in replies {
        if let Ok(m) = r {
            m.discard();
        }
    }
    // callers waiting for this process's replies fail instead of waiting for ever
    if !owed.is_empty() {
        let why = crash.unwrap_or_else(|| "it ended before replying".into());
        for (id, caller) in owed {
            deliver_reply(caller, id, Err(why.clone()));
        }
    }
    if idle {
        super::sched::idle_add(-1);
    } else {
        super::sched::active_dec();
    }
    if p.is_main {
        super::sched::main_done();
    }
}

/// Process `from` ended (`why`: abnormally) and `p` is linked to it (spec 04 §11): a
/// trapping process gets a signal; another ends too when the reason is abnormal.
pub fn signal(p: &Process, from: Pid, why: Option<String>) {
    let mut inner = p.lock();
    if inner.exited {
        return;
    }
    inner.links.retain(|l| *l != from);
    if inner.trap {
        inner.signals.push_back(Sig::Exit(from, why));
    } else if let Some(why) = why {
        if why == "shutdown" || inner.kill.is_some() {
            return;
        }
        inner.kill = Some(format!("linked process <0.{from}> ended: {why}"));
    } else {
        return;
    }
    wake(p, inner, false);
}

/// Tells `watcher` that the process `pid` it monitors (reference `r`) ended.
pub fn down(watcher: Pid, r: i64, pid: Pid, why: String) {
    if let Some(remote) = super::remote(watcher) {
        return remote.down(watcher, r, pid, &why);
    }
    if let Some(w) = super::registry::lookup(watcher) {
        let mut inner = w.lock();
        if inner.exited {
            return;
        }
        inner.watching.retain(|(x, _)| *x != r);
        inner.signals.push_back(Sig::Down(r, pid, why));
        wake(&w, inner, false);
    }
}

/// Tells `watcher` that a peer named `name` came up or went away (`NodeUp` /
/// `NodeDown`); the core does not know what a peer is, its clients do.
pub fn peer_signal(watcher: Pid, up: bool, name: &str) {
    if let Some(w) = super::registry::lookup(watcher) {
        let mut inner = w.lock();
        if inner.exited {
            return;
        }
        inner.signals.push_back(Sig::Peer(up, name.to_string()));
        wake(&w, inner, false);
    }
}

static NEXT_MONITOR: AtomicI64 = AtomicI64::new(1);

/// `Process.monitor(pid)`: a reference (> 0); when `pid` ends, the caller gets
/// `Down(reference, pid, reason)` (at once, with "noproc", if it already has).
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_monitor(pid: Pid) -> i64 {
    let r = NEXT_MONITOR.fetch_add(1, Ordering::Relaxed);
    let me = me();
    if let Some(remote) = super::remote(pid) {
        me.lock().watching.push((r, pid));
        remote.monitor(me.pid, pid, r);
        return r;
    }
    let alive = super::registry::lookup(pid).is_some_and(|t| {
        let mut inner = t.lock();
        if inner.exited {
            return false;
        }
        inner.monitors.push((r, me.pid));
        true
    });
    if alive {
        me.lock().watching.push((r, pid));
    } else {
        down(me.pid, r, pid, "noproc".into());
    }
    r
}

/// `Process.demonitor(reference)`: 0 when removed, 1 when unknown.
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_demonitor(r: i64) -> i64 {
    let me = me();
    let target = {
        let mut inner = me.lock();
        match inner.watching.iter().position(|(x, _)| *x == r) {
            Some(k) => inner.watching.remove(k).1,
            None => return 1,
        }
    };
    if let Some(t) = super::registry::lookup(target) {
        t.lock().monitors.retain(|(x, _)| *x != r);
    }
    0
}

/// Registers the running actor's `terminate` closure (borrowed): `lower-actors` puts
/// this call first in the spawn closure of an actor that has one.
///
/// # Safety
/// `cleanup` is a live zero-argument closure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_on_exit(cleanup: *mut u8) {
    let Some(p) = super::proc::current() else {
        return;
    };
    // SAFETY: forwarded contract; the process keeps its own reference.
    unsafe { crate::memory::mesh_rt_dup(cleanup) };
    let old = std::mem::replace(&mut p.lock().on_exit, cleanup as usize);
    if old != 0 {
        // SAFETY: the reference the process kept.
        unsafe { mesh_rt_drop(old as *mut u8) };
    }
}

/// `Process.trap_exits(on)`: exits of linked processes become `Exit` signals instead
/// of ending this one (spec 04 §11).
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_trap_exits(on: u8) {
    me().lock().trap = on != 0;
}

/// Ends process `pid` at its next suspension with reason `why` (a supervisor's
/// shutdown, spec 04 §9.2).
pub fn kill(pid: Pid, why: &str) {
    if let Some(p) = super::registry::lookup(pid) {
        let mut inner = p.lock();
        if inner.exited || inner.kill.is_some() {
            return;
        }
        inner.kill = Some(why.to_string());
        wake(&p, inner, false);
    }
}

/// Ends the calling process's work on behalf of a client (`exit(reason)` of spec 04 as
/// the runtime's own code uses it): the same as being killed.
pub fn exit_process(pid: Pid, why: &str) {
    kill(pid, why)
}

/// Links the calling process and `pid` (spec 04 §11); a no-op for an ended process,
/// and from `main` (spec 04 §1: `main` is the program's thread, not an actor; a crash
/// elsewhere does not end it).
pub(crate) fn link(me: &Process, pid: Pid) {
    if me.is_main {
        return;
    }
    super::registry::ensure_listed(me);
    if let Some(r) = super::remote(pid) {
        me.lock().links.push(pid);
        return r.link(me.pid, pid);
    }
    let Some(q) = super::registry::lookup(pid) else {
        return;
    };
    {
        let mut inner = q.lock();
        if inner.exited {
            return;
        }
        inner.links.push(me.pid);
    }
    me.lock().links.push(pid);
}

/// `link(pid)`.
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_link(pid: Pid) {
    if let Some(me) = super::proc::current() {
        link(me, pid);
    }
}

/// The next exit signal of the calling process (which traps exits), waiting for one
/// until `deadline`: (pid, abnormal reason). For supervisors.
pub fn next_exit_signal(deadline: Option<std::time::Instant>) -> Option<(Pid, Option<String>)> {
    let me = me();
    loop {
        loop {
            match me.lock().signals.pop_front() {
                Some(Sig::Exit(pid, why)) => return Some((pid, why)),
                Some(Sig::Down(..) | Sig::Peer(..)) => continue,
                None => break,
            }
        }
        if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
            return None;
        }
        me.lock().wants_signals = true;
        super::run::suspend(me, super::run::Suspend::Wait(deadline));
        me.lock().wants_signals = false;
    }
}

/// Traps exits in the calling process (for supervisors, which are Rust code).
pub fn trap_exits() {
    me().lock().trap = true;
}

/// Links the calling process to `pid` (for supervisors).
pub fn link_to(pid: Pid) {
    link(me(), pid)
}
