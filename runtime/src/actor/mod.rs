//! Processes (spec 04): stackful coroutines (`corosensei`) on tokio. One worker thread
//! per core runs a single-threaded tokio runtime; a process is a task of one worker and
//! stays there (spec 04 §15 allows it, and it keeps thread-local state that compiled
//! code reads — the reduction counter and the stack limit — valid across suspensions,
//! since LLVM may keep a thread-local's address across calls). New processes go to the
//! workers in turn. Each process owns a mailbox (one FIFO queue); `send` deep-copies
//! the message (`copy`), wakes the receiver, and never blocks. A runtime error ends only
//! its process. The program ends when `main` has returned and no process can run
//! again (spec 04 §17): `ACTIVE` counts processes that are not blocked in a `receive`
//! without timeout, plus pending `Timer.send_after` deliveries.
//! Paper: `papers/actors.md`.

pub mod copy;
mod stack;
mod supervisor;

use crate::library::obj;
use crate::memory::mesh_rt_drop;
use crate::strings::{as_str, new_str};
use corosensei::{Coroutine, CoroutineResult, Yielder};
use dashmap::DashMap;
use std::cell::Cell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, LazyLock, Mutex, MutexGuard, OnceLock};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

pub type Pid = i64;

/// A signal (spec 04 §11): `Exit(pid, abnormal reason)` from a linked process,
/// `Down(reference, pid, reason)` from a monitored one.
#[derive(Clone)]
enum Sig {
    Exit(Pid, Option<String>),
    Down(i64, Pid, String),
}

impl Sig {
    /// As the prelude's `Signal` value (`Exit` = tag 0, `Down` = tag 1).
    fn to_obj(&self) -> *mut u8 {
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
        }
    }
}

/// A message in a mailbox: a word the receiver owns (a counted pointer when `counted`).
struct Msg {
    word: u64,
    counted: bool,
}

// SAFETY: a message's cells were copied for the receiver; nobody else refers to them.
unsafe impl Send for Msg {}

impl Msg {
    fn discard(self) {
        if self.counted {
            // SAFETY: the mailbox owned this reference.
            unsafe { mesh_rt_drop(self.word as *mut u8) }
        }
    }
}

pub struct Process {
    pid: Pid,
    inner: Mutex<Inner>,
    /// Wakes the main thread waiting in a blocking receive.
    cv: Condvar,
    /// The process's coroutine yielder (set when it first runs).
    yielder: AtomicUsize,
    /// Cells this process holds (allocated or received minus freed; `memory::count`).
    cells: AtomicI64,
    /// Where the stack's used part starts when the process last suspended.
    suspended_sp: AtomicUsize,
    /// In `PROCS` (an HTTP handler's process is listed only once its pid is used).
    listed: std::sync::atomic::AtomicBool,
}

#[derive(Default)]
struct Inner {
    queue: VecDeque<Msg>,
    waker: Option<Waker>,
    /// Blocked in a receive without timeout (not counted in `ACTIVE`).
    idle: bool,
    exited: bool,
    names: Vec<String>,
    /// Replies to this process's service calls and jobs, by call id (`Err`: the
    /// process that owed it ended without replying, and why).
    replies: Vec<(i64, Result<Msg, String>)>,
    /// Why the process crashed (the runtime error), once it has.
    crash: Option<String>,
    /// Linked processes (spec 04 §11).
    links: Vec<Pid>,
    /// Traps exits: exit signals of linked processes become `signals` instead of
    /// ending this process (supervisors).
    trap: bool,
    /// Signals received: exits of linked processes (while trapping) and DOWN
    /// notices of monitored ones, oldest first.
    signals: VecDeque<Sig>,
    /// The current wait takes signals (a `receive` with signal arms, a supervisor).
    wants_signals: bool,
    /// Monitors of this process: (reference, watcher).
    monitors: Vec<(i64, Pid)>,
    /// Processes this one monitors: (reference, target).
    watching: Vec<(i64, Pid)>,
    /// Set by another process to end this one at its next suspension.
    kill: Option<String>,
    /// The `terminate` closure of the actor, run when it exits (spec 04 §2, §10).
    on_exit: usize,
    /// An HTTP handler process's response (none if it crashed: 500).
    http_reply: Option<crate::http::Resp>,
    /// The WebSocket connection this process serves (0: none), and its events.
    ws_conn: i64,
    /// Its `on_close` callback (an immortal closure), called if the process crashes.
    ws_close: usize,
    ws_events: VecDeque<crate::http::ws::WsEvent>,
    /// The current wait takes WebSocket events.
    wants_ws: bool,
    /// An I/O operation the process waits for has finished (`await_io`).
    io_done: bool,
    /// Queued messages the current wait does not want (a selective receive found no
    /// match among them; a service call waits for its reply): only a newer message,
    /// a reply, a signal or a kill wakes the process.
    skip: usize,
    /// Calls this process has received and not answered yet: (call id, caller).
    owed: Vec<(i64, Pid)>,
}

impl Inner {
    /// Something the waiting process wants arrived.
    fn has_news(&self) -> bool {
        self.queue.len() > self.skip
            || !self.replies.is_empty()
            || (self.wants_signals && !self.signals.is_empty())
            || (self.wants_ws && !self.ws_events.is_empty())
            || self.io_done
            || self.kill.is_some()
    }
}

impl Process {
    fn new(pid: Pid) -> Process {
        Process {
            pid,
            inner: Mutex::new(Inner::default()),
            cv: Condvar::new(),
            yielder: AtomicUsize::new(0),
            cells: AtomicI64::new(0),
            suspended_sp: AtomicUsize::new(0),
            listed: std::sync::atomic::AtomicBool::new(true),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

static PROCS: LazyLock<DashMap<Pid, Arc<Process>>> = LazyLock::new(DashMap::new);
static NAMES: LazyLock<DashMap<String, Pid>> = LazyLock::new(DashMap::new);
static NEXT_PID: AtomicI64 = AtomicI64::new(1);
static NEXT_CALL: AtomicI64 = AtomicI64::new(1);
static ACTIVE: AtomicI64 = AtomicI64::new(0);
static QUIET: (Mutex<()>, Condvar) = (Mutex::new(()), Condvar::new());
/// The main thread waits on `QUIET` (only after `main` returned): only then does the
/// last process to end need to wake it (a futex call per request otherwise).
static QUIET_WAITER: AtomicBool = AtomicBool::new(false);
static MAIN: OnceLock<Arc<Process>> = OnceLock::new();

fn active_inc() {
    ACTIVE.fetch_add(1, Ordering::SeqCst);
}

fn active_dec() {
    if ACTIVE.fetch_sub(1, Ordering::SeqCst) == 1 && QUIET_WAITER.load(Ordering::SeqCst) {
        let _g = QUIET.0.lock();
        QUIET.1.notify_all();
    }
}

/// The main thread's process (created on first use).
fn main_process() -> &'static Arc<Process> {
    MAIN.get_or_init(|| {
        let p = new_process();
        PROCS.insert(p.pid, p.clone());
        p
    })
}

// ------------------------------------------------------------------ the running process

thread_local! {
    /// The process this worker is running right now (null between processes and on
    /// the main thread).
    static CURRENT: Cell<*const Process> = const { Cell::new(std::ptr::null()) };
}

/// The running process, when the caller runs inside one (not on the main thread).
#[inline(never)]
fn current() -> Option<&'static Process> {
    let p = CURRENT.with(|c| c.get());
    // SAFETY: the worker keeps the process alive while it runs it.
    unsafe { p.as_ref() }
}

enum Suspend {
    /// The time slice is used up.
    Preempt,
    /// The mailbox is empty: wait for a message, or until the deadline.
    Wait(Option<Instant>),
    /// Wait for an I/O task of this process (`await_io`): as `Wait(None)`, but the
    /// process still counts as able to run (its own I/O keeps the program alive).
    Io,
    Sleep(Instant),
    /// A runtime error ended the process.
    Crash,
}

fn suspend(p: &Process, s: Suspend) {
    // the scheduler copies the stack out from here (`stack.rs`)
    p.suspended_sp
        .store(stack::current_sp() - stack::SWITCH_SLACK, Ordering::Relaxed);
    let y = p.yielder.load(Ordering::Relaxed) as *const Yielder<(), Suspend>;
    // SAFETY: set by the coroutine of `p`, which is the one running this code.
    unsafe { (*y).suspend(s) }
}

/// Thread-local state compiled code reads: `[unused, stack limit]`. The limit is the
/// running process's stack limit, 0 outside processes, or `PREEMPT` when the monitor
/// asks the running process to let others run (`insert-yield-points`).
fn tls() -> *mut i64 {
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

/// `text` prefixed with the latest call site, when there is one.
fn located(text: &str) -> String {
    let site = call_site();
    if site.is_null() {
        text.to_string()
    } else {
        // SAFETY: generated code stores only immortal strings.
        format!("{}: {text}", unsafe { as_str(site) })
    }
}

/// A limit no stack pointer is above (compared unsigned): the next check calls
/// `mesh_rt_check`.
const PREEMPT: i64 = -1;

/// This thread's stack-limit slot, shared with the monitor thread.
fn limit_slot() -> &'static AtomicI64 {
    // SAFETY: the slot is an aligned i64 that lives as long as the thread; compiled
    // code reads it with monotonic atomic loads.
    unsafe { &*(tls().add(1) as *const AtomicI64) }
}

/// Calls the zero-argument closure `thunk` (owning it), whose result is a word (a pid
/// for spawn closures and supervisor start functions): emitted by codegen.
unsafe fn run_thunk(thunk: *mut u8) -> i64 {
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

thread_local! {
    /// The running process's real stack limit (while the slot may say `PREEMPT`).
    static LIMIT: Cell<i64> = const { Cell::new(0) };
}

/// Called by compiled code when the stack pointer is below this thread's limit: the
/// monitor asked for a yield (the process lets others run), or the stack is used up
/// (the process crashes).
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_check() {
    let Some(p) = current() else {
        return;
    };
    if limit_slot().load(Ordering::Relaxed) == PREEMPT {
        limit_slot().store(LIMIT.with(|l| l.get()), Ordering::Relaxed);
        suspend(p, Suspend::Preempt);
        return;
    }
    fail("stack overflow: recursion too deep (only calls in tail position run in constant stack)");
}

/// Ends the running process with a runtime error (already located by the caller), or
/// the whole program when the error is on the main thread.
pub fn fail(text: &str) -> ! {
    crate::console::flush_out();
    match current() {
        Some(p) => {
            crate::elog!("error: {text} (process <0.{}> crashed)", p.pid);
            p.lock().crash = Some(text.to_string());
            suspend(p, Suspend::Crash);
            unreachable!("a crashed process was resumed")
        }
        None => {
            crate::elog!("error: {text}");
            std::process::exit(1)
        }
    }
}

// ------------------------------------------------------------------ workers

/// What a new process runs.
enum Entry {
    /// A zero-argument Mesh closure (owned).
    Thunk(usize),
    Supervisor(Box<supervisor::Spec>),
    /// An HTTP request for the (immortal) handler closure; the response goes back
    /// through the process's `http_reply`.
    Http(usize, Box<crate::http::Req>),
    /// Rust code (a library service such as `Http.stream`) given its closure, copied
    /// into the process.
    Native(Box<dyn FnOnce(usize) + Send>, usize),
    /// A WebSocket connection: its id, the callbacks, the upgrade's path and headers.
    Ws(
        Box<(
            i64,
            crate::http::ws::Callbacks,
            String,
            Vec<(String, String)>,
        )>,
    ),
}

enum Job {
    Spawn(Arc<Process>, Entry),
    /// A new HTTP connection and the handler closure.
    Conn(std::net::TcpStream, usize),
    /// A new WebSocket connection and the callbacks.
    WsConn(
        std::net::TcpStream,
        crate::http::ws::Callbacks,
        Option<Arc<rustls::ServerConfig>>,
    ),
    /// A new HTTPS connection, the handler closure and the TLS configuration.
    TlsConn(std::net::TcpStream, usize, Arc<rustls::ServerConfig>),
    Timer(Instant, Pid, Msg),
}

// SAFETY: a job's pointers are owned by the job (a copied closure, a copied message).
unsafe impl Send for Job {}

struct Workers {
    queues: Vec<tokio::sync::mpsc::UnboundedSender<Job>>,
    next: AtomicUsize,
}

/// What the monitor sees of a worker.
struct WorkerSlot {
    /// The worker's stack-limit slot (null until the worker starts).
    limit: std::sync::atomic::AtomicPtr<i64>,
    /// Processes resumed so far.
    resumes: std::sync::atomic::AtomicU64,
    /// Running a process now.
    running: std::sync::atomic::AtomicBool,
}

static SLOTS: OnceLock<Vec<WorkerSlot>> = OnceLock::new();

thread_local! {
    /// This worker's index in `SLOTS`.
    static WORKER: Cell<usize> = const { Cell::new(0) };
}

/// A process running for longer than this is asked to yield (spec 04 §15's time slice).
const SLICE: Duration = Duration::from_millis(2);

/// The monitor: a process still running after a whole slice gets `PREEMPT` as its
/// limit, so its next check (a call or a loop iteration) yields.
fn monitor() {
    let slots = SLOTS.get().unwrap();
    let mut seen = vec![u64::MAX; slots.len()];
    loop {
        std::thread::sleep(SLICE);
        for (w, last) in slots.iter().zip(seen.iter_mut()) {
            let r = w.resumes.load(Ordering::Relaxed);
            let slot = w.limit.load(Ordering::Acquire);
            if w.running.load(Ordering::Relaxed) && r == *last && !slot.is_null() {
                // SAFETY: a worker's slot lives as long as the worker (the process).
                unsafe { (*(slot as *const AtomicI64)).store(PREEMPT, Ordering::Relaxed) };
            }
            *last = r;
        }
    }
}

static WORKERS: OnceLock<Workers> = OnceLock::new();

fn workers() -> &'static Workers {
    WORKERS.get_or_init(|| {
        let n = std::thread::available_parallelism().map_or(1, |n| n.get());
        let _ = SLOTS.set(
            (0..n)
                .map(|_| WorkerSlot {
                    limit: Default::default(),
                    resumes: Default::default(),
                    running: Default::default(),
                })
                .collect(),
        );
        let queues = (0..n)
            .map(|i| {
                let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
                std::thread::Builder::new()
                    .name(format!("mesh-worker-{i}"))
                    .spawn(move || worker(i, rx))
                    .expect("cannot start a worker thread");
                tx
            })
            .collect();
        std::thread::Builder::new()
            .name("mesh-monitor".into())
            .spawn(monitor)
            .expect("cannot start the monitor thread");
        Workers {
            queues,
            next: AtomicUsize::new(0),
        }
    })
}

/// Runs the future `io` to completion for the calling process without blocking its
/// worker: the future becomes a task of the worker and the process waits (other
/// processes run meanwhile). On the main thread, which is no worker, it blocks.
pub fn await_io<T: 'static>(io: impl Future<Output = T> + 'static) -> T {
    let Some(me) = current() else {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("cannot start an I/O runtime");
        return rt.block_on(io);
    };
    let slot: std::rc::Rc<std::cell::RefCell<Option<T>>> = Default::default();
    let done = slot.clone();
    // the process itself, not its pid: an HTTP handler's process may not be listed
    let p = arc_of(me);
    tokio::task::spawn_local(async move {
        let r = io.await;
        *done.borrow_mut() = Some(r);
        let mut inner = p.lock();
        inner.io_done = true;
        wake(&p, inner);
    });
    loop {
        if let Some(r) = slot.borrow_mut().take() {
            me.lock().io_done = false;
            return r;
        }
        suspend(me, Suspend::Io);
    }
}

/// Makes sure the workers run (a listener that hands them connections).
pub fn keep_workers() {
    workers();
}

/// Hands a new HTTPS connection to a worker (in turn).
pub fn dispatch_tls_connection(
    stream: std::net::TcpStream,
    handler: usize,
    config: Arc<rustls::ServerConfig>,
) {
    dispatch(Job::TlsConn(stream, handler, config));
}

/// Hands a new WebSocket connection to a worker (in turn).
pub fn dispatch_ws(
    stream: std::net::TcpStream,
    cbs: crate::http::ws::Callbacks,
    tls: Option<Arc<rustls::ServerConfig>>,
) {
    dispatch(Job::WsConn(stream, cbs, tls));
}

/// On a worker: the process of a new WebSocket connection; its pid.
pub fn start_ws_process(
    conn: i64,
    cbs: crate::http::ws::Callbacks,
    path: String,
    headers: Vec<(String, String)>,
) -> Pid {
    let p = new_process();
    {
        let mut inner = p.lock();
        inner.ws_conn = conn;
        inner.ws_close = cbs.close;
    }
    PROCS.insert(p.pid, p.clone());
    active_inc();
    let pid = p.pid;
    tokio::task::spawn_local(Running::new(
        p,
        Entry::Ws(Box::new((conn, cbs, path, headers))),
    ));
    pid
}

/// A WebSocket event for the connection's process.
pub fn ws_event(pid: Pid, e: crate::http::ws::WsEvent) {
    if let Some(p) = PROCS.get(&pid).map(|p| p.clone()) {
        let mut inner = p.lock();
        if inner.exited {
            return;
        }
        inner.ws_events.push_back(e);
        wake(&p, inner);
    }
}

/// The next event of this WebSocket process (waiting for one).
pub fn next_ws_event(me: &Process) -> crate::http::ws::WsEvent {
    loop {
        if let Some(e) = me.lock().ws_events.pop_front() {
            return e;
        }
        me.lock().wants_ws = true;
        suspend(me, Suspend::Wait(None));
        me.lock().wants_ws = false;
    }
}

/// The process no longer serves its WebSocket connection.
pub fn ws_done(me: &Process) {
    let mut inner = me.lock();
    inner.ws_conn = 0;
    inner.ws_close = 0;
}

/// Hands a new HTTP connection to a worker (in turn).
pub fn dispatch_connection(stream: std::net::TcpStream, handler: usize) {
    dispatch(Job::Conn(stream, handler));
}

/// The process serving one HTTP connection (spec 06 §1.4: each accepted connection is
/// served by its own process): made for the first request, it runs the connection's
/// requests one after another (HTTP/1.1 answers in order), waiting between them like a
/// process blocked in a receive; a crash ends it and the next request gets a new one.
/// It exits when the connection closes.
#[derive(Default)]
pub struct ConnProcess(Option<Arc<Process>>);

impl ConnProcess {
    /// The process for the next request, counted as running.
    fn current(&mut self) -> Arc<Process> {
        if let Some(p) = &self.0 {
            let mut inner = p.lock();
            if !inner.exited && inner.kill.is_none() {
                if inner.idle {
                    inner.idle = false;
                    drop(inner);
                    active_inc();
                }
                return p.clone();
            }
            // killed between two requests: it ends now, and a new one takes over
            let why = inner.kill.take();
            let exited = inner.exited;
            drop(inner);
            if !exited {
                exit(p, why);
            }
        }
        let p = new_process();
        // listed in PROCS only if its pid gets used (`ensure_listed`)
        p.listed.store(false, Ordering::Relaxed);
        active_inc();
        self.0 = Some(p.clone());
        p
    }
}

impl Drop for ConnProcess {
    /// The connection is closed: its process exits (its `terminate` closure, if it set
    /// one, runs first in a task of this worker).
    fn drop(&mut self) {
        let Some(p) = self.0.take() else { return };
        let cleanup = {
            let mut inner = p.lock();
            if inner.exited {
                return;
            }
            std::mem::take(&mut inner.on_exit)
        };
        if cleanup == 0 {
            return exit(&p, None);
        }
        {
            let mut inner = p.lock();
            if inner.idle {
                inner.idle = false;
                drop(inner);
                active_inc();
            }
        }
        let mut run = Running::new(p, Entry::Thunk(cleanup));
        run.terminating = Some(None);
        tokio::task::spawn_local(run);
    }
}

/// On a worker, inside the connection's task: runs the HTTP handler on `request` in the
/// connection's process (driven by this task, not one of its own); its response, or
/// `None` when the handler crashed.
pub async fn run_handler(
    conn: &std::cell::RefCell<ConnProcess>,
    handler: usize,
    request: crate::http::Req,
) -> Option<crate::http::Resp> {
    let p = conn.borrow_mut().current();
    let mut run = Running::new(p.clone(), Entry::Http(handler, Box::new(request)));
    run.keep = true;
    run.await;
    let resp = p.lock().http_reply.take();
    resp
}

fn dispatch(job: Job) {
    let w = workers();
    let i = w.next.fetch_add(1, Ordering::Relaxed) % w.queues.len();
    if w.queues[i].send(job).is_err() {
        fail("internal error: a worker thread is gone");
    }
}

fn worker(index: usize, mut rx: tokio::sync::mpsc::UnboundedReceiver<Job>) {
    crate::guard::alt_stack();
    WORKER.with(|w| w.set(index));
    // SAFETY: this thread's slot, published for the monitor.
    SLOTS.get().unwrap()[index]
        .limit
        .store(unsafe { tls().add(1) }, Ordering::Release);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .on_thread_park(crate::memory::release_idle_memory)
        .build()
        .expect("cannot start the scheduler");
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, async move {
        tokio::task::spawn_local(crate::memory::janitor());
        while let Some(job) = rx.recv().await {
            match job {
                Job::Spawn(p, entry) => {
                    tokio::task::spawn_local(Running::new(p, entry));
                }
                Job::Conn(stream, handler) => {
                    tokio::task::spawn_local(crate::http::serve_connection(stream, handler));
                }
                Job::TlsConn(stream, handler, config) => {
                    tokio::task::spawn_local(crate::http::serve_tls_connection(
                        stream, handler, config,
                    ));
                }
                Job::WsConn(stream, cbs, tls) => {
                    tokio::task::spawn_local(crate::http::ws::serve_connection(stream, cbs, tls));
                }
                Job::Timer(at, pid, msg) => {
                    tokio::task::spawn_local(async move {
                        tokio::time::sleep_until(at.into()).await;
                        match PROCS.get(&pid).map(|p| p.clone()) {
                            Some(p) => deliver(&p, msg),
                            None => msg.discard(),
                        }
                        active_dec();
                    });
                }
            }
        }
    });
}

/// A process as a task of its worker.
struct Running {
    proc: Arc<Process>,
    /// What the process runs (taken when it starts).
    entry: Option<Entry>,
    /// The stack limit compiled code checks.
    limit: usize,
    /// Returns why the process ended abnormally, if it did.
    co: Option<Coroutine<(), Suspend, Option<String>, stack::SharedStack>>,
    /// The used part of the stack while the process is suspended (`stack.rs`).
    saved: Vec<u8>,
    /// Running the `terminate` closure; the process's own exit reason.
    terminating: Option<Option<String>>,
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
    /// Suspended in a receive: a message ends the wait.
    waiting: bool,
    /// An HTTP connection's process: returning from the handler does not end it.
    keep: bool,
}

impl Future for Running {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        loop {
            let message = || this.proc.lock().has_news();
            if let Some(t) = this.timer.as_mut() {
                if t.as_mut().poll(cx).is_pending() && !(this.waiting && message()) {
                    return Poll::Pending;
                }
                this.timer = None;
            } else if this.waiting && !message() {
                return Poll::Pending;
            }
            this.waiting = false;
            let killed = this.proc.lock().kill.take();
            if let Some(why) = killed {
                if this.terminating.is_none() {
                    return this.finish(Some(why), true, cx);
                }
            }
            let shared = stack::SharedStack::of_this_thread();
            this.limit = shared.check_limit();
            if !this.saved.is_empty() {
                // SAFETY: the worker's stack is free between resumes (every process's
                // part was copied out when it suspended); this process's part goes back
                // to the addresses it came from.
                unsafe {
                    let at = shared.top() - this.saved.len();
                    std::ptr::copy_nonoverlapping(
                        this.saved.as_ptr(),
                        at as *mut u8,
                        this.saved.len(),
                    );
                }
            }
            let entry = &mut this.entry;
            let co = this.co.get_or_insert_with(|| {
                let p = Arc::as_ptr(&this.proc) as usize;
                let stack = shared;
                let entry = entry.take().expect("a process starts once");
                // a crashed coroutine is abandoned, not unwound: a thunk captures plain
                // words; a supervisor is Rust code that returns instead of crashing
                Coroutine::with_stack(stack, move |y: &Yielder<(), Suspend>, ()| {
                    // SAFETY: the task keeps the process alive.
                    let p = unsafe { &*(p as *const Process) };
                    p.yielder.store(y as *const _ as usize, Ordering::Relaxed);
                    match entry {
                        Entry::Thunk(thunk) => {
                            // SAFETY: the copied closure is ours.
                            unsafe { run_thunk(thunk as *mut u8) };
                            None
                        }
                        Entry::Supervisor(spec) => supervisor::run(p, *spec),
                        Entry::Native(body, clo) => {
                            body(clo);
                            None
                        }
                        Entry::Ws(start) => {
                            let (conn, cbs, path, headers) = *start;
                            crate::http::ws::run(p, conn, cbs, path, headers);
                            None
                        }
                        Entry::Http(handler, request) => {
                            let resp = crate::http::call_handler(handler, *request);
                            p.lock().http_reply = Some(resp);
                            None
                        }
                    }
                })
            });
            CURRENT.with(|c| c.set(Arc::as_ptr(&this.proc)));
            let slot = &SLOTS.get().unwrap()[WORKER.with(|w| w.get())];
            slot.resumes.fetch_add(1, Ordering::Relaxed);
            slot.running.store(true, Ordering::Relaxed);
            LIMIT.with(|l| l.set(this.limit as i64));
            limit_slot().store(this.limit as i64, Ordering::Relaxed);
            let owner = crate::memory::set_owner(&this.proc.cells);
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
                let from = this
                    .proc
                    .suspended_sp
                    .load(Ordering::Relaxed)
                    .max(shared.bottom_limit());
                let len = shared.top() - from;
                this.saved.clear();
                this.saved.reserve_exact(len);
                // SAFETY: `[from, top)` is this worker's stack, just used by this process.
                unsafe {
                    std::ptr::copy_nonoverlapping(from as *const u8, this.saved.as_mut_ptr(), len);
                    this.saved.set_len(len);
                }
            }
            match r {
                CoroutineResult::Return(why) => return this.finish(why, false, cx),
                CoroutineResult::Yield(Suspend::Crash) => {
                    let why = this.proc.lock().crash.take();
                    return this.finish(why.or_else(|| Some("crashed".into())), true, cx);
                }
                CoroutineResult::Yield(Suspend::Preempt) => {
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                CoroutineResult::Yield(Suspend::Sleep(at)) => {
                    this.timer = Some(Box::pin(tokio::time::sleep_until(at.into())));
                }
                CoroutineResult::Yield(wait @ (Suspend::Wait(_) | Suspend::Io)) => {
                    let deadline = match wait {
                        Suspend::Wait(d) => d,
                        _ => None,
                    };
                    let mut inner = this.proc.lock();
                    if inner.has_news() {
                        continue;
                    }
                    inner.waker = Some(cx.waker().clone());
                    let now_idle = matches!(wait, Suspend::Wait(None)) && !inner.idle;
                    if now_idle {
                        inner.idle = true;
                    }
                    drop(inner);
                    if now_idle {
                        active_dec();
                    }
                    this.waiting = true;
                    if let Some(at) = deadline {
                        this.timer = Some(Box::pin(tokio::time::sleep_until(at.into())));
                    }
                }
            }
        }
    }
}

impl Drop for Running {
    /// Dropped before it finished — an HTTP handler's task whose client went away while
    /// the handler waited (hyper drops the request's future): the coroutine is
    /// abandoned, never unwound (Mesh frames have no unwinding tables), and the process
    /// ends as a killed one would.
    fn drop(&mut self) {
        let co = self.co.take();
        let running = co.as_ref().is_some_and(|c| c.started() && !c.done());
        if let Some(mut co) = co {
            if running {
                // SAFETY: as in `finish`: the frames left are Mesh code and runtime
                // frames that own no Rust values needing `Drop`.
                unsafe { co.force_reset() };
            }
            let _ = co.into_stack();
        }
        if let Some(Entry::Thunk(t)) = self.entry.take() {
            // SAFETY: the copied closure is ours (never called).
            unsafe { mesh_rt_drop(t as *mut u8) };
        }
        // (or dropped between its end and its `terminate` closure)
        if (running || self.terminating.is_some()) && !self.proc.lock().exited {
            exit(&self.proc, Some("killed".into()));
        }
    }
}

impl Running {
    fn new(proc: Arc<Process>, entry: Entry) -> Running {
        Running {
            proc,
            entry: Some(entry),
            saved: Vec::new(),
            terminating: None,
            limit: 0,
            co: None,
            timer: None,
            waiting: false,
            keep: false,
        }
    }

    /// Ends the process (`why`: the abnormal exit reason); `abandon`: its coroutine is
    /// suspended in the middle of Mesh code.
    fn finish(&mut self, why: Option<String>, abandon: bool, cx: &mut Context<'_>) -> Poll<()> {
        if let Some(mut co) = self.co.take() {
            if abandon && co.started() && !co.done() {
                // SAFETY: the frames left on the stack are Mesh code and runtime frames
                // that own no Rust values needing `Drop` (see `fail`).
                unsafe { co.force_reset() };
            }
            let _ = co.into_stack();
        }
        self.saved = Vec::new();
        if self.keep && why.is_none() {
            // the handler returned: the connection's process waits for the next request
            let mut inner = self.proc.lock();
            inner.waker = None;
            if !inner.idle {
                inner.idle = true;
                drop(inner);
                active_dec();
            }
            return Poll::Ready(());
        }
        if let Some(Entry::Thunk(t)) = self.entry.take() {
            // killed before it ran: its closure was never called
            // SAFETY: the copied closure is ours.
            unsafe { mesh_rt_drop(t as *mut u8) };
        }
        // the `terminate` closure runs first, in a coroutine of its own; the exit
        // reason is the process's own (a crash inside `terminate` is swallowed)
        let why = match self.terminating.take() {
            Some(own) => own,
            None => {
                let cleanup = std::mem::take(&mut self.proc.lock().on_exit);
                if cleanup != 0 {
                    self.entry = Some(Entry::Thunk(cleanup));
                    self.terminating = Some(why);
                    self.waiting = false;
                    self.timer = None;
                    cx.waker().wake_by_ref();
                    return Poll::Pending;
                }
                why
            }
        };
        exit(&self.proc, why);
        Poll::Ready(())
    }
}

/// Exit processing (spec 04 §10): links told (`why`: the abnormal exit reason), names
/// removed, mailbox discarded, callers owed a reply failed.
fn exit(p: &Process, crash: Option<String>) {
    if p.listed.load(Ordering::Relaxed) {
        PROCS.remove(&p.pid);
    }
    // everything at once: from now on messages to it are discarded
    let mut inner = p.lock();
    inner.exited = true;
    inner.waker = None;
    let links = std::mem::take(&mut inner.links);
    let monitors = std::mem::take(&mut inner.monitors);
    let watching = std::mem::take(&mut inner.watching);
    let ws_conn = std::mem::take(&mut inner.ws_conn);
    let ws_close = std::mem::take(&mut inner.ws_close);
    let queue = std::mem::take(&mut inner.queue);
    let names = std::mem::take(&mut inner.names);
    let owed = std::mem::take(&mut inner.owed);
    let replies = std::mem::take(&mut inner.replies);
    let idle = inner.idle;
    drop(inner);
    for l in links {
        if let Some(q) = PROCS.get(&l).map(|q| q.clone()) {
            signal(&q, p.pid, crash.clone());
        }
    }
    for (r, watcher) in monitors {
        let why = crash.clone().unwrap_or_else(|| "normal".into());
        down(watcher, r, p.pid, why);
    }
    for (r, target) in watching {
        if let Some(t) = PROCS.get(&target).map(|t| t.clone()) {
            t.lock().monitors.retain(|(x, _)| *x != r);
        }
    }
    if ws_conn != 0 {
        // a callback crashed: the connection ends with 1011
        crate::http::ws::crashed(ws_conn, ws_close);
    }
    for n in names {
        NAMES.remove_if(&n, |_, v| *v == p.pid);
    }
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
    if !idle {
        active_dec();
    }
}

fn deliver(p: &Process, m: Msg) {
    let mut inner = p.lock();
    if inner.exited {
        drop(inner);
        return m.discard();
    }
    inner.queue.push_back(m);
    wake(p, inner);
}

// ------------------------------------------------------------------ the library

/// `spawn`: a new process running the closure `thunk` (borrowed; the process gets a
/// copy). Returns its pid.
///
/// # Safety
/// `thunk` is a live zero-argument closure.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_spawn(thunk: *mut u8) -> Pid {
    // SAFETY: forwarded contract.
    unsafe { spawn_thunk(thunk, None) }
}

/// A new process running a copy of `thunk`, owing `caller` a reply under its own pid
/// when given (a job).
///
/// # Safety
/// `thunk` is a live zero-argument closure.
unsafe fn spawn_thunk(thunk: *mut u8, caller: Option<Pid>) -> Pid {
    let p = new_process();
    if let Some(c) = caller {
        p.lock().owed.push((p.pid, c));
    }
    // SAFETY: forwarded contract.
    let copy = unsafe { copy_to(&p, thunk as u64, true) };
    launch(p, Entry::Thunk(copy as usize))
}

/// A new process running Rust code `body` on its own copy of closure `clo` (which
/// `body` owns and must drop): library services that call back into the program.
///
/// # Safety
/// `clo` is a live closure.
pub unsafe fn spawn_native(clo: *mut u8, body: impl FnOnce(usize) + Send + 'static) -> Pid {
    let p = new_process();
    // SAFETY: forwarded contract.
    let copy = unsafe { copy_to(&p, clo as u64, true) };
    launch(p, Entry::Native(Box::new(body), copy as usize))
}

/// A new process running Rust code (which may call Mesh closures); its pid.
pub fn spawn_rust(body: impl FnOnce() + Send + 'static) -> Pid {
    launch(new_process(), Entry::Native(Box::new(move |_| body()), 0))
}

/// A new process, not yet listed or running.
fn new_process() -> Arc<Process> {
    Arc::new(Process::new(NEXT_PID.fetch_add(1, Ordering::Relaxed)))
}

/// Lists `p` and hands it to a worker to run `entry`; its pid.
fn launch(p: Arc<Process>, entry: Entry) -> Pid {
    PROCS.insert(p.pid, p.clone());
    active_inc();
    let pid = p.pid;
    dispatch(Job::Spawn(p, entry));
    pid
}

/// A deep copy of `word` whose cells are charged to `to` (they are its from now on).
///
/// # Safety
/// As `copy::deep_copy`.
unsafe fn copy_to(to: &Process, word: u64, counted: bool) -> u64 {
    let owner = crate::memory::set_owner(&to.cells);
    // SAFETY: forwarded contract.
    let w = unsafe { copy::deep_copy(word, counted) };
    crate::memory::set_owner(owner);
    w
}

/// A deep copy for process `pid` (charged to nobody when it does not exist).
///
/// # Safety
/// As `copy::deep_copy`.
unsafe fn copy_for(pid: Pid, word: u64, counted: bool) -> u64 {
    match PROCS.get(&pid).map(|p| p.clone()) {
        // SAFETY: forwarded contract.
        Some(p) => unsafe { copy_to(&p, word, counted) },
        None => {
            let owner = crate::memory::set_owner(std::ptr::null());
            // SAFETY: forwarded contract.
            let w = unsafe { copy::deep_copy(word, counted) };
            crate::memory::set_owner(owner);
            w
        }
    }
}

/// Cells held by processes still waiting when the program ends: not leaks.
pub fn cells_of_waiting_processes() -> i64 {
    let main = MAIN.get().map(|m| m.pid);
    PROCS
        .iter()
        .filter(|p| Some(p.pid) != main)
        .map(|p| p.cells.load(Ordering::Relaxed))
        .sum()
}

/// Process `from` ended (`why`: abnormally) and `p` is linked to it (spec 04 §11): a
/// trapping process gets a signal; another ends too when the reason is abnormal.
fn signal(p: &Process, from: Pid, why: Option<String>) {
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
    wake(p, inner);
}

/// Tells `watcher` that the process `pid` it monitors (reference `r`) ended.
fn down(watcher: Pid, r: i64, pid: Pid, why: String) {
    if let Some(w) = PROCS.get(&watcher).map(|w| w.clone()) {
        let mut inner = w.lock();
        if inner.exited {
            return;
        }
        inner.watching.retain(|(x, _)| *x != r);
        inner.signals.push_back(Sig::Down(r, pid, why));
        wake(&w, inner);
    }
}

static NEXT_MONITOR: AtomicI64 = AtomicI64::new(1);

/// `Process.monitor(pid)`: a reference (> 0); when `pid` ends, the caller gets
/// `Down(reference, pid, reason)` (at once, with "noproc", if it already has).
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_monitor(pid: Pid) -> i64 {
    let r = NEXT_MONITOR.fetch_add(1, Ordering::Relaxed);
    let me = me();
    let alive = PROCS.get(&pid).map(|t| t.clone()).is_some_and(|t| {
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
    if let Some(t) = PROCS.get(&target).map(|t| t.clone()) {
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
    let Some(p) = current() else { return };
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

/// Ends process `pid` at its next suspension (a supervisor's shutdown, spec 04 §9.2).
fn kill(pid: Pid, why: &str) {
    if let Some(p) = PROCS.get(&pid).map(|p| p.clone()) {
        let mut inner = p.lock();
        if inner.exited || inner.kill.is_some() {
            return;
        }
        inner.kill = Some(why.to_string());
        wake(&p, inner);
    }
}

/// Links the calling process and `pid` (spec 04 §11); a no-op for an ended process
/// and on the main thread.
fn link(me: &Process, pid: Pid) {
    ensure_listed(me);
    let Some(q) = PROCS.get(&pid).map(|q| q.clone()) else {
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
    if let Some(me) = current() {
        link(me, pid);
    }
}

/// Wakes `p` (a message or a reply arrived); the caller holds `p`'s lock as `inner`.
fn wake(p: &Process, mut inner: MutexGuard<'_, Inner>) {
    let waker = inner.waker.take();
    if inner.idle {
        inner.idle = false;
        active_inc();
    }
    drop(inner);
    if let Some(w) = waker {
        w.wake();
    }
    p.cv.notify_one();
}

fn deliver_reply(caller: Pid, id: i64, reply: Result<Msg, String>) {
    let Some(p) = PROCS.get(&caller).map(|p| p.clone()) else {
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
    inner.replies.push((id, reply));
    wake(&p, inner);
}

/// The calling process (the main thread's process outside workers), listed in `PROCS`.
fn me() -> &'static Process {
    match current() {
        Some(p) => {
            ensure_listed(p);
            p
        }
        None => main_process(),
    }
}

/// Lists `p` in `PROCS` if it is not yet (an HTTP handler's process whose pid is about
/// to be seen: replies, links, `self()` must find it).
fn ensure_listed(p: &Process) {
    if !p.listed.swap(true, Ordering::Relaxed) {
        PROCS.insert(p.pid, arc_of(p));
    }
}

/// One more strong reference to a process.
fn arc_of(p: &Process) -> Arc<Process> {
    // SAFETY: every process lives in an `Arc` (`Process::new` callers).
    unsafe {
        Arc::increment_strong_count(p as *const Process);
        Arc::from_raw(p as *const Process)
    }
}

/// A service call starts (spec 04 §12.3): a new call id that `pid` owes a reply to.
/// Calling an ended process fails at `Process.await_reply`.
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_call_id(pid: Pid) -> i64 {
    let id = NEXT_CALL.fetch_add(1, Ordering::Relaxed);
    let caller = me().pid;
    let target = PROCS.get(&pid).map(|p| p.clone());
    let owed = target.is_some_and(|t| {
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
    id
}

/// A service answers call `id` with `word` (copied for the caller).
///
/// # Safety
/// As `mesh_rt_send`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_reply(id: i64, word: u64, counted: i64) {
    let me = me();
    let caller = {
        let mut inner = me.lock();
        match inner.owed.iter().position(|(i, _)| *i == id) {
            Some(k) => inner.owed.remove(k).1,
            None => return,
        }
    };
    let counted = counted != 0;
    // SAFETY: forwarded contract.
    let word = unsafe { copy_for(caller, word, counted) };
    deliver_reply(caller, id, Ok(Msg { word, counted }));
}

/// Waits (until `deadline`, if any) for the reply to call `id`: `None` on timeout.
fn wait_reply(id: i64, deadline: Option<Instant>) -> Option<Result<Msg, String>> {
    let me = me();
    loop {
        let mut inner = me.lock();
        if let Some(k) = inner.replies.iter().position(|(i, _)| *i == id) {
            return Some(inner.replies.remove(k).1);
        }
        let now = Instant::now();
        if deadline.is_some_and(|d| now >= d) {
            return None;
        }
        match current() {
            Some(p) => {
                // queued messages are not what this wait is for
                inner.skip = inner.queue.len();
                drop(inner);
                suspend(p, Suspend::Wait(deadline));
                p.lock().skip = 0;
            }
            None => match deadline {
                Some(d) => drop(
                    me.cv
                        .wait_timeout(inner, d - now)
                        .unwrap_or_else(|e| e.into_inner()),
                ),
                None => drop(me.cv.wait(inner).unwrap_or_else(|e| e.into_inner())),
            },
        }
    }
}

/// How long a service call waits for its reply (as Elixir's `GenServer.call`).
pub const CALL_TIMEOUT: Duration = Duration::from_millis(5000);

/// Waits for the reply to call `id` (to `pid`); a runtime error when the service ended
/// first or did not answer within `CALL_TIMEOUT` (its late reply is then dropped).
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_await_reply(id: i64, _counted: i64) -> u64 {
    match wait_reply(id, Some(Instant::now() + CALL_TIMEOUT)) {
        Some(Ok(m)) => m.word,
        Some(Err(why)) => fail(&located(&format!("service call failed: {why}"))),
        None => {
            let caller = me().pid;
            for p in PROCS.iter() {
                p.lock().owed.retain(|(i, c)| !(*i == id && *c == caller));
            }
            if let Some(Ok(m)) = wait_reply(id, Some(Instant::now())) {
                return m.word;
            }
            fail(&located(&format!(
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
/// As `mesh_rt_spawn`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_job(thunk: *mut u8, _result: *mut u8) -> Pid {
    // SAFETY: forwarded contract.
    unsafe { spawn_thunk(thunk, Some(me().pid)) }
}

/// The job's result, for the process that started it.
///
/// # Safety
/// As `mesh_rt_send`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_finish_job(word: u64, counted: i64) {
    // SAFETY: forwarded contract.
    unsafe { mesh_rt_reply(me().pid, word, counted) }
}

/// `Job.await(job)` (`timeout_ms` < 0) and `Job.await_timeout`: `Ok(result)`,
/// `Err(reason)` when the job crashed, `Err("timeout")`.
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_await_job(job: Pid, timeout_ms: i64, counted: i64) -> *mut u8 {
    let deadline =
        (timeout_ms >= 0).then(|| Instant::now() + Duration::from_millis(timeout_ms as u64));
    let r = wait_reply(job, deadline).or_else(|| {
        // give up on the job: it no longer owes this process its result
        let caller = me().pid;
        if let Some(p) = PROCS.get(&job).map(|p| p.clone()) {
            p.lock().owed.retain(|(i, c)| !(*i == job && *c == caller));
        }
        wait_reply(job, Some(Instant::now()))
    });
    match r {
        Some(Ok(m)) => obj(0, &[m.word], counted as u64 & 1),
        Some(Err(why)) => obj(1, &[new_str(why.as_bytes()) as u64], 1),
        None => obj(1, &[new_str(b"timeout") as u64], 1),
    }
}

/// `send`: copies `word` (a counted pointer when `counted` is 1) into `pid`'s mailbox.
/// Sending to an unknown or ended process does nothing (spec 04 §5).
///
/// # Safety
/// When `counted`, `word` is a live cell.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_send(pid: Pid, word: u64, counted: i64) {
    let Some(p) = PROCS.get(&pid).map(|p| p.clone()) else {
        return;
    };
    let counted = counted != 0;
    // SAFETY: forwarded contract.
    let word = unsafe { copy_to(&p, word, counted) };
    deliver(&p, Msg { word, counted });
}

/// `receive`: the oldest message as `Some(message)`, or `None` after `timeout_ms`
/// (negative: wait for ever; 0: only a message already there).
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_receive(timeout_ms: i64, counted: i64) -> *mut u8 {
    let deadline =
        (timeout_ms > 0).then(|| Instant::now() + Duration::from_millis(timeout_ms as u64));
    let some = |m: Msg| obj(0, &[m.word], counted as u64 & 1);
    match current() {
        Some(p) => loop {
            if let Some(m) = p.lock().queue.pop_front() {
                return some(m);
            }
            if timeout_ms == 0 || deadline.is_some_and(|d| Instant::now() >= d) {
                return obj(1, &[], 0);
            }
            suspend(p, Suspend::Wait(deadline));
        },
        None => {
            let p = main_process();
            let mut inner = p.lock();
            loop {
                if let Some(m) = inner.queue.pop_front() {
                    return some(m);
                }
                let now = Instant::now();
                match deadline {
                    _ if timeout_ms == 0 => return obj(1, &[], 0),
                    Some(d) if now >= d => return obj(1, &[], 0),
                    Some(d) => inner = p.cv.wait_timeout(inner, d - now).unwrap().0,
                    None => inner = p.cv.wait(inner).unwrap(),
                }
            }
        }
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
    let deadline =
        (timeout_ms > 0).then(|| Instant::now() + Duration::from_millis(timeout_ms as u64));
    let counted = (kind == crate::library::SORT_COUNTED) as u64;
    let Some(p) = current() else {
        return obj(1, &[], 0);
    };
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
    let deadline =
        (timeout_ms > 0).then(|| Instant::now() + Duration::from_millis(timeout_ms as u64));
    let Some(p) = current() else {
        return obj(2, &[], 0);
    };
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

/// `Timer.sleep(ms)`: suspends only the calling process (the thread, on `main`).
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

/// `Timer.send_after(pid, ms, message)`: the message is copied now, delivered later.
///
/// # Safety
/// As `mesh_rt_send`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_send_after(pid: Pid, ms: i64, word: u64, counted: i64) {
    let counted = counted != 0;
    // SAFETY: forwarded contract.
    let word = unsafe { copy_for(pid, word, counted) };
    active_inc();
    let at = Instant::now() + Duration::from_millis(ms.max(0) as u64);
    dispatch(Job::Timer(at, pid, Msg { word, counted }));
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
    let Some(p) = PROCS.get(&pid).map(|p| p.clone()) else {
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
    NAMES.get(unsafe { as_str(name) }).map_or(0, |p| *p)
}

/// How a pid prints: `<0.N>`.
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_pid_to_str(pid: Pid) -> *mut u8 {
    new_str(format!("<0.{pid}>").as_bytes())
}

/// After `main` returns: waits until no process can run again (spec 04 §17).
pub fn wait_quiet() {
    if WORKERS.get().is_none() {
        return;
    }
    let mut g = QUIET.0.lock().unwrap_or_else(|e| e.into_inner());
    QUIET_WAITER.store(true, Ordering::SeqCst);
    while ACTIVE.load(Ordering::SeqCst) > 0 {
        g = QUIET
            .1
            .wait_timeout(g, Duration::from_millis(10))
            .unwrap_or_else(|e| e.into_inner())
            .0;
    }
}
