//! The global registry (spec 05 §9): names → pids, one full replica per node. A
//! registration is local first (taken ⇒ 1), then broadcast; a node that hears of a name
//! it already has keeps its own (first seen wins). Names go when their owner ends (the
//! layer monitors it through the core with a watcher pid of its own) or when the node
//! that owns them is lost. Lookups never leave the node.

use super::{frame, node, ops, Pid, SELF_WATCH};
use crate::process;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

/// Standalone nodes own their names as this node.
pub const NO_NODE: &str = "nonode@nohost";

/// name → (pid as seen here, owning node).
static NAMES: LazyLock<Mutex<HashMap<String, (Pid, String)>>> = LazyLock::new(Default::default);

fn me() -> String {
    node().map_or_else(|| NO_NODE.to_string(), |n| n.name.clone())
}

pub fn register(name: &str, pid: Pid) -> i64 {
    if name.is_empty() || pid == 0 {
        return 1;
    }
    let owner = match process::node_of(pid) {
        0 => me(),
        id => match node().and_then(|n| n.peers.lock().unwrap().names.get(&id).cloned()) {
            Some(peer) => peer,
            None => return 1,
        },
    };
    {
        let mut names = NAMES.lock().unwrap();
        if names.contains_key(name) {
            return 1;
        }
        names.insert(name.to_string(), (pid, owner.clone()));
    }
    if process::node_of(pid) == 0 {
        // told through `Remote::down` when it ends
        if !process::monitor_from(pid, super::qualify(SELF_WATCH as u16, 0), 0) {
            NAMES.lock().unwrap().remove(name);
            return 1;
        }
    }
    if let Some(n) = node() {
        let f = ops::global_register_frame(n, name, pid, &owner);
        for s in n.peers.lock().unwrap().by_name.values() {
            s.push(f.clone());
        }
    }
    0
}

pub fn whereis(name: &str) -> Pid {
    NAMES.lock().unwrap().get(name).map_or(0, |(p, _)| *p)
}

pub fn unregister(name: &str) -> i64 {
    if NAMES.lock().unwrap().remove(name).is_none() {
        return 1;
    }
    broadcast_unregister(&[name.to_string()]);
    0
}

fn broadcast_unregister(names: &[String]) {
    let Some(n) = node() else { return };
    let peers = n.peers.lock().unwrap();
    for name in names {
        let f = ops::name_frame(frame::GLOBAL_UNREGISTER, name);
        for s in peers.by_name.values() {
            s.push(f.clone());
        }
    }
}

/// The local process `pid` ended: its names go, everywhere.
pub fn owner_exited(pid: Pid) {
    let gone: Vec<String> = {
        let mut names = NAMES.lock().unwrap();
        let gone = names
            .iter()
            .filter(|(_, (p, _))| *p == pid)
            .map(|(k, _)| k.clone())
            .collect::<Vec<_>>();
        for k in &gone {
            names.remove(k);
        }
        gone
    };
    broadcast_unregister(&gone);
}

/// A peer's registration (`pid` already qualified here): kept unless the name is taken.
pub fn remote_register(name: String, pid: Pid, owner: String) {
    NAMES.lock().unwrap().entry(name).or_insert((pid, owner));
}

pub fn remote_unregister(name: &str, from: &str) {
    let mut names = NAMES.lock().unwrap();
    if names
        .get(name)
        .is_some_and(|(_, owner)| owner == from || owner != &me())
    {
        names.remove(name);
    }
}

/// The names owned by node `node` go (it was lost).
pub fn node_lost(node: &str) {
    NAMES.lock().unwrap().retain(|_, (_, owner)| owner != node);
}

/// The names this node owns, for a peer's snapshot: (name, pid, owner).
pub fn snapshot() -> Vec<(String, Pid, String)> {
    NAMES
        .lock()
        .unwrap()
        .iter()
        .map(|(k, (p, o))| (k.clone(), *p, o.clone()))
        .collect()
}
