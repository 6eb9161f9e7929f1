//! The core's side of pids of other nodes: what a distribution layer (a client of the
//! core, through the `Remote` hook) calls when a message, a link, an exit or a monitor
//! arrives from another node. The core only keeps the remote pids in its links and
//! monitors; the client knows what they mean.

use super::mailbox::deliver;
use super::proc::Msg;
use super::signals::{down, signal};
use super::Pid;
use std::sync::atomic::Ordering;

/// The compiler's descriptor of the message type process `pid` receives (null when
/// unknown or when there is no such process).
pub fn message_type(pid: Pid) -> *const u8 {
    super::registry::lookup(pid).map_or(std::ptr::null(), |p| {
        p.msg_type.load(Ordering::Relaxed) as *const u8
    })
}

/// Delivers to `pid` the message `build` makes — given the descriptor of the type
/// `pid` receives, it returns the message's word and whether it is a counted pointer,
/// or `None` (nothing is sent). The cells `build` allocates are the receiver's. False
/// when there is no such process.
pub fn deliver_built(pid: Pid, build: impl FnOnce(*const u8) -> Option<(u64, bool)>) -> bool {
    let Some(p) = super::registry::lookup(pid) else {
        return false;
    };
    let owner = crate::memory::set_owner(&p.cells);
    let made = build(p.msg_type.load(Ordering::Relaxed));
    crate::memory::set_owner(owner);
    if let Some((word, counted)) = made {
        deliver(&p, Msg { word, counted });
    }
    true
}

/// `from` (a process of another node), linked to `to` (local), ended (`why`: the
/// abnormal reason, `noconnection` when its node was lost).
pub fn remote_exit(to: Pid, from: Pid, why: Option<String>) {
    if let Some(p) = super::registry::lookup(to) {
        signal(&p, from, why);
    }
}

/// `pid` (another node's), monitored by `watcher` (local) under `r`, ended.
pub fn remote_down(watcher: Pid, r: i64, pid: Pid, why: String) {
    down(watcher, r, pid, why)
}

/// Links `local` to `remote` (a process of another node that linked to it); false when
/// `local` does not exist or has ended.
pub fn remote_link(local: Pid, remote: Pid) -> bool {
    let Some(p) = super::registry::lookup(local) else {
        return false;
    };
    super::registry::ensure_listed(&p);
    let mut inner = p.lock();
    if inner.exited {
        return false;
    }
    if !inner.links.contains(&remote) {
        inner.links.push(remote);
    }
    true
}

/// `watcher` (another node's process, or a client's own watcher pid) monitors `target`
/// (local) under `r`: told through `Remote::down` when it ends. False when `target`
/// does not exist or has ended.
pub fn monitor_from(target: Pid, watcher: Pid, r: i64) -> bool {
    let Some(p) = super::registry::lookup(target) else {
        return false;
    };
    super::registry::ensure_listed(&p);
    let mut inner = p.lock();
    if inner.exited {
        return false;
    }
    inner.monitors.push((r, watcher));
    true
}

/// A caller on another node starts call `id` to local process `to`: `to` owes it a
/// reply (failed at once, as "it is not running", when there is no such process).
pub fn owe(to: Pid, id: i64, caller: Pid) {
    super::replies::owe(to, id, caller)
}

/// The reply to call `id` of local `caller` arrived from another node: built by `build`
/// (its cells are the caller's), or the call failed.
pub fn remote_reply(
    caller: Pid,
    id: i64,
    reply: Result<Box<dyn FnOnce() -> Option<(u64, bool)>>, String>,
) {
    let Some(p) = super::registry::lookup(caller) else {
        return;
    };
    let msg = match reply {
        Ok(build) => {
            let owner = crate::memory::set_owner(&p.cells);
            let made = build();
            crate::memory::set_owner(owner);
            match made {
                Some((word, counted)) => Ok(Msg { word, counted }),
                None => Err("the reply could not be decoded".to_string()),
            }
        }
        Err(why) => Err(why),
    };
    super::replies::deliver_reply(caller, id, msg);
}
