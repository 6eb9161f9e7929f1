//! The distribution layer (spec 05 §1–§9): a program becomes a *node* with
//! `Node.start`, connects to others over TLS sessions authenticated by the cookie
//! handshake (`session.rs`), and from then on its processes send to, link to,
//! monitor and spawn processes of other nodes as of their own; a cluster-wide registry
//! of names is replicated on every node (`global.rs`). Messages cross by value in STF
//! (`wire.rs`), directed by the compiler's description of their type.
//!
//! It is a client of the process core: the core hands it every operation on a pid of
//! another node (the `Remote` hook) and it calls the core's public API back when
//! something arrives (`process::remote`). Paper: `papers/distribution.md`.
//!
//! A pid of another node is `node id << 48 | local id`: node ids are this node's
//! numbers for its sessions (1, 2, …, never reused), so a pid of a peer that left and
//! came back does not reach the new incarnation.

pub mod bootstrap;
pub mod continuity;
mod discovery;
pub(crate) use mesh_wire::frame;
mod global;
pub use mesh_wire::name;
mod ops;
mod session;
pub mod transient;
pub mod wire;

use crate::process::{self, Pid};
use crate::strings::{as_str, new_str};
use session::Session;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Bits of a pid that are its local id.
const LOCAL: i64 = (1 << 40) - 1;
/// The node id of the layer's own watcher pids (the owners of global names).
const SELF_WATCH: i64 = 0xFFFF;

pub(crate) fn local_id(pid: Pid) -> u64 {
    (pid & LOCAL) as u64
}

pub(crate) fn qualify(node: u16, id: u64) -> Pid {
    ((node as i64) << 48) | (id as i64 & LOCAL)
}

/// This node, once started.
pub(crate) struct Node {
    pub name: String,
    pub cookie: Vec<u8>,
    pub rt: tokio::runtime::Handle,
    pub tls: session::Tls,
    pub peers: Mutex<Peers>,
    /// Links between a local process and a process of a peer, either way: (local, remote).
    pub links: Mutex<Vec<(Pid, Pid)>>,
    /// Monitors of local processes on processes of peers: (watcher, reference, target).
    pub monitors: Mutex<Vec<(Pid, i64, Pid)>>,
    /// Service calls of local callers waiting for a peer's reply: (caller, call id, node).
    pub calls: Mutex<Vec<(Pid, i64, u16)>>,
    /// `Node.monitor(name)` subscriptions: (local process, node name).
    pub node_watchers: Mutex<Vec<(Pid, String)>>,
    /// Remote spawns waiting for their reply, by request id.
    pub spawns: Mutex<HashMap<u64, tokio::sync::oneshot::Sender<Result<u64, String>>>>,
}

#[derive(Default)]
pub(crate) struct Peers {
    pub by_name: HashMap<String, Arc<Session>>,
    pub names: HashMap<u16, String>,
    pub next_id: u16,
}

static NODE: OnceLock<Node> = OnceLock::new();

pub(crate) fn node() -> Option<&'static Node> {
    NODE.get()
}

impl Node {
    pub fn session(&self, id: u16) -> Option<Arc<Session>> {
        let peers = self.peers.lock().unwrap();
        let name = peers.names.get(&id)?;
        peers.by_name.get(name).cloned()
    }

    pub fn session_named(&self, name: &str) -> Option<Arc<Session>> {
        self.peers.lock().unwrap().by_name.get(name).cloned()
    }

    pub fn peer_names(&self) -> Vec<String> {
        let peers = self.peers.lock().unwrap();
        let mut v: Vec<String> = peers.by_name.keys().cloned().collect();
        v.sort();
        v
    }
}

/// Pids in messages: named by their owning node on the wire.
pub(crate) struct WirePids<'a>(pub &'a Node);

impl wire::Pids for WirePids<'_> {
    fn name(&self, pid: i64) -> Option<(String, u64)> {
        match process::node_of(pid) {
            0 => Some((self.0.name.clone(), local_id(pid))),
            n => {
                let peers = self.0.peers.lock().unwrap();
                Some((peers.names.get(&n)?.clone(), local_id(pid)))
            }
        }
    }
    fn pid(&self, node: &str, id: u64) -> Option<i64> {
        if node == self.0.name {
            return Some(id as i64 & LOCAL);
        }
        let peers = self.0.peers.lock().unwrap();
        Some(qualify(peers.by_name.get(node)?.id, id))
    }
}

/// Pids without a node (standalone): local ones only.
struct LocalPids;

impl wire::Pids for LocalPids {
    fn name(&self, pid: i64) -> Option<(String, u64)> {
        (process::node_of(pid) == 0).then(|| ("nonode@nohost".to_string(), local_id(pid)))
    }
    fn pid(&self, node: &str, id: u64) -> Option<i64> {
        (node == "nonode@nohost").then_some(id as i64 & LOCAL)
    }
}

/// The hook the core calls for pids of other nodes.
struct Hook;

impl process::Remote for Hook {
    fn send(
        &self,
        to: Pid,
        word: u64,
        counted: bool,
        message_type: *const u8,
    ) -> Result<(), String> {
        let Some(n) = node() else { return Ok(()) };
        let Some(s) = n.session(process::node_of(to)) else {
            return Ok(()); // a send to a node that is gone does nothing, as to an ended process
        };
        // SAFETY: the compiler's descriptor is an immortal string; `word` is live.
        let f = unsafe { ops::send_frame(n, local_id(to), word, counted, message_type) }?;
        s.push(f);
        Ok(())
    }

    fn link(&self, from: Pid, to: Pid) {
        let Some(n) = node() else { return };
        n.links.lock().unwrap().push((from, to));
        match n.session(process::node_of(to)) {
            Some(s) => s.push(ops::pair_frame(frame::LINK, local_id(from), local_id(to))),
            None => process::remote_exit(from, to, Some("noconnection".into())),
        }
    }

    fn monitor(&self, from: Pid, to: Pid, r: i64) {
        let Some(n) = node() else { return };
        match n.session(process::node_of(to)) {
            Some(s) => {
                n.monitors.lock().unwrap().push((from, r, to));
                let mut f = ops::pair_frame(frame::MONITOR, local_id(from), local_id(to));
                f.extend_from_slice(&r.to_le_bytes());
                s.push(frame::framed(f));
            }
            None => process::remote_down(from, r, to, "noconnection".into()),
        }
    }

    fn exit(&self, from: Pid, to: Pid, reason: Option<&str>) {
        let Some(n) = node() else { return };
        n.links.lock().unwrap().retain(|l| *l != (from, to));
        if let Some(s) = n.session(process::node_of(to)) {
            s.push(ops::exit_frame(
                frame::EXIT,
                local_id(from),
                local_id(to),
                None,
                reason,
            ));
        }
    }

    fn down(&self, watcher: Pid, r: i64, pid: Pid, why: &str) {
        let Some(n) = node() else {
            return global::owner_exited(pid);
        };
        if process::node_of(watcher) as i64 == SELF_WATCH {
            return global::owner_exited(pid);
        }
        if let Some(s) = n.session(process::node_of(watcher)) {
            let f = ops::exit_frame(
                frame::MONITOR_EXIT,
                local_id(pid),
                local_id(watcher),
                Some(r),
                Some(why),
            );
            s.push(f);
        }
    }

    fn call(&self, caller: Pid, to: Pid, id: i64) {
        let Some(n) = node() else { return };
        let node_id = process::node_of(to);
        let Some(s) = n.session(node_id) else {
            return process::remote_reply(caller, id, Err("its node is not connected".into()));
        };
        n.calls.lock().unwrap().push((caller, id, node_id));
        s.push(
            frame::Frame::new(frame::CALL)
                .u64(local_id(caller))
                .u64(local_id(to))
                .u64(id as u64)
                .done(),
        );
    }

    fn reply(&self, caller: Pid, id: i64, reply: Result<(u64, bool, *const u8), &str>) {
        let Some(n) = node() else { return };
        let Some(s) = n.session(process::node_of(caller)) else {
            return; // the caller's node is gone, and the caller with it
        };
        let head = || {
            frame::Frame::new(frame::REPLY)
                .u64(local_id(caller))
                .u64(id as u64)
        };
        let f = match reply {
            // SAFETY: the compiler's descriptor is an immortal string; `word` is live.
            Ok((word, counted, desc)) => {
                match unsafe { ops::message_frame(n, head().u8(0), word, counted, desc) } {
                    Ok(f) => f,
                    Err(why) => head()
                        .u8(1)
                        .str16(&format!("the reply cannot cross nodes: {why}"))
                        .done(),
                }
            }
            Err(why) => head().u8(1).str16(why).done(),
        };
        s.push(f);
    }
}

/// Installs the hook (once): global names work in a standalone program too.
fn install() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| process::set_remote(Box::new(Hook)));
}

/// # Safety
/// `p` is a live string.
pub(crate) unsafe fn text<'a>(p: *const u8) -> &'a str {
    // SAFETY: forwarded contract.
    unsafe { as_str(p) }
}

/// `Node.start(name, cookie)`: 0, -1 already started, -2 bind failed, -3 invalid.
///
/// # Safety
/// Both are live strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_node_start(name: *const u8, cookie: *const u8) -> i64 {
    // SAFETY: forwarded contract.
    let (name, cookie) = unsafe { (text(name), text(cookie)) };
    session::start(name, cookie)
}

/// `Node.connect(target)`: 0, -1 not started, -2 TCP connect failed, -3 handshake
/// failed or a malformed target.
///
/// # Safety
/// `target` is a live string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_node_connect(target: *const u8) -> i64 {
    // SAFETY: forwarded contract.
    let target = unsafe { text(target) }.to_string();
    let Some(n) = node() else { return -1 };
    process::await_future(session::connect(n, target))
}

/// `Node.self()`: this node's name, "" standalone.
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_node_self() -> *mut u8 {
    new_str(node().map_or("", |n| n.name.as_str()).as_bytes())
}

/// `Node.send(node, name, message)`: to the process registered (`Process.register`) as
/// `name` on node `node` — this one when `node` is its own name or "". Like `send`, it
/// never blocks and never fails for an unknown name or a node that is not connected
/// (the message is dropped); a message that cannot travel fails the sender.
///
/// # Safety
/// `node` and `name` are live strings; as `mesh_rt_send` for the rest.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_node_send(
    target: *const u8,
    name: *const u8,
    word: u64,
    counted: i64,
    message_type: *const u8,
) {
    // SAFETY: forwarded contract.
    let (target, name) = unsafe { (text(target), text(name)) };
    let me = node().map_or("", |n| n.name.as_str());
    if target.is_empty() || target == me {
        let pid = process::whereis_name(name);
        // SAFETY: forwarded contract.
        return unsafe { crate::process::mesh_rt_send(pid, word, counted, message_type) };
    }
    let Some(n) = node() else { return };
    let Some(s) = n.session_named(target) else {
        return;
    };
    // SAFETY: forwarded contract.
    match unsafe { ops::reg_send_frame(n, name, word, counted != 0, message_type) } {
        Ok(f) => s.push(f),
        Err(why) => process::fail(&format!("send: {why}")),
    }
}

/// `Node.monitor(name)`: the calling process gets `NodeUp(name)` each time a session
/// with that node is set up and `NodeDown(name)` each time it is lost (decision 52):
/// 0, or 1 when this program is no node or `name` is no node name.
///
/// # Safety
/// `name` is a live string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_node_monitor(name: *const u8) -> i64 {
    // SAFETY: forwarded contract.
    let name = unsafe { text(name) }.to_string();
    let (Some(n), Ok(_)) = (node(), name::parse(&name)) else {
        return 1;
    };
    let me = process::current_pid();
    if me == 0 {
        return 1;
    }
    n.node_watchers.lock().unwrap().push((me, name));
    0
}

/// `Node.list()`: the connected peers' names.
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_node_list() -> *mut u8 {
    let names = node().map(Node::peer_names).unwrap_or_default();
    crate::library::list(names.iter().map(|s| new_str(s.as_bytes())).collect(), true)
}

/// Registered remote-spawn entry points: name → a closure that spawns the function on
/// the arguments `mesh_rt_node_spawn_args` decodes (the compiler registers one per
/// `Node.spawn` target at the start of `main`).
static SPAWNERS: std::sync::LazyLock<Mutex<HashMap<String, usize>>> =
    std::sync::LazyLock::new(Default::default);

/// `Node.register_spawn(name, spawner)` (generated).
///
/// # Safety
/// `name` is a live string; `spawner` a live zero-argument closure returning a pid.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_node_register_spawn(name: *const u8, spawner: *mut u8) {
    // SAFETY: forwarded contract; the closure is kept for the program's life.
    unsafe {
        crate::memory::immortalize(spawner);
        SPAWNERS
            .lock()
            .unwrap()
            .insert(text(name).to_string(), spawner as usize);
    }
}

pub(crate) fn spawner(name: &str) -> Option<usize> {
    SPAWNERS.lock().unwrap().get(name).copied()
}

/// `Node.spawn(node, f, args…)` / `Node.spawn_link` (generated: `key` names the
/// target, `args` are its arguments as one value described by `desc`): the new
/// process's pid, or 0 when it could not be spawned (the reason is logged).
///
/// # Safety
/// Strings are live; `args` is a live value of the described type.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_node_spawn(
    target: *const u8,
    key: *const u8,
    args: u64,
    desc: *const u8,
    link: u8,
) -> Pid {
    // SAFETY: forwarded contract.
    let (target, key) = unsafe { (text(target).to_string(), text(key).to_string()) };
    let Some(n) = node() else {
        tracing_or_eprint(&format!(
            "mesh node spawn failed target={target} fn={key}: node not started"
        ));
        return 0;
    };
    // SAFETY: forwarded contract.
    let payload = match unsafe { ops::args_payload(n, args, desc) } {
        Ok(p) => p,
        Err(why) => {
            tracing::warn!("mesh node spawn failed target={target} fn={key}: {why}");
            return 0;
        }
    };
    let me = process::current_pid();
    match process::await_future(ops::spawn(
        n,
        target.clone(),
        key.clone(),
        payload,
        me,
        link != 0,
    )) {
        Ok(pid) => pid,
        Err(why) => {
            tracing::warn!("mesh node spawn failed target={target} fn={key}: {why}");
            0
        }
    }
}

/// Arguments of remote spawns, by the pid of the process that spawns (`session.rs`).
pub(crate) static SPAWN_ARGS: std::sync::LazyLock<Mutex<HashMap<Pid, (Vec<u8>, String)>>> =
    std::sync::LazyLock::new(Default::default);

/// `Node.spawn_args()` (generated, in a spawner): `Some(arguments)` decoded as the type
/// `desc` describes, `None` when they do not have that type.
///
/// # Safety
/// `desc` is the compiler's descriptor string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_node_spawn_args(desc: *const u8) -> *mut u8 {
    let me = process::current_pid();
    let Some((bytes, _)) = SPAWN_ARGS.lock().unwrap().get(&me).cloned() else {
        return crate::library::none();
    };
    // SAFETY: forwarded contract.
    let Some(schema) = (unsafe { wire::schema_of(desc) }) else {
        return crate::library::none();
    };
    let decoded = match node() {
        Some(n) => wire::decode(&bytes, &schema, &WirePids(n)),
        None => wire::decode(&bytes, &schema, &LocalPids),
    };
    match decoded {
        Ok(w) => crate::library::obj(0, &[w], schema.counted() as u64),
        Err(why) => {
            if let Some(e) = SPAWN_ARGS.lock().unwrap().get_mut(&me) {
                e.1 = format!("remote_spawn_args_mismatch: {why}");
            }
            crate::library::none()
        }
    }
}

/// `Global.register(name, pid)`: 0, or 1 when the name is taken or empty.
///
/// # Safety
/// `name` is a live string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_global_register(name: *const u8, pid: Pid) -> i64 {
    install();
    // SAFETY: forwarded contract.
    global::register(unsafe { text(name) }, pid)
}

/// `Global.whereis(name)`: the pid, or 0.
///
/// # Safety
/// `name` is a live string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_global_whereis(name: *const u8) -> Pid {
    // SAFETY: forwarded contract.
    global::whereis(unsafe { text(name) })
}

/// `Global.unregister(name)`: 0, or 1 when unknown.
///
/// # Safety
/// `name` is a live string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_global_unregister(name: *const u8) -> i64 {
    // SAFETY: forwarded contract.
    global::unregister(unsafe { text(name) })
}

fn tracing_or_eprint(line: &str) {
    session::init_logs();
    tracing::warn!("{line}");
}
