//! The scheduler (`papers/scheduler.md`). One worker thread per core, each with:
//!
//! * a private run queue of its started processes and a `next` slot: a process woken by
//!   one running on the same worker runs next (Go's `runnext` hand-off), so two
//!   processes in conversation pass the worker back and forth without a trip through the
//!   queue; `next` inherits the time slice (at most `HANDOFFS` hand-offs in a row) so a
//!   pair cannot starve the rest;
//! * a queue of processes that have not started yet, which an idle worker may steal
//!   (a started process stays on its worker: its stack is in that worker's region);
//! * an inject queue for wakes from other threads; a waker pays a system call only when
//!   the worker is parked — before parking, an idle worker spins briefly (`SPIN`) for
//!   work, so a conversation across workers stays in user space;
//! * a tokio current-thread runtime and `LocalSet`: the scheduler itself is one of its
//!   tasks, beside the I/O tasks of the processes (sockets, timers, database calls).
//!
//! The program ends when `main` has returned and no process can run again (spec 04
//! §17): `ACTIVE` counts processes that are not blocked in a wait without a deadline,
//! plus pending timers and what holds the program alive (`KeepAlive`).

use super::proc::{arc_of, current, next_pid, Process, State};
use super::run::{self, Entry, Resumed, Running};
use super::Pid;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock};
use std::task::{Poll, Waker};
use std::time::{Duration, Instant};

/// A process running for longer than this is asked to yield (spec 04 §15's time slice).
const SLICE: Duration = Duration::from_millis(2);
/// Processes run before the scheduler lets its thread's I/O tasks run.
const BUDGET: usize = 256;
/// Hand-offs in a row through the `next` slot before the queue's head gets a turn.
const HANDOFFS: usize = 64;
/// Every this many turns a new process starts, even when the queue is not empty.
const FRESH_EVERY: usize = 8;
/// How long an idle worker looks for work before it parks.
const SPIN: Duration = Duration::from_micros(40);
/// A new process waiting longer than this on a busy worker may be stolen (sooner, a
/// pair spawned together would be split before its worker got to them).
const STEAL_AGE: Duration = Duration::from_micros(100);

/// A native task for a worker's `LocalSet` (a connection's future, built there).
pub type Task = Box<dyn FnOnce() + Send>;

/// What other threads see of a worker.
pub(crate) struct Worker {
    /// Processes woken by other threads.
    inject: Mutex<Vec<Arc<Process>>>,
    /// Processes that have not started, and when they were queued.
    fresh: Mutex<VecDeque<(Instant, Arc<Process>)>>,
    /// How many are in `fresh` (read by thieves without the lock).
    fresh_len: AtomicUsize,
    /// When this worker last woke another to take some of `fresh`.
    shared_at: Mutex<Option<Instant>>,
    tasks: Mutex<Vec<Task>>,
    /// Something is in `inject`, `fresh` or `tasks`.
    pending: AtomicUsize,
    /// The scheduler task is parked; `waker` wakes it.
    parked: AtomicBool,
    waker: Mutex<Option<Waker>>,
    pub(crate) slot: Slot,
}

/// What the preemption monitor sees of a worker.
pub(crate) struct Slot {
    /// The worker's stack-limit slot (null until the worker starts).
    limit: std::sync::atomic::AtomicPtr<i64>,
    /// Processes resumed so far.
    pub(crate) resumes: AtomicU64,
    /// Running a process now.
    pub(crate) running: AtomicBool,
}

struct Pool {
    workers: Vec<Worker>,
    /// The next worker a process or task from outside the workers goes to.
    next: AtomicUsize,
}

static POOL: OnceLock<Pool> = OnceLock::new();

pub(crate) static ACTIVE: AtomicI64 = AtomicI64::new(0);
static QUIET: (Mutex<()>, Condvar) = (Mutex::new(()), Condvar::new());
/// `main` has returned (the program may end once nothing can run).
static MAIN_DONE: AtomicBool = AtomicBool::new(false);
/// Processes waiting in `receive` without a deadline.
static IDLE: AtomicI64 = AtomicI64::new(0);
/// Someone outside the program can send to its processes (a connected peer node), so
/// a process waiting in `receive` may still be woken.
static OUTSIDE_SENDERS: AtomicBool = AtomicBool::new(false);

/// Tells the core whether senders outside the program exist (the distribution layer
/// says so while it has peers): while they do, the program does not end with
/// processes waiting in `receive` (decision 54).
pub fn set_outside_senders(present: bool) {
    OUTSIDE_SENDERS.store(present, Ordering::SeqCst);
}

/// A process stopped (or started) waiting in `receive` without a deadline.
pub(crate) fn idle_add(n: i64) {
    IDLE.fetch_add(n, Ordering::SeqCst);
}

/// Nothing can run any more: no active process, and none that an outside sender may wake.
fn quiet() -> bool {
    ACTIVE.load(Ordering::SeqCst) <= 0
        && !(OUTSIDE_SENDERS.load(Ordering::SeqCst) && IDLE.load(Ordering::SeqCst) > 0)
}

pub(crate) fn active_inc() {
    ACTIVE.fetch_add(1, Ordering::SeqCst);
}

pub(crate) fn active_dec() {
    if ACTIVE.fetch_sub(1, Ordering::SeqCst) == 1 && MAIN_DONE.load(Ordering::SeqCst) {
        let _g = QUIET.0.lock();
        QUIET.1.notify_all();
    }
}

thread_local! {
    /// This thread's worker index (`usize::MAX`: not a worker).
    static WORKER: std::cell::Cell<usize> = const { std::cell::Cell::new(usize::MAX) };
    /// The worker's own queue of runnable started processes, and its `next` slot.
    static LOCAL: RefCell<(VecDeque<Arc<Process>>, Option<Arc<Process>>)> =
        const { RefCell::new((VecDeque::new(), None)) };
}

fn pool() -> &'static Pool {
    POOL.get_or_init(|| {
        let n = std::env::var("MESH_WORKERS")
            .ok()
            .and_then(|v| v.parse().ok())
            .filter(|n| *n > 0)
            .unwrap_or_else(|| {
                // valgrind runs one thread at a time: one worker is as fast there
                if super::stack::on_valgrind() {
                    1
                } else {
                    std::thread::available_parallelism().map_or(1, |n| n.get())
                }
            });
        Pool {
            workers: (0..n)
                .map(|_| Worker {
                    inject: Mutex::new(Vec::new()),
                    fresh: Mutex::new(VecDeque::new()),
                    fresh_len: AtomicUsize::new(0),
                    shared_at: Mutex::new(None),
                    tasks: Mutex::new(Vec::new()),
                    pending: AtomicUsize::new(0),
                    parked: AtomicBool::new(false),
                    waker: Mutex::new(None),
                    slot: Slot {
                        limit: Default::default(),
                        resumes: Default::default(),
                        running: Default::default(),
                    },
                })
                .collect(),
            next: AtomicUsize::new(0),
        }
    })
}

/// Starts the worker threads and the preemption monitor (once).
pub(crate) fn start() {
    static STARTED: OnceLock<()> = OnceLock::new();
    STARTED.get_or_init(|| {
        let n = pool().workers.len();
        for i in 0..n {
            std::thread::Builder::new()
                .name(format!("mesh-worker-{i}"))
                .spawn(move || worker_main(i))
                .expect("cannot start a worker thread");
        }
        std::thread::Builder::new()
            .name("mesh-monitor".into())
            .spawn(monitor)
            .expect("cannot start the monitor thread");
    });
}

/// The index of the calling thread's worker, if it is one.
fn this_worker() -> Option<usize> {
    let w = WORKER.with(|w| w.get());
    (w != usize::MAX).then_some(w)
}

/// The worker a new process or task goes to: the caller's own, else the next in turn.
fn placement(local: bool) -> usize {
    match this_worker() {
        Some(w) if local => w,
        Some(w) => w,
        None => {
            let p = pool();
            p.next.fetch_add(1, Ordering::Relaxed) % p.workers.len()
        }
    }
}

/// Tells worker `w` that it has work (waking its scheduler if it is parked).
fn notify(w: usize) {
    let worker = &pool().workers[w];
    if worker.parked.load(Ordering::SeqCst) && worker.parked.swap(false, Ordering::SeqCst) {
        if let Some(k) = worker
            .waker
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()
        {
            k.wake();
        }
    }
}

/// Makes `p` (just marked `Queued` under its lock) run again. On its own worker it goes
/// to the `next` slot (`handoff`) or the queue's end; from elsewhere to the inject queue.
pub(crate) fn enqueue(p: Arc<Process>, handoff: bool) {
    let home = p.home.load(Ordering::Relaxed);
    if this_worker() == Some(home) {
        LOCAL.with(|l| {
            let mut l = l.borrow_mut();
            if handoff {
                if let Some(prev) = l.1.replace(p) {
                    l.0.push_back(prev);
                }
            } else {
                l.0.push_back(p);
            }
        });
        // a wake from this thread's I/O task while the scheduler is parked
        notify(home);
        return;
    }
    let worker = &pool().workers[home];
    worker
        .inject
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(p);
    worker.pending.fetch_add(1, Ordering::SeqCst);
    notify(home);
}

/// A new process (not listed, not running) whose first resume will run `entry`.
pub(crate) fn new_process(entry: Entry, local: bool, is_main: bool) -> Arc<Process> {
    let home = placement(local);
    let p = Arc::new(Process::new(next_pid(), home, is_main));
    // SAFETY: nobody else has the process yet.
    unsafe { *p.run.0.get() = Some(Box::new(Running::new(entry))) };
    p
}

/// Lists `p` and queues it on its worker's queue of new processes; its pid.
pub(crate) fn launch(p: Arc<Process>) -> Pid {
    if p.listed.load(Ordering::Relaxed) {
        super::registry::insert(&p);
    }
    active_inc();
    let pid = p.pid;
    let home = p.home.load(Ordering::Relaxed);
    let worker = &pool().workers[home];
    worker
        .fresh
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push_back((Instant::now(), p));
    worker.fresh_len.fetch_add(1, Ordering::SeqCst);
    worker.pending.fetch_add(1, Ordering::SeqCst);
    notify(home);
    pid
}

/// A busy worker whose new processes have waited `STEAL_AGE` wakes one parked worker
/// (at most every `STEAL_AGE`) to take some.
fn share(w: usize) {
    let pool = pool();
    let worker = &pool.workers[w];
    if pool.workers.len() < 2 || worker.fresh_len.load(Ordering::Relaxed) < 2 {
        return;
    }
    let now = Instant::now();
    let old = worker
        .fresh
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .front()
        .is_some_and(|(t, _)| now - *t >= STEAL_AGE);
    if !old {
        return;
    }
    {
        let mut at = worker.shared_at.lock().unwrap_or_else(|e| e.into_inner());
        if at.is_some_and(|t| now - t < STEAL_AGE) {
            return;
        }
        *at = Some(now);
    }
    if let Some(i) =
        (0..pool.workers.len()).find(|&i| i != w && pool.workers[i].parked.load(Ordering::Relaxed))
    {
        notify(i);
    }
}

/// A new process running a copy of `thunk`, owing `caller` a reply under its own pid
/// when given (a job).
///
/// # Safety
/// `thunk` is a live zero-argument closure.
pub(crate) unsafe fn spawn_thunk(thunk: *mut u8, caller: Option<Pid>) -> Pid {
    // SAFETY: forwarded contract.
    unsafe { spawn_thunk_typed(thunk, caller, std::ptr::null_mut()) }
}

/// `spawn_thunk` for a process that receives messages of the type named `message_type`.
///
/// # Safety
/// `thunk` is a live closure; `message_type` is null or an immortal string.
pub(crate) unsafe fn spawn_thunk_typed(
    thunk: *mut u8,
    caller: Option<Pid>,
    message_type: *mut u8,
) -> Pid {
    let p = new_process(Entry::Thunk(0), false, false);
    p.msg_type.store(message_type, Ordering::Relaxed);
    if let Some(c) = caller {
        p.lock().owed.push((p.pid, c));
    }
    // SAFETY: forwarded contract.
    let copy = unsafe { super::copy_to(&p, thunk as u64, true) };
    // SAFETY: not started, not shared yet.
    unsafe { *p.run.0.get() = Some(Box::new(Running::new(Entry::Thunk(copy as usize)))) };
    launch(p)
}

/// # Safety
/// `clo` is a live closure.
pub(crate) unsafe fn spawn_native(clo: *mut u8, body: impl FnOnce(usize) + Send + 'static) -> Pid {
    let p = new_process(Entry::Thunk(0), false, false);
    // SAFETY: forwarded contract.
    let copy = unsafe { super::copy_to(&p, clo as u64, true) };
    // SAFETY: not started, not shared yet.
    unsafe {
        *p.run.0.get() = Some(Box::new(Running::new(Entry::Native(
            Box::new(move |c| {
                body(c);
                None
            }),
            copy as usize,
        ))))
    };
    launch(p)
}

pub(crate) fn spawn_rust(local: bool, body: impl FnOnce() + Send + 'static) -> Pid {
    let p = new_process(
        Entry::Native(
            Box::new(move |_| {
                body();
                None
            }),
            0,
        ),
        local,
        false,
    );
    launch(p)
}

/// # Safety
/// The counted `words` are live cells.
pub(crate) unsafe fn spawn_rust_with(
    words: Vec<u64>,
    body: impl FnOnce(Vec<u64>) -> Option<String> + Send + 'static,
) -> Pid {
    let p = new_process(Entry::Thunk(0), false, false);
    // SAFETY: forwarded contract.
    let copies: Vec<u64> = words
        .into_iter()
        .map(|w| unsafe { super::copy_to(&p, w, true) })
        .collect();
    struct Words(Vec<u64>);
    // SAFETY: the copies belong to the new process alone.
    unsafe impl Send for Words {}
    let copies = Words(copies);
    // SAFETY: not started, not shared yet.
    unsafe {
        *p.run.0.get() = Some(Box::new(Running::new(Entry::Native(
            Box::new(move |_| {
                let copies = copies;
                body(copies.0)
            }),
            0,
        ))))
    };
    launch(p)
}

/// Runs `mesh_main` in a process of its own and waits until the program is done.
pub fn run_main(main: fn()) {
    start();
    let p = new_process(
        Entry::Native(
            Box::new(move |_| {
                main();
                None
            }),
            0,
        ),
        false,
        true,
    );
    let watch = p.clone();
    launch(p);
    let mut g = QUIET.0.lock().unwrap_or_else(|e| e.into_inner());
    loop {
        if MAIN_DONE.load(Ordering::SeqCst) && quiet() {
            drop(watch);
            return;
        }
        g = QUIET
            .1
            .wait_timeout(g, Duration::from_millis(10))
            .unwrap_or_else(|e| e.into_inner())
            .0;
    }
}

/// `main`'s process ended: the program ends once nothing else can run.
pub(crate) fn main_done() {
    MAIN_DONE.store(true, Ordering::SeqCst);
    let _g = QUIET.0.lock();
    QUIET.1.notify_all();
}

/// Hands a native task to a worker (the caller's, or one in turn): it runs `task` on
/// that worker's thread, where it may start tokio tasks (`spawn_local`).
pub fn spawn_task(task: Task) {
    start();
    let w = placement(false);
    let worker = &pool().workers[w];
    worker
        .tasks
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(task);
    worker.pending.fetch_add(1, Ordering::SeqCst);
    notify(w);
}

/// Counts as a process that can run, so the program does not end (a listener).
pub struct KeepAlive(());

/// Keeps the program alive while the guard lives.
pub fn keep_alive() -> KeepAlive {
    active_inc();
    KeepAlive(())
}

impl Drop for KeepAlive {
    fn drop(&mut self) {
        active_dec();
    }
}

/// The calling process waits for ever (until killed), keeping the program alive:
/// `HTTP.serve` after it has handed its socket to a listener thread.
pub fn hold() {
    let _alive = keep_alive();
    loop {
        match current() {
            Some(p) => run::suspend(p, run::Suspend::Io),
            None => std::thread::sleep(Duration::from_secs(3600)),
        }
    }
}

/// Runs the future `io` to completion for the calling process without blocking its
/// worker: the future becomes a task of the worker and the process waits (other
/// processes run meanwhile). Outside processes it blocks the thread.
pub fn await_future<T: 'static>(io: impl Future<Output = T> + 'static) -> T {
    let Some(me) = current() else {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("cannot start an I/O runtime");
        return rt.block_on(io);
    };
    let slot: std::rc::Rc<RefCell<Option<T>>> = Default::default();
    let done = slot.clone();
    let p = arc_of(me);
    tokio::task::spawn_local(async move {
        let r = io.await;
        *done.borrow_mut() = Some(r);
        let mut inner = p.lock();
        inner.io_done = true;
        super::wake(&p, inner, false);
    });
    loop {
        if let Some(r) = slot.borrow_mut().take() {
            me.lock().io_done = false;
            return r;
        }
        run::suspend(me, run::Suspend::Io);
    }
}

/// Cells held by processes still waiting when the program ends: not leaks.
pub fn cells_of_waiting_processes() -> i64 {
    super::registry::all()
        .iter()
        .filter(|p| !p.is_main)
        .map(|p| p.cells.load(Ordering::Relaxed))
        .sum()
}

// ------------------------------------------------------------------ the worker loop

fn worker_main(index: usize) {
    crate::guard::alt_stack();
    WORKER.with(|w| w.set(index));
    // SAFETY: this thread's slot, published for the monitor.
    pool().workers[index]
        .slot
        .limit
        .store(unsafe { run::tls().add(1) }, Ordering::Release);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .on_thread_park(crate::memory::release_idle_memory)
        .build()
        .expect("cannot start the scheduler");
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, async move {
        tokio::task::spawn_local(crate::memory::janitor());
        schedule(index).await
    });
}

/// The next process to resume. Wakes from other threads join the local queue first;
/// then the `next` slot (within the hand-off limit), the local queue — with a new
/// process every `FRESH_EVERY` turns, so busy processes do not keep new ones from
/// starting — and finally one stolen from another worker.
fn next_process(w: usize, turn: &mut Turn) -> Option<Arc<Process>> {
    let worker = &pool().workers[w];
    turn.count = turn.count.wrapping_add(1);
    if worker.pending.load(Ordering::SeqCst) > 0 {
        let injected: Vec<Arc<Process>> =
            std::mem::take(&mut *worker.inject.lock().unwrap_or_else(|e| e.into_inner()));
        if !injected.is_empty() {
            worker.pending.fetch_sub(injected.len(), Ordering::SeqCst);
            LOCAL.with(|l| l.borrow_mut().0.extend(injected));
        }
    }
    let take_fresh = |worker: &Worker| {
        if worker.fresh_len.load(Ordering::SeqCst) == 0 {
            return None;
        }
        let (_, p) = worker
            .fresh
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop_front()?;
        worker.fresh_len.fetch_sub(1, Ordering::SeqCst);
        worker.pending.fetch_sub(1, Ordering::SeqCst);
        Some(p)
    };
    if turn.count % FRESH_EVERY == 0 {
        if let Some(p) = take_fresh(worker) {
            return Some(p);
        }
    }
    let local = LOCAL.with(|l| {
        let mut l = l.borrow_mut();
        if turn.handoffs < HANDOFFS {
            if let Some(p) = l.1.take() {
                turn.handoffs += 1;
                return Some(p);
            }
        } else if let Some(p) = l.1.take() {
            // the queue's head first: the slot's process waits its turn
            l.0.push_back(p);
        }
        turn.handoffs = 0;
        l.0.pop_front()
    });
    if local.is_some() {
        return local;
    }
    take_fresh(worker).or_else(|| steal(w))
}

/// A worker's turn counters.
#[derive(Default)]
struct Turn {
    count: usize,
    /// Hand-offs in a row through the `next` slot.
    handoffs: usize,
}

/// Takes half of another worker's new processes that have waited `STEAL_AGE` (they
/// become this worker's).
fn steal(w: usize) -> Option<Arc<Process>> {
    let pool = pool();
    let n = pool.workers.len();
    for k in 1..n {
        let victim = &pool.workers[(w + k) % n];
        if victim.fresh_len.load(Ordering::Relaxed) == 0 {
            continue;
        }
        let now = Instant::now();
        let taken: Vec<Arc<Process>> = {
            let mut f = victim.fresh.lock().unwrap_or_else(|e| e.into_inner());
            let old = f.iter().take_while(|(t, _)| now - *t >= STEAL_AGE).count();
            let half = old.div_ceil(2);
            f.drain(..half).map(|(_, p)| p).collect()
        };
        if taken.is_empty() {
            continue;
        }
        victim.fresh_len.fetch_sub(taken.len(), Ordering::SeqCst);
        victim.pending.fetch_sub(taken.len(), Ordering::SeqCst);
        for p in &taken {
            p.home.store(w, Ordering::Relaxed);
        }
        let mut it = taken.into_iter();
        let first = it.next();
        LOCAL.with(|l| l.borrow_mut().0.extend(it));
        return first;
    }
    None
}

/// Native tasks handed to this worker start now.
fn start_tasks(w: usize) -> bool {
    let worker = &pool().workers[w];
    if worker.pending.load(Ordering::SeqCst) == 0 {
        return false;
    }
    let tasks: Vec<Task> =
        std::mem::take(&mut *worker.tasks.lock().unwrap_or_else(|e| e.into_inner()));
    if tasks.is_empty() {
        return false;
    }
    worker.pending.fetch_sub(tasks.len(), Ordering::SeqCst);
    for t in tasks {
        t();
    }
    true
}

/// Whether work is waiting anywhere this worker could take it from.
fn work_waiting(w: usize) -> bool {
    let pool = pool();
    LOCAL.with(|l| {
        let l = l.borrow();
        l.1.is_some() || !l.0.is_empty()
    }) || pool.workers[w].pending.load(Ordering::SeqCst) > 0
        || pool
            .workers
            .iter()
            .enumerate()
            .any(|(i, v)| i != w && v.fresh_len.load(Ordering::Relaxed) > 0 && stealable(v))
}

/// Whether `v` has a new process old enough to steal.
fn stealable(v: &Worker) -> bool {
    let now = Instant::now();
    v.fresh
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .front()
        .is_some_and(|(t, _)| now - *t >= STEAL_AGE)
}

/// The scheduler: a task of the worker's `LocalSet` that resumes processes, lets the
/// thread's other tasks, I/O and timers run every `BUDGET` resumes or `SLICE` (a
/// `yield_now` is woken after tokio has polled its drivers), and parks when there is
/// nothing to do (after spinning `SPIN` for work from other threads).
async fn schedule(w: usize) {
    let mut turn = Turn::default();
    loop {
        std::future::poll_fn(|cx| {
            let worker = &pool().workers[w];
            let started = Instant::now();
            let mut budget = BUDGET;
            loop {
                if start_tasks(w) {
                    // they run when this task yields
                    return Poll::Ready(());
                }
                if let Some(p) = next_process(w, &mut turn) {
                    let long = run_one(w, p);
                    budget -= 1;
                    if long || budget % 16 == 0 {
                        share(w);
                        if Instant::now() - started >= SLICE {
                            return Poll::Ready(());
                        }
                    }
                    if budget == 0 {
                        return Poll::Ready(());
                    }
                    continue;
                }
                // nothing to run: look for work a little, then park (not under
                // valgrind, which runs one thread at a time)
                let spin = if super::stack::on_valgrind() {
                    Duration::ZERO
                } else {
                    SPIN
                };
                let until = Instant::now() + spin;
                let mut found = false;
                while Instant::now() < until {
                    if work_waiting(w) {
                        found = true;
                        break;
                    }
                    for _ in 0..64 {
                        std::hint::spin_loop();
                    }
                }
                if found {
                    continue;
                }
                *worker.waker.lock().unwrap_or_else(|e| e.into_inner()) = Some(cx.waker().clone());
                worker.parked.store(true, Ordering::SeqCst);
                if work_waiting(w) {
                    worker.parked.store(false, Ordering::SeqCst);
                    continue;
                }
                return Poll::Pending;
            }
        })
        .await;
        tokio::task::yield_now().await;
    }
}

/// Resumes `p` once and files it by what it did; whether it ran until preempted.
fn run_one(w: usize, p: Arc<Process>) -> bool {
    let killed = {
        let mut inner = p.lock();
        if inner.exited {
            return false;
        }
        inner.state = Some(State::Running);
        // a deadline is one wait's: the next starts afresh
        inner.timed_out = false;
        inner.kill.take()
    };
    let r = run::resume(&p, &pool().workers[w].slot, killed);
    match r {
        Resumed::Again => {
            p.lock().state = Some(State::Queued);
            LOCAL.with(|l| l.borrow_mut().0.push_back(p));
            return true;
        }
        Resumed::Wait { deadline, idle } => {
            let mut inner = p.lock();
            if inner.has_news() {
                inner.state = Some(State::Queued);
                drop(inner);
                LOCAL.with(|l| l.borrow_mut().0.push_back(p));
                return false;
            }
            inner.state = Some(State::Waiting);
            let now_idle = idle && !inner.idle;
            if now_idle {
                inner.idle = true;
            }
            inner.wait_gen += 1;
            let gen = inner.wait_gen;
            drop(inner);
            if now_idle {
                idle_add(1);
                active_dec();
            }
            if let Some(at) = deadline {
                super::timer::wake_at(&p, at, gen);
            }
        }
        Resumed::Ended(why) => super::signals::exit(&p, why),
    }
    false
}

/// The monitor: a process still running after a whole slice gets `PREEMPT` as its
/// limit, so its next check (a call or a loop iteration) yields.
fn monitor() {
    let slots: Vec<&Slot> = pool().workers.iter().map(|w| &w.slot).collect();
    let mut seen = vec![u64::MAX; slots.len()];
    loop {
        std::thread::sleep(SLICE);
        for (w, last) in slots.iter().zip(seen.iter_mut()) {
            let r = w.resumes.load(Ordering::Relaxed);
            let slot = w.limit.load(Ordering::Acquire);
            if w.running.load(Ordering::Relaxed) && r == *last && !slot.is_null() {
                // SAFETY: a worker's slot lives as long as the worker (the process).
                unsafe { (*(slot as *const AtomicI64)).store(run::PREEMPT, Ordering::Relaxed) };
            }
            *last = r;
        }
    }
}
