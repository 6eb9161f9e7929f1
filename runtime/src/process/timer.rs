//! Time (spec 04 §13): `Timer.sleep`, `Timer.send_after`, and the deadlines of timed
//! waits. Timers are tokio timers of the worker's runtime; one that fires wakes the
//! process only if it still waits the same wait.

use super::mailbox::{copy_for, deliver, wake};
use super::proc::{current, Msg, Process, State};
use super::run::{suspend, Suspend};
use super::sched::{active_dec, active_inc};
use super::Pid;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Makes `p` runnable at `at` if it is still in its wait number `gen` then.
pub(crate) fn wake_at(p: &Arc<Process>, at: Instant, gen: u64) {
    let p = p.clone();
    tokio::task::spawn_local(async move {
        tokio::time::sleep_until(at.into()).await;
        let mut inner = p.lock();
        if inner.state == Some(State::Waiting) && inner.wait_gen == gen {
            inner.timed_out = true;
            wake(&p, inner, false);
        }
    });
}

/// `Timer.sleep(ms)`: suspends only the calling process.
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_sleep(ms: i64) {
    if ms <= 0 {
        return;
    }
    let until = Instant::now() + Duration::from_millis(ms as u64);
    match current() {
        Some(p) => {
            while Instant::now() < until {
                suspend(p, Suspend::Sleep(until));
            }
        }
        None => std::thread::sleep(until - Instant::now()),
    }
}

/// `Timer.send_after(pid, ms, message)`: the message is copied now (and its type
/// checked, as `send`'s), delivered later.
///
/// # Safety
/// When `counted`, `word` is a live cell; `message_type` is null or a live string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_send_after(
    pid: Pid,
    ms: i64,
    word: u64,
    counted: i64,
    message_type: *const u8,
) {
    let counted = counted != 0;
    if let Some(r) = super::remote(pid) {
        // SAFETY: forwarded contract.
        return unsafe { send_after_remote(r, pid, ms, word, counted, message_type) };
    }
    if let Some(p) = super::registry::lookup(pid) {
        // SAFETY: forwarded contract.
        unsafe { super::mailbox::check_type(&p, message_type) };
    }
    // SAFETY: forwarded contract.
    let word = unsafe { copy_for(pid, word, counted) };
    let msg = Msg { word, counted };
    active_inc();
    let at = Instant::now() + Duration::from_millis(ms.max(0) as u64);
    let deliver_then = move || {
        match super::registry::lookup(pid) {
            Some(p) => deliver(&p, msg),
            None => msg.discard(),
        }
        active_dec();
    };
    if current().is_some() {
        tokio::task::spawn_local(async move {
            tokio::time::sleep_until(at.into()).await;
            deliver_then();
        });
    } else {
        super::sched::spawn_task(Box::new(move || {
            tokio::task::spawn_local(async move {
                tokio::time::sleep_until(at.into()).await;
                deliver_then();
            });
        }));
    }
}

/// `Timer.send_after` to a pid of another node: a copy now, handed to the hook later.
///
/// # Safety
/// As `mesh_rt_send_after`'s.
unsafe fn send_after_remote(
    r: &'static dyn super::Remote,
    pid: Pid,
    ms: i64,
    word: u64,
    counted: bool,
    message_type: *const u8,
) {
    // SAFETY: forwarded contract (no local process: a free-standing copy).
    let msg = Msg {
        word: unsafe { copy_for(pid, word, counted) },
        counted,
    };
    let ty = message_type as usize;
    let at = Instant::now() + Duration::from_millis(ms.max(0) as u64);
    active_inc();
    let fire = move || {
        tokio::task::spawn_local(async move {
            tokio::time::sleep_until(at.into()).await;
            if let Err(why) = r.send(pid, msg.word, msg.counted, ty as *const u8) {
                crate::elog!("error: Timer.send_after: {why}");
            }
            msg.discard();
            active_dec();
        });
    };
    if current().is_some() {
        fire();
    } else {
        super::sched::spawn_task(Box::new(fire));
    }
}

/// `Timer.monotonic_us()`: microseconds since the first call's process start point.
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_monotonic_us() -> i64 {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_micros() as i64
}
