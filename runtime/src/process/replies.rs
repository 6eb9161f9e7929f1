//! Replies (spec 04 §12.3, §14): a service call owes its caller one reply under a call
//! id, a job owes its starter its result; the caller waits for that reply only, so other
//! messages stay in its mailbox. A process that ends owing replies fails those calls.

use super::mailbox::{copy_for, me_pub as me, wake};
use super::proc::{located, Msg};
use super::run::{suspend, Suspend};
use super::Pid;
use crate::library::obj;
use crate::strings::new_str;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

/// Call ids: a random prefix (bits 55–32) per program, so that the ids of callers on
/// different nodes do not meet at one service, then a counter.
static NEXT_CALL: std::sync::LazyLock<AtomicI64> = std::sync::LazyLock::new(|| {
    let salt = (uuid::Uuid::new_v4().as_u128() as i64) & 0xFF_FFFF;
    AtomicI64::new((salt << 32) | 1)
});

/// How long a service call waits for its reply (as Elixir's `GenServer.call`).
pub const CALL_TIMEOUT: Duration = Duration::from_millis(5000);

pub(crate) fn deliver_reply(caller: Pid, id: i64, reply: Result<Msg, String>) {
    if let Some(r) = super::remote(caller) {
        // a reply in words is sent by `mesh_rt_reply` itself; this is a failure
        match reply {
            Ok(m) => m.discard(),
            Err(why) => r.reply(caller, id, Err(&why)),
        }
        return;
    }
    let Some(p) = super::registry::lookup(caller) else {
        if let Ok(m) = reply {
            m.discard();
        }
        return;
    };
    let mut inner = p.lock();
    if inner.exited {
        drop(inner);
        if let Ok(m) = reply {
            m.discard();
        }
        return;
    }
    let wanted = inner.awaiting == Some(id);
    inner.replies.insert(id, reply);
    if wanted {
        wake(&p, inner, true);
    }
}

/// A service call starts: a new call id that `pid` owes a reply to. Calling an ended
/// process fails at `Process.await_reply`.
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_call_id(pid: Pid) -> i64 {
    let id = NEXT_CALL.fetch_add(1, Ordering::Relaxed);
    let caller = me().pid;
    if let Some(r) = super::remote(pid) {
        r.call(caller, pid, id);
        return id;
    }
    owe(pid, id, caller);
    id
}

/// Process `to` owes `caller` (of this node or another) the reply to call `id`; the
/// call fails at once, as "it is not running", when there is no such process.
pub(crate) fn owe(to: Pid, id: i64, caller: Pid) {
    let owed = super::registry::lookup(to).is_some_and(|t| {
        let mut inner = t.lock();
        if inner.exited {
            return false;
        }
        inner.owed.push((id, caller));
        true
    });
    if !owed {
        deliver_reply(caller, id, Err("it is not running".into()));
    }
}

/// A service answers call `id` with `word` (copied for the caller).
///
/// # Safety
/// When `counted`, `word` is a live cell.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_reply(id: i64, word: u64, counted: i64, reply_type: *const u8) {
    let me = me();
    let caller = {
        let mut inner = me.lock();
        match inner.owed.iter().position(|(i, _)| *i == id) {
            Some(k) => inner.owed.remove(k).1,
            None => return,
        }
    };
    let counted = counted != 0;
    if let Some(r) = super::remote(caller) {
        return r.reply(caller, id, Ok((word, counted, reply_type)));
    }
    // SAFETY: forwarded contract.
    let word = unsafe { copy_for(caller, word, counted) };
    deliver_reply(caller, id, Ok(Msg { word, counted }));
}

/// Waits (until `deadline`, if any) for the reply to call `id`: `None` on timeout.
fn wait_reply(id: i64, deadline: Option<Instant>) -> Option<Result<Msg, String>> {
    let me = me();
    loop {
        let mut inner = me.lock();
        if let Some(r) = inner.replies.remove(&id) {
            return Some(r);
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            return None;
        }
        // queued messages and other replies are not what this wait is for
        inner.skip = inner.queue.len();
        inner.awaiting = Some(id);
        drop(inner);
        suspend(me, Suspend::Wait(deadline));
        let mut inner = me.lock();
        inner.skip = 0;
        inner.awaiting = None;
    }
}

/// No process owes `caller` the reply `id` any more (it gave up waiting).
fn forget_owed(id: i64, caller: Pid, owner: Option<Pid>) {
    match owner.and_then(super::registry::lookup) {
        Some(p) => p.lock().owed.retain(|(i, c)| !(*i == id && *c == caller)),
        None => {
            for p in super::registry::all() {
                p.lock().owed.retain(|(i, c)| !(*i == id && *c == caller));
            }
        }
    }
}

/// Waits for the reply to call `id`; a runtime error when the service ended first or
/// did not answer within `CALL_TIMEOUT` (its late reply is then dropped).
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_await_reply(id: i64, _counted: i64) -> u64 {
    match wait_reply(id, Some(Instant::now() + CALL_TIMEOUT)) {
        Some(Ok(m)) => m.word,
        Some(Err(why)) => super::proc::fail(&located(&format!("service call failed: {why}"))),
        None => {
            forget_owed(id, me().pid, None);
            if let Some(Ok(m)) = wait_reply(id, Some(Instant::now())) {
                return m.word;
            }
            super::proc::fail(&located(&format!(
                "service call timed out: no reply within {} ms",
                CALL_TIMEOUT.as_millis()
            )))
        }
    }
}

/// `Job.async`'s start: a process running `thunk` (borrowed, copied), which owes the
/// caller a reply under its own pid. `_result` only types the job (stdlib/job.mpl).
///
/// # Safety
/// `thunk` is a live closure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_job(thunk: *mut u8, _result: *mut u8) -> Pid {
    // SAFETY: forwarded contract.
    unsafe { super::sched::spawn_thunk(thunk, Some(me().pid)) }
}

/// The job's result, for the process that started it.
///
/// # Safety
/// As `mesh_rt_reply`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_finish_job(word: u64, counted: i64) {
    // SAFETY: forwarded contract.
    unsafe { mesh_rt_reply(me().pid, word, counted, std::ptr::null()) }
}

/// `Job.await(job)` (`timeout_ms` < 0) and `Job.await_timeout`: `Ok(result)`,
/// `Err(reason)` when the job crashed, `Err("timeout")`.
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_await_job(job: Pid, timeout_ms: i64, counted: i64) -> *mut u8 {
    let deadline =
        (timeout_ms >= 0).then(|| Instant::now() + Duration::from_millis(timeout_ms as u64));
    let r = wait_reply(job, deadline).or_else(|| {
        // give up on the job: it no longer owes this process its result
        forget_owed(job, me().pid, Some(job));
        wait_reply(job, Some(Instant::now()))
    });
    match r {
        Some(Ok(m)) => obj(0, &[m.word], counted as u64 & 1),
        Some(Err(why)) => obj(1, &[new_str(why.as_bytes()) as u64], 1),
        None => obj(1, &[new_str(b"timeout") as u64], 1),
    }
}
