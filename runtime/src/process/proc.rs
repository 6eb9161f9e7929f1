//! A process and its mailbox: the state other threads may touch (under the process's
//! lock) and the state only its worker touches (its coroutine, `run.rs`).

use super::lock::{Guard, SpinLock};
use super::Pid;
use crate::library::obj;
use crate::memory::mesh_rt_drop;
use crate::strings::new_str;
use std::cell::{Cell, UnsafeCell};
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A signal (spec 04 §11): `Exit(pid, abnormal reason)` from a linked process,
/// `Down(reference, pid, reason)` from a monitored one, `Peer(up, name)` from whoever
/// watches the peers of this program (`NodeUp(name)` / `NodeDown(name)`).
#[derive(Clone)]
pub(crate) enum Sig {
    Exit(Pid, Option<String>),
    Down(i64, Pid, String),
    Peer(bool, String),
}

impl Sig {
    /// As the prelude's `Signal` value (`Exit` = tag 0, `Down` = tag 1, `NodeUp` = 2,
    /// `NodeDown` = 3).
    pub(crate) fn to_obj(&self) -> *mut u8 {
        match self {
            Sig::Exit(pid, why) => {
                let why = why.as_deref().unwrap_or("normal");
                obj(0, &[*pid as u64, new_str(why.as_bytes()) as u64], 0b10)
            }
            Sig::Down(r, pid, why) => obj(
                1,
                &[*r as u64, *pid as u64, new_str(why.as_bytes()) as u64],
                0b100,
            ),
            Sig::Peer(up, name) => obj(
                if *up { 2 } else { 3 },
                &[new_str(name.as_bytes()) as u64],
                0b1,
            ),
        }
    }
}

/// A message in a mailbox: a word the receiver owns (a counted pointer when `counted`).
pub(crate) struct Msg {
    pub word: u64,
    pub counted: bool,
}

// SAFETY: a message's cells were copied for the receiver; nobody else refers to them.
unsafe impl Send for Msg {}

impl Msg {
    pub(crate) fn discard(self) {
        if self.counted {
            // SAFETY: the mailbox owned this reference.
            unsafe { mesh_rt_drop(self.word as *mut u8) }
        }
    }
}

/// Where a process is in its scheduler's hands.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum State {
    /// In a run queue (not started yet, or ready to resume).
    Queued,
    /// Its worker is resuming it.
    Running,
    /// Suspended until something it waits for happens (a message, a timer, I/O).
    Waiting,
    /// Ended.
    Done,
}

/// Data a client of the core keeps with a process (a WebSocket connection's id, …),
/// told when the process ends.
pub trait Extension: Send + 'static {
    /// The process ended; `crashed` is the abnormal reason, if any.
    fn exited(self: Box<Self>, pid: Pid, crashed: Option<&str>);
    /// For `take_extension`.
    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any>;
}

pub struct Process {
    pub(crate) pid: Pid,
    /// The worker that runs it (fixed once it has started).
    pub(crate) home: AtomicUsize,
    pub(crate) inner: SpinLock<Inner>,
    /// The process's coroutine yielder (set when it first runs).
    pub(crate) yielder: AtomicUsize,
    /// Cells this process holds (allocated or received minus freed; `memory::count`).
    pub cells: AtomicI64,
    /// Where the stack's used part starts when the process last suspended.
    pub(crate) suspended_sp: AtomicUsize,
    /// In the process table (a connection's process is listed once its pid is used).
    pub(crate) listed: AtomicBool,
    /// `main`: its crash ends the program.
    pub(crate) is_main: bool,
    /// The coroutine and its saved stack: touched only by the home worker.
    pub(crate) run: RunCell,
    /// A client's data, with its exit hook.
    pub(crate) ext: Mutex<Option<Box<dyn Extension>>>,
    /// The name of the message type the process receives (an immortal string the
    /// compiler passes to `spawn`), or null when unknown (`main`, Rust processes).
    pub(crate) msg_type: AtomicPtr<u8>,
}

/// The coroutine of a process, owned by its worker's thread while it runs.
pub(crate) struct RunCell(pub UnsafeCell<Option<Box<super::run::Running>>>);

// SAFETY: only the process's home worker reads or writes the cell, one resume at a time
// (the scheduler's `Running` state guarantees it).
unsafe impl Sync for RunCell {}
// SAFETY: as above; the coroutine moves with the process only before it starts.
unsafe impl Send for RunCell {}

#[derive(Default)]
pub(crate) struct Inner {
    pub queue: VecDeque<Msg>,
    pub state: Option<State>,
    /// Blocked in a wait without a deadline (not counted in `ACTIVE`).
    pub idle: bool,
    pub exited: bool,
    pub names: Vec<String>,
    /// Replies to this process's service calls and jobs, by call id (`Err`: the
    /// process that owed it ended without replying, and why).
    pub replies: HashMap<i64, Result<Msg, String>, foldhash::fast::FixedState>,
    /// The call id (or job pid) the process waits for the reply to, if it does.
    pub awaiting: Option<i64>,
    /// Why the process crashed (the runtime error), once it has.
    pub crash: Option<String>,
    /// Linked processes (spec 04 §11).
    pub links: Vec<Pid>,
    /// Traps exits: exit signals of linked processes become `signals` instead of
    /// ending this process (supervisors).
    pub trap: bool,
    /// Signals received: exits of linked processes (while trapping) and DOWN notices
    /// of monitored ones, oldest first.
    pub signals: VecDeque<Sig>,
    /// The current wait takes signals (a `receive` with signal arms, a supervisor).
    pub wants_signals: bool,
    /// Monitors of this process: (reference, watcher).
    pub monitors: Vec<(i64, Pid)>,
    /// Processes this one monitors: (reference, target).
    pub watching: Vec<(i64, Pid)>,
    /// Set by another process to end this one at its next suspension.
    pub kill: Option<String>,
    /// The `terminate` closure of the actor, run when it exits (spec 04 §2, §10).
    pub on_exit: usize,
    /// A future the process waits for has finished (`await_future`).
    pub io_done: bool,
    /// Queued messages the current wait does not want (a selective receive found no
    /// match among them; a service call waits for its reply): only a newer message,
    /// a reply, a signal or a kill wakes the process.
    pub skip: usize,
    /// Calls this process has received and not answered yet: (call id, caller).
    pub owed: Vec<(i64, Pid)>,
    /// Counts timed waits, so a timer of an earlier wait does not end a later one.
    pub wait_gen: u64,
    /// The current wait's deadline passed.
    pub timed_out: bool,
}

impl Inner {
    /// Something the waiting process wants arrived.
    pub fn has_news(&self) -> bool {
        self.queue.len() > self.skip
            || self
                .awaiting
                .is_some_and(|id| self.replies.contains_key(&id))
            || (self.wants_signals && !self.signals.is_empty())
            || self.io_done
            || self.timed_out
            || self.kill.is_some()
    }
}

impl Process {
    pub(crate) fn new(pid: Pid, home: usize, is_main: bool) -> Process {
        Process {
            pid,
            home: AtomicUsize::new(home),
            inner: SpinLock::new(Inner {
                state: Some(State::Queued),
                ..Inner::default()
            }),
            yielder: AtomicUsize::new(0),
            cells: AtomicI64::new(0),
            suspended_sp: AtomicUsize::new(0),
            listed: AtomicBool::new(true),
            is_main,
            run: RunCell(UnsafeCell::new(None)),
            ext: Mutex::new(None),
            msg_type: AtomicPtr::new(std::ptr::null_mut()),
        }
    }

    pub(crate) fn lock(&self) -> Guard<'_, Inner> {
        self.inner.lock()
    }

    pub fn pid(&self) -> Pid {
        self.pid
    }

    /// Keeps `e` with this process; its `exited` runs when the process ends.
    pub fn set_extension(&self, e: Box<dyn Extension>) {
        *self.ext.lock().unwrap_or_else(|e| e.into_inner()) = Some(e);
    }

    /// Takes the extension back (its hook will not run).
    pub fn take_extension<E: 'static>(&self) -> Option<Box<E>> {
        let e = self.ext.lock().unwrap_or_else(|e| e.into_inner()).take()?;
        e.into_any().downcast().ok()
    }
}

thread_local! {
    /// The process this worker is running right now (null between processes).
    pub(crate) static CURRENT: Cell<*const Process> = const { Cell::new(std::ptr::null()) };
}

/// The running process, when the caller runs inside one. Not inlined: the thread-local
/// read must happen afresh after every suspension.
#[inline(never)]
pub fn current() -> Option<&'static Process> {
    let p = CURRENT.with(|c| c.get());
    // SAFETY: the worker keeps the process alive while it runs it.
    unsafe { p.as_ref() }
}

/// The pid of the running process (0 outside processes).
pub fn current_pid() -> Pid {
    current().map_or(0, |p| p.pid)
}

/// One more strong reference to a process.
pub(crate) fn arc_of(p: &Process) -> Arc<Process> {
    // SAFETY: every process lives in an `Arc` (`sched::new_process`).
    unsafe {
        Arc::increment_strong_count(p as *const Process);
        Arc::from_raw(p as *const Process)
    }
}

/// Ends the running process with a runtime error (already located by the caller); in
/// `main`, or outside any process, the whole program ends with status 1.
pub fn fail(text: &str) -> ! {
    crate::console::flush_out();
    match current() {
        Some(p) if !p.is_main => {
            crate::elog!("error: {text} (process <0.{}> crashed)", p.pid);
            p.lock().crash = Some(text.to_string());
            super::run::suspend(p, super::run::Suspend::Crash);
            unreachable!("a crashed process was resumed")
        }
        _ => {
            crate::elog!("error: {text}");
            crate::console::flush_out();
            std::process::exit(1)
        }
    }
}

/// `text` prefixed with the latest call site, when there is one.
pub(crate) fn located(text: &str) -> String {
    let site = super::run::call_site();
    if site.is_null() {
        text.to_string()
    } else {
        // SAFETY: generated code stores only immortal strings.
        format!("{}: {text}", unsafe { crate::strings::as_str(site) })
    }
}

/// How a pid prints: `<0.N>`.
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_pid_to_str(pid: Pid) -> *mut u8 {
    new_str(format!("<0.{pid}>").as_bytes())
}

pub(crate) fn next_pid() -> Pid {
    static NEXT_PID: AtomicI64 = AtomicI64::new(1);
    NEXT_PID.fetch_add(1, Ordering::Relaxed)
}
