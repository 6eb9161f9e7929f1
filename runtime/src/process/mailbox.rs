//! Mailboxes (spec 04 §5–§7): `send` copies a message into the receiver's queue and
//! wakes it; `receive` takes the oldest message, a selective `receive` the oldest one
//! its patterns accept, a `receive` with signal arms also signals.

use super::proc::{arc_of, current, Msg, Process, State};
use super::run::{suspend, Suspend};
use super::sched::{active_inc, enqueue};
use super::Pid;
use crate::library::obj;
use crate::memory::mesh_rt_drop;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Wakes `p` if it waits (something it may want arrived); the caller holds `p`'s lock
/// as `inner`. `handoff`: the waker is about to wait itself, so `p` runs next on a
/// shared worker.
pub(crate) fn wake(
    p: &Process,
    mut inner: super::lock::Guard<'_, super::proc::Inner>,
    handoff: bool,
) {
    if inner.state != Some(State::Waiting) {
        return;
    }
    inner.state = Some(State::Queued);
    let was_idle = std::mem::take(&mut inner.idle);
    drop(inner);
    if was_idle {
        super::sched::idle_add(-1);
        active_inc();
    }
    enqueue(arc_of(p), handoff);
}

/// Queues `m` for `p` (discarded when `p` has ended).
pub(crate) fn deliver(p: &Process, m: Msg) {
    let mut inner = p.lock();
    if inner.exited {
        drop(inner);
        return m.discard();
    }
    inner.queue.push_back(m);
    wake(p, inner, true);
}

/// A deep copy of `word` whose cells are charged to `to` (they are its from now on).
///
/// # Safety
/// As `copy::deep_copy`.
pub(crate) unsafe fn copy_to(to: &Process, word: u64, counted: bool) -> u64 {
    let owner = crate::memory::set_owner(&to.cells);
    // SAFETY: forwarded contract.
    let w = unsafe { super::copy::deep_copy(word, counted) };
    crate::memory::set_owner(owner);
    w
}

/// A deep copy for process `pid` (charged to nobody when it does not exist).
///
/// # Safety
/// As `copy::deep_copy`.
pub(crate) unsafe fn copy_for(pid: Pid, word: u64, counted: bool) -> u64 {
    match super::registry::lookup(pid) {
        // SAFETY: forwarded contract.
        Some(p) => unsafe { copy_to(&p, word, counted) },
        None => {
            let owner = crate::memory::set_owner(std::ptr::null());
            // SAFETY: forwarded contract.
            let w = unsafe { super::copy::deep_copy(word, counted) };
            crate::memory::set_owner(owner);
            w
        }
    }
}

/// A message of the type named `sent` (an immortal string from the compiler, or null;
/// empty when the compiler did not know it) may go to `p`: the type `p` receives is
/// unknown, or has the same name. Otherwise the
/// send fails, naming both types — a pid that lost its type (`Process.whereis`, an
/// untyped `Pid`) must not make the receiver read a value of another type.
///
/// # Safety
/// `sent` is null or a live string.
pub(crate) unsafe fn check_type(p: &Process, sent: *const u8) {
    let wants = p.msg_type.load(Ordering::Relaxed) as *const u8;
    if wants.is_null() || sent.is_null() || wants == sent {
        return;
    }
    // SAFETY: both are strings (the compiler's immortal literals).
    let (wants, sent) = unsafe { (crate::strings::as_str(wants), crate::strings::as_str(sent)) };
    // an empty name: the compiler did not know the type
    // a descriptor: the name, then (U+001F) the schema the distribution layer uses
    fn name(t: &str) -> &str {
        t.split('\u{1f}').next().unwrap_or(t)
    }
    let (wants, sent) = (name(wants), name(sent));
    if !wants.is_empty() && !sent.is_empty() && wants != sent {
        // a service's message type (`lower-actors`) is named by its service
        let what = |t: &str| match t.strip_suffix("__Msg") {
            Some(service) => format!("`{service}` service calls"),
            None => format!("`{t}` messages"),
        };
        super::proc::fail(&super::proc::located(&format!(
            "send: process <0.{}> receives {}, not {}",
            p.pid,
            what(wants),
            what(sent)
        )));
    }
}

/// `send`: copies `word` (a counted pointer when `counted` is 1) into `pid`'s mailbox.
/// Sending to an ended process does nothing (spec 04 §5); a pid of another node goes
/// to the distribution layer. `message_type` names the message's type (`check_type`).
///
/// # Safety
/// When `counted`, `word` is a live cell; `message_type` is null or a live string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_send(pid: Pid, word: u64, counted: i64, message_type: *const u8) {
    let counted = counted != 0;
    if let Some(r) = super::remote(pid) {
        if let Err(why) = r.send(pid, word, counted, message_type) {
            super::fail(&format!("send: {why}"));
        }
        return;
    }
    let Some(p) = super::registry::lookup(pid) else {
        return;
    };
    // SAFETY: forwarded contract.
    unsafe { check_type(&p, message_type) };
    // SAFETY: forwarded contract.
    let word = unsafe { copy_to(&p, word, counted) };
    deliver(&p, Msg { word, counted });
}

/// The calling process; `receive` outside processes is a compile error, and library
/// code reaching here without one is a runtime error.
fn me() -> &'static Process {
    match current() {
        Some(p) => {
            super::registry::ensure_listed(p);
            p
        }
        None => super::proc::fail("internal error: process operations need a process"),
    }
}

pub(crate) fn me_pub() -> &'static Process {
    me()
}

fn deadline_of(timeout_ms: i64) -> Option<Instant> {
    (timeout_ms > 0).then(|| Instant::now() + Duration::from_millis(timeout_ms as u64))
}

/// `receive`: the oldest message as `Some(message)`, or `None` after `timeout_ms`
/// (negative: wait for ever; 0: only a message already there).
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_receive(timeout_ms: i64, counted: i64) -> *mut u8 {
    let deadline = deadline_of(timeout_ms);
    let p = me();
    loop {
        if let Some(m) = p.lock().queue.pop_front() {
            return obj(0, &[m.word], counted as u64 & 1);
        }
        if timeout_ms == 0 || deadline.is_some_and(|d| Instant::now() >= d) {
            return obj(1, &[], 0);
        }
        suspend(p, Suspend::Wait(deadline));
    }
}

#[cfg(not(test))]
unsafe extern "C" {
    // Generated by the compiler in every program (passes/src/codegen.rs): call the
    // matcher closure `c` (whose code owns `c` and `m`) on a message word; 0 or 1.
    fn mesh_match_int(c: *mut u8, m: u64) -> i64;
    fn mesh_match_float(c: *mut u8, m: u64) -> i64;
    fn mesh_match_bool(c: *mut u8, m: u64) -> i64;
    fn mesh_match_ptr(c: *mut u8, m: u64) -> i64;
    fn mesh_match_unit(c: *mut u8, m: u64) -> i64;
}

/// Whether the matcher closure `matcher` accepts message `word` (of `kind`, a
/// `library::SORT_*` constant); `word` stays the mailbox's.
fn matches(matcher: *mut u8, word: u64, kind: i64) -> bool {
    #[cfg(not(test))]
    {
        use crate::library::{SORT_BOOL, SORT_COUNTED, SORT_FLOAT, SORT_INT};
        // SAFETY: the closure's code consumes one reference to itself and to a counted
        // message: both are taken here for it.
        unsafe {
            crate::memory::mesh_rt_dup(matcher);
            if kind == SORT_COUNTED {
                crate::memory::mesh_rt_dup(word as *mut u8);
            }
            (match kind {
                SORT_INT => mesh_match_int(matcher, word),
                SORT_FLOAT => mesh_match_float(matcher, word),
                SORT_BOOL => mesh_match_bool(matcher, word),
                SORT_COUNTED => mesh_match_ptr(matcher, word),
                _ => mesh_match_unit(matcher, word),
            }) != 0
        }
    }
    #[cfg(test)]
    {
        let _ = (matcher, word, kind);
        true
    }
}

/// A selective `receive` (issue 6): the oldest message the matcher closure (the arms'
/// patterns and guards, borrowed) accepts, as `Some(message)`; the others stay queued,
/// in order. `None` after `timeout_ms` as `mesh_rt_receive`.
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_receive_matching(
    timeout_ms: i64,
    matcher: *mut u8,
    kind: i64,
) -> *mut u8 {
    let deadline = deadline_of(timeout_ms);
    let counted = (kind == crate::library::SORT_COUNTED) as u64;
    let p = me();
    let mut i = 0;
    loop {
        // only this process removes from its queue, so index `i` stays valid while
        // the matcher (Mesh code) runs without the lock
        loop {
            let word = match p.lock().queue.get(i) {
                Some(m) => m.word,
                None => break,
            };
            if matches(matcher, word, kind) {
                let m = p.lock().queue.remove(i).expect("a queued message");
                return obj(0, &[m.word], counted);
            }
            i += 1;
        }
        if timeout_ms == 0 || deadline.is_some_and(|d| Instant::now() >= d) {
            return obj(1, &[], 0);
        }
        p.lock().skip = i;
        suspend(p, Suspend::Wait(deadline));
        p.lock().skip = 0;
    }
}

/// A `receive` with signal arms: the oldest signal, or else the oldest message, that
/// the matcher (over `Received` values, borrowed) accepts, as `Recv__Signal(signal)` /
/// `Recv__Message(message)`; `Recv__Timeout` after `timeout_ms`. `counted`: messages
/// are counted pointers.
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_receive_signal(
    timeout_ms: i64,
    matcher: *mut u8,
    counted: i64,
) -> *mut u8 {
    use crate::library::SORT_COUNTED;
    let deadline = deadline_of(timeout_ms);
    let p = me();
    let mut i = 0;
    loop {
        let mut k = 0;
        loop {
            let sig = match p.lock().signals.get(k) {
                Some(s) => s.clone(),
                None => break,
            };
            let r = obj(1, &[sig.to_obj() as u64], 1);
            if matches(matcher, r as u64, SORT_COUNTED) {
                p.lock().signals.remove(k);
                return r;
            }
            // SAFETY: made above, ours.
            unsafe { mesh_rt_drop(r) };
            k += 1;
        }
        loop {
            let word = match p.lock().queue.get(i) {
                Some(m) => m.word,
                None => break,
            };
            if counted != 0 {
                // SAFETY: a queued message is a live cell; the wrapper holds this one.
                unsafe { crate::memory::mesh_rt_dup(word as *mut u8) };
            }
            let r = obj(0, &[word], counted as u64 & 1);
            if matches(matcher, r as u64, SORT_COUNTED) {
                let m = p.lock().queue.remove(i).expect("a queued message");
                m.discard();
                return r;
            }
            // SAFETY: made above, ours.
            unsafe { mesh_rt_drop(r) };
            i += 1;
        }
        if timeout_ms == 0 || deadline.is_some_and(|d| Instant::now() >= d) {
            return obj(2, &[], 0);
        }
        {
            let mut inner = p.lock();
            inner.skip = i;
            inner.wants_signals = true;
        }
        suspend(p, Suspend::Wait(deadline));
        let mut inner = p.lock();
        inner.skip = 0;
        inner.wants_signals = false;
    }
}

/// `self()`.
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_self() -> Pid {
    me().pid
}
