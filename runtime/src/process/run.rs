//! Running a process: its coroutine on the worker's shared stack (copied in before a
//! resume and out after a suspension, `stack.rs`), what a suspension asks for, the
//! thread-local slots compiled code reads (the stack limit, which the preemption
//! monitor lowers, and the call site), and the `terminate` closure run at the end.

use super::proc::{Process, CURRENT};
use super::stack;
use corosensei::{Coroutine, CoroutineResult, Yielder};
use std::cell::Cell;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

/// What a process suspends for.
pub(crate) enum Suspend {
    /// The time slice is used up.
    Preempt,
    /// Wait for a message (or what `Inner::has_news` covers), or until the deadline.
    Wait(Option<Instant>),
    /// Wait for a future of this process (`await_future`): as `Wait(None)`, but the
    /// process still counts as able to run (its own I/O keeps the program alive).
    Io,
    Sleep(Instant),
    /// A runtime error ended the process.
    Crash,
}

/// What a new process runs.
pub(crate) enum Entry {
    /// A zero-argument Mesh closure (owned).
    Thunk(usize),
    /// Rust code given a Mesh closure copied into the process (0: none); it returns the
    /// process's abnormal exit reason, if any.
    Native(Box<dyn FnOnce(usize) -> Option<String> + Send>, usize),
}

/// How a resume ended.
pub(crate) enum Resumed {
    /// Preempted, or about to run its `terminate` closure: run it again later.
    Again,
    /// Suspended in a wait.
    Wait {
        deadline: Option<Instant>,
        /// It waits for a message only (not for its own timer or I/O).
        idle: bool,
    },
    /// It ended (with this abnormal reason, if any).
    Ended(Option<String>),
}

/// A process's coroutine and what it needs between resumes.
pub(crate) struct Running {
    entry: Option<Entry>,
    /// Returns why the process ended abnormally, if it did.
    co: Option<Coroutine<(), Suspend, Option<String>, stack::SharedStack>>,
    /// The used part of the stack while the process is suspended.
    saved: Vec<u8>,
    /// Running the `terminate` closure; the process's own exit reason.
    terminating: Option<Option<String>>,
}

impl Running {
    pub(crate) fn new(entry: Entry) -> Running {
        Running {
            entry: Some(entry),
            co: None,
            saved: Vec::new(),
            terminating: None,
        }
    }

    /// The coroutine is abandoned, never unwound: its frames are Mesh code and runtime
    /// frames that own no Rust values needing `Drop` (a thunk captures plain words).
    fn abandon(&mut self) {
        if let Some(mut co) = self.co.take() {
            if co.started() && !co.done() {
                // SAFETY: see above.
                unsafe { co.force_reset() };
            }
            let _ = co.into_stack();
        }
        self.saved = Vec::new();
    }

    /// A closure never called (killed before it ran) is given back.
    fn drop_entry(&mut self) {
        if let Some(Entry::Thunk(t)) = self.entry.take() {
            // SAFETY: the copied closure is ours.
            unsafe { crate::memory::mesh_rt_drop(t as *mut u8) };
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.abandon();
        self.drop_entry();
    }
}

pub(crate) fn suspend(p: &Process, s: Suspend) {
    // the scheduler copies the stack out from here (`stack.rs`)
    p.suspended_sp
        .store(stack::current_sp() - stack::SWITCH_SLACK, Ordering::Relaxed);
    let y = p.yielder.load(Ordering::Relaxed) as *const Yielder<(), Suspend>;
    // SAFETY: set by the coroutine of `p`, which is the one running this code.
    unsafe { (*y).suspend(s) }
}

/// Thread-local state compiled code reads: `[call site, stack limit]`. The limit is the
/// running process's stack limit, 0 outside processes, or `PREEMPT` when the monitor
/// asks the running process to let others run (`insert-yield-points`).
pub(crate) fn tls() -> *mut i64 {
    #[cfg(not(test))]
    {
        unsafe extern "C" {
            /// Emitted by codegen: the address of this thread's `@mesh_tls_slots`.
            fn mesh_tls() -> *mut i64;
        }
        // SAFETY: a plain accessor generated with the program.
        unsafe { mesh_tls() }
    }
    #[cfg(test)]
    {
        thread_local! {
            static T: std::cell::UnsafeCell<[i64; 2]> = const { std::cell::UnsafeCell::new([0; 2]) };
        }
        T.with(|t| t.get() as *mut i64)
    }
}

/// The location (`file:line:col`, a Mesh string) of this thread's latest call from user
/// code into the library (generated code stores it before such calls); null before.
pub fn call_site() -> *const u8 {
    // SAFETY: this thread's slot.
    unsafe { *tls() as *const u8 }
}

/// A limit no stack pointer is above (compared unsigned): the next check calls
/// `mesh_rt_check`.
pub(crate) const PREEMPT: i64 = -1;

/// This thread's stack-limit slot, shared with the monitor thread.
pub(crate) fn limit_slot() -> &'static AtomicI64 {
    // SAFETY: the slot is an aligned i64 that lives as long as the thread; compiled
    // code reads it with monotonic atomic loads.
    unsafe { &*(tls().add(1) as *const AtomicI64) }
}

thread_local! {
    /// The running process's real stack limit (while the slot may say `PREEMPT`).
    static LIMIT: Cell<i64> = const { Cell::new(0) };
}

/// Called by compiled code when the stack pointer is below this thread's limit: the
/// monitor asked for a yield (the process lets others run), or the stack is used up
/// (the process crashes).
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_check() {
    let Some(p) = super::proc::current() else {
        return;
    };
    if limit_slot().load(Ordering::Relaxed) == PREEMPT {
        limit_slot().store(LIMIT.with(|l| l.get()), Ordering::Relaxed);
        suspend(p, Suspend::Preempt);
        return;
    }
    super::proc::fail(
        "stack overflow: recursion too deep (only calls in tail position run in constant stack)",
    );
}

/// Calls the zero-argument closure `thunk` (owning it), whose result is a word (a pid
/// for spawn closures and supervisor start functions): emitted by codegen.
pub(crate) unsafe fn run_thunk(thunk: *mut u8) -> i64 {
    #[cfg(not(test))]
    {
        unsafe extern "C" {
            fn mesh_run_thunk(thunk: *mut u8) -> i64;
        }
        // SAFETY: forwarded contract.
        unsafe { mesh_run_thunk(thunk) }
    }
    #[cfg(test)]
    {
        let _ = thunk;
        0
    }
}

/// Resumes `p` (its worker's thread, `p` being this worker's): runs it until it
/// suspends or ends; `killed`, it ends now instead. `slot` is the monitor's view of
/// this worker.
pub(crate) fn resume(p: &Process, slot: &super::sched::Slot, killed: Option<String>) -> Resumed {
    // SAFETY: only this worker touches the cell, and not re-entrantly (a process never
    // resumes another).
    let cell = unsafe { &mut *p.run.0.get() };
    let Some(run) = cell.as_mut() else {
        return Resumed::Ended(Some("killed".into()));
    };
    if let Some(why) = killed {
        if run.terminating.is_none() {
            return finish(p, run, Some(why), true);
        }
    }
    let shared = stack::SharedStack::of_this_thread();
    let limit = shared.check_limit();
    if !run.saved.is_empty() {
        // SAFETY: the worker's stack is free between resumes (every process's part was
        // copied out when it suspended); this process's part goes back to the addresses
        // it came from.
        unsafe {
            let at = shared.top() - run.saved.len();
            stack::note_copied(at, run.saved.len());
            std::ptr::copy_nonoverlapping(run.saved.as_ptr(), at as *mut u8, run.saved.len());
        }
    }
    let entry = &mut run.entry;
    let co = run.co.get_or_insert_with(|| {
        let pp = p as *const Process as usize;
        let entry = entry.take().expect("a process starts once");
        Coroutine::with_stack(shared, move |y: &Yielder<(), Suspend>, ()| {
            // SAFETY: the scheduler keeps the process alive while it runs.
            let p = unsafe { &*(pp as *const Process) };
            p.yielder.store(y as *const _ as usize, Ordering::Relaxed);
            match entry {
                Entry::Thunk(thunk) => {
                    // SAFETY: the copied closure is ours.
                    unsafe { run_thunk(thunk as *mut u8) };
                    None
                }
                Entry::Native(body, clo) => body(clo),
            }
        })
    });
    CURRENT.with(|c| c.set(p));
    // one writer (this worker): no read-modify-write needed
    slot.resumes
        .store(slot.resumes.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
    slot.running.store(true, Ordering::Relaxed);
    LIMIT.with(|l| l.set(limit as i64));
    limit_slot().store(limit as i64, Ordering::Relaxed);
    let owner = crate::memory::set_owner(&p.cells);
    let r = co.resume(());
    crate::memory::set_owner(owner);
    limit_slot().store(0, Ordering::Relaxed);
    slot.running.store(false, Ordering::Relaxed);
    CURRENT.with(|c| c.set(std::ptr::null()));
    if let CoroutineResult::Yield(
        Suspend::Preempt | Suspend::Wait(_) | Suspend::Io | Suspend::Sleep(_),
    ) = r
    {
        // copy the used part out: the next process uses the same stack
        let from = p
            .suspended_sp
            .load(Ordering::Relaxed)
            .max(shared.bottom_limit());
        let len = shared.top() - from;
        stack::note_copied(from, stack::SWITCH_SLACK.min(len));
        run.saved.clear();
        run.saved.reserve_exact(len);
        // SAFETY: `[from, top)` is this worker's stack, just used by this process.
        unsafe {
            std::ptr::copy_nonoverlapping(from as *const u8, run.saved.as_mut_ptr(), len);
            run.saved.set_len(len);
        }
    }
    match r {
        CoroutineResult::Return(why) => finish(p, run, why, false),
        CoroutineResult::Yield(Suspend::Crash) => {
            let why = p.lock().crash.take();
            finish(p, run, why.or_else(|| Some("crashed".into())), true)
        }
        CoroutineResult::Yield(Suspend::Preempt) => Resumed::Again,
        CoroutineResult::Yield(Suspend::Sleep(at)) => Resumed::Wait {
            deadline: Some(at),
            idle: false,
        },
        CoroutineResult::Yield(Suspend::Wait(d)) => Resumed::Wait {
            deadline: d,
            idle: d.is_none(),
        },
        CoroutineResult::Yield(Suspend::Io) => Resumed::Wait {
            deadline: None,
            idle: false,
        },
    }
}

/// The process's body (or its `terminate` closure) ended: `why` is the abnormal
/// reason; `abandon`, its coroutine is suspended in the middle of Mesh code. The
/// `terminate` closure runs next in a coroutine of its own, with the process's own exit
/// reason (a crash inside `terminate` is swallowed).
fn finish(p: &Process, run: &mut Running, why: Option<String>, abandon: bool) -> Resumed {
    if abandon {
        run.abandon();
    } else if let Some(co) = run.co.take() {
        let _ = co.into_stack();
        run.saved = Vec::new();
    }
    run.drop_entry();
    let why = match run.terminating.take() {
        Some(own) => own,
        None => {
            let cleanup = std::mem::take(&mut p.lock().on_exit);
            if cleanup != 0 {
                run.entry = Some(Entry::Thunk(cleanup));
                run.terminating = Some(why);
                return Resumed::Again;
            }
            why
        }
    };
    Resumed::Ended(why)
}
