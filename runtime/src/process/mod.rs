//! The process core (spec 04): processes, their scheduling, mailboxes, signals, links
//! and monitors, the registry and timers. It knows nothing of HTTP, WebSockets,
//! databases or other nodes: those are its clients, through the API below (STYLE.md
//! §9; `papers/scheduler.md`).
//!
//! * A process is a stackful coroutine (`corosensei`) run on one worker thread; its
//!   stack is the worker's shared stack, copied out when it suspends (`stack.rs`), so a
//!   process that has started stays on its worker (decision 32). Workers run their
//!   processes from their own run queues (`sched.rs`) inside a tokio current-thread
//!   runtime that also drives the I/O and timers of that thread.
//! * A message is deep-copied into the receiver (`copy.rs`) and queued in its mailbox;
//!   a process waiting for it is made runnable — on the sender's own worker it runs next
//!   (a hand-off, as Go's `runnext`); from another worker it goes to that worker's
//!   inject queue, which costs a system call only when that worker sleeps.
//! * A pid is a 64-bit value (spec 05 §6): bits 63–48 a node id (0 here), 47–40 a
//!   creation, 39–0 the local id. Sends, links, monitors and exits for a pid of another
//!   node go to the one `Remote` hook a distribution layer installs.
//!
//! Client API: `spawn_closure`, `spawn_native`, `spawn_rust`, `spawn_task`,
//! `await_future`, `hold`, `KeepAlive`, `Extension`, `kill`, `set_remote`, plus the
//! C-ABI functions compiled code calls (`mesh_rt_*`). Paper: `papers/actors.md`.

pub mod copy;
mod lock;
mod mailbox;
pub use mailbox::mesh_rt_send;
mod proc;
mod registry;
mod remote;
mod replies;
mod run;
mod sched;
mod signals;
mod stack;
mod timer;

pub(crate) use mailbox::{copy_to, wake};
pub use proc::{current, current_pid, fail, Extension, Process};
pub use registry::{lookup, whereis_name};
pub use remote::{
    deliver_built, message_type, monitor_from, owe, remote_down, remote_exit, remote_link,
    remote_reply,
};
pub use run::call_site;
pub use sched::{
    await_future, cells_of_waiting_processes, hold, keep_alive, run_main, set_outside_senders,
    spawn_task, KeepAlive, Task,
};
pub use signals::{exit_process, kill, link_to, next_exit_signal, peer_signal, trap_exits};

use std::sync::OnceLock;

pub type Pid = i64;

/// Bits of a pid below its node id.
pub const NODE_SHIFT: u32 = 48;

/// The node id of a pid (0: this node).
pub fn node_of(pid: Pid) -> u16 {
    (pid as u64 >> NODE_SHIFT) as u16
}

/// What a remote pid's operations go to: the distribution layer, when a node runs.
/// Messages cross as the words compiled code passes (`counted`: a counted pointer the
/// hook copies or encodes before returning).
pub trait Remote: Send + Sync {
    /// `send(pid, message)` to a pid of another node; `message_type` is the compiler's
    /// descriptor of the message's type (null when unknown). The message stays the
    /// caller's; an error says why it cannot travel.
    fn send(
        &self,
        to: Pid,
        word: u64,
        counted: bool,
        message_type: *const u8,
    ) -> Result<(), String>;
    /// `from` (local) links to `to` (remote).
    fn link(&self, from: Pid, to: Pid);
    /// `from` (local) monitors `to` (remote) under reference `r`.
    fn monitor(&self, from: Pid, to: Pid, r: i64);
    /// `from` (local) ended, and `to` (remote) is linked to it.
    fn exit(&self, from: Pid, to: Pid, reason: Option<&str>);
    /// `pid` (local) ended (`why`), and `watcher` (not local) monitors it under `r`.
    fn down(&self, watcher: Pid, r: i64, pid: Pid, why: &str);
    /// `caller` (local) starts service call `id` to `to` (remote): `to` owes it a reply.
    fn call(&self, caller: Pid, to: Pid, id: i64);
    /// A local service answers call `id` of `caller` (remote): the reply's word and the
    /// descriptor of its type, or why the call failed. The word stays the caller's.
    fn reply(&self, caller: Pid, id: i64, reply: Result<(u64, bool, *const u8), &str>);
}

static REMOTE: OnceLock<Box<dyn Remote>> = OnceLock::new();

/// Installs the hook for pids of other nodes (once; later calls are ignored).
pub fn set_remote(r: Box<dyn Remote>) {
    let _ = REMOTE.set(r);
}

/// The remote hook, when a pid is not local and a distribution layer is installed.
fn remote(pid: Pid) -> Option<&'static dyn Remote> {
    if node_of(pid) == 0 {
        None
    } else {
        REMOTE.get().map(|r| r.as_ref())
    }
}

/// Spawns a process running the zero-argument Mesh closure `clo` (borrowed; the process
/// gets a copy); its pid.
///
/// # Safety
/// `clo` is a live closure.
pub unsafe fn spawn_closure(clo: *mut u8) -> Pid {
    // SAFETY: forwarded contract.
    unsafe { sched::spawn_thunk(clo, None) }
}

/// A new process running Rust code `body` on its own copy of the Mesh closure `clo`
/// (which `body` owns and must drop): library services that call back into the program.
///
/// # Safety
/// `clo` is a live closure.
pub unsafe fn spawn_native(clo: *mut u8, body: impl FnOnce(usize) + Send + 'static) -> Pid {
    // SAFETY: forwarded contract.
    unsafe { sched::spawn_native(clo, body) }
}

/// A new process running Rust code (which may call Mesh closures); its pid. `local`:
/// on the calling thread's worker (a connection's process, next to its socket's task).
pub fn spawn_rust(local: bool, body: impl FnOnce() + Send + 'static) -> Pid {
    sched::spawn_rust(local, body)
}

/// A new process running Rust code on copies of the Mesh values `words` (counted cells,
/// copied into it); `body` returns the process's abnormal exit reason, if any.
///
/// # Safety
/// The `words` are live cells.
pub unsafe fn spawn_rust_with(
    words: Vec<u64>,
    body: impl FnOnce(Vec<u64>) -> Option<String> + Send + 'static,
) -> Pid {
    // SAFETY: forwarded contract.
    unsafe { sched::spawn_rust_with(words, body) }
}

/// Calls the zero-argument Mesh closure `thunk` (owning it) in the running process; its
/// word result (a pid, for start closures).
///
/// # Safety
/// `thunk` is a live closure whose result is a word.
pub unsafe fn call_thunk(thunk: *mut u8) -> i64 {
    // SAFETY: forwarded contract.
    unsafe { run::run_thunk(thunk) }
}

/// `spawn`: a new process running the closure `thunk` (borrowed; the process gets a
/// copy), receiving messages of the type named `message_type` (an immortal string, or
/// null: unknown). Returns its pid.
///
/// # Safety
/// `thunk` is a live zero-argument closure; `message_type` is null or immortal.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_spawn(thunk: *mut u8, message_type: *mut u8) -> Pid {
    // SAFETY: forwarded contract.
    unsafe { sched::spawn_thunk_typed(thunk, None, message_type) }
}
#[cfg(test)]
mod tests;
