//! What a session carries once it is set up (spec 05 §6–§9): the dispatch of arriving
//! frames — messages delivered under the receiver's schema, links, exits, monitors,
//! remote spawns, the global registry's updates, pings — and the frames this node sends.

use super::frame::*;
use super::session::{connect_on, Session};
use super::{global, local_id, qualify, wire, Node, WirePids};
use crate::process::{self, Pid};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// What arrived on a session.
pub(super) fn dispatch(n: &'static Node, s: &Arc<Session>, f: &[u8]) {
    let mut r = In { b: f, i: 0 };
    let Some(tag) = r.u8() else { return };
    let remote = |id: u64| qualify(s.id, id);
    match tag {
        SEND => {
            let (Some(to), Some(desc)) = (r.u64(), r.str16()) else {
                return;
            };
            let bytes = r.rest();
            deliver(n, to as Pid, desc, bytes);
        }
        REG_SEND => {
            let (Some(name), Some(desc)) = (r.str16(), r.str16()) else {
                return;
            };
            let to = process::whereis_name(name);
            if to != 0 {
                deliver(n, to, desc, r.rest());
            }
        }
        CALL => {
            let (Some(caller), Some(to), Some(id)) = (r.u64(), r.u64(), r.u64()) else {
                return;
            };
            process::owe(to as Pid, id as i64, remote(caller));
        }
        REPLY => {
            let (Some(caller), Some(id), Some(status)) = (r.u64(), r.u64(), r.u8()) else {
                return;
            };
            let (caller, id) = (caller as Pid, id as i64);
            {
                let mut calls = n.calls.lock().unwrap();
                let Some(k) = calls
                    .iter()
                    .position(|(c, i, node)| *c == caller && *i == id && *node == s.id)
                else {
                    return; // not a call of ours, or one that was given up
                };
                calls.remove(k);
            }
            let reply: Result<Box<dyn FnOnce() -> Option<(u64, bool)>>, String> = match status {
                0 => {
                    let Some(desc) = r.str16() else { return };
                    let bytes = r.rest().to_vec();
                    let (_, schema) = wire::descriptor(desc);
                    let Some(schema) = schema.and_then(wire::Schema::parse) else {
                        return process::remote_reply(
                            caller,
                            id,
                            Err("a reply of an unknown type".into()),
                        );
                    };
                    Ok(Box::new(move || {
                        match wire::decode(&bytes, &schema, &WirePids(n)) {
                            Ok(w) => Some((w, schema.counted())),
                            Err(why) => {
                                tracing::warn!(
                                    "mesh node: dropped a reply for <0.{caller}>: {why}"
                                );
                                None
                            }
                        }
                    }))
                }
                _ => Err(r.str16().unwrap_or("the call failed").to_string()),
            };
            process::remote_reply(caller, id, reply);
        }
        PEER_LIST => {
            let Some(count) = r.u16() else { return };
            for _ in 0..count {
                let Some(p) = r.str16() else { return };
                if p != n.name && n.session_named(p).is_none() {
                    let p = p.to_string();
                    tokio::spawn(async move {
                        connect_on(n, p).await;
                    });
                }
            }
        }
        LINK => {
            let (Some(from), Some(to)) = (r.u64(), r.u64()) else {
                return;
            };
            if process::remote_link(to as Pid, remote(from)) {
                n.links.lock().unwrap().push((to as Pid, remote(from)));
            } else {
                s.push(exit_frame(EXIT, to, from, None, Some("noproc")));
            }
        }
        UNLINK => {
            let (Some(from), Some(to)) = (r.u64(), r.u64()) else {
                return;
            };
            n.links
                .lock()
                .unwrap()
                .retain(|l| *l != (to as Pid, remote(from)));
        }
        EXIT => {
            let (Some(from), Some(to), Some(why)) = (r.u64(), r.u64(), reason(&mut r)) else {
                return;
            };
            n.links
                .lock()
                .unwrap()
                .retain(|l| *l != (to as Pid, remote(from)));
            process::remote_exit(to as Pid, remote(from), why);
        }
        MONITOR => {
            let (Some(from), Some(to), Some(rf)) = (r.u64(), r.u64(), r.u64()) else {
                return;
            };
            if !process::monitor_from(to as Pid, remote(from), rf as i64) {
                s.push(exit_frame(
                    MONITOR_EXIT,
                    to,
                    from,
                    Some(rf as i64),
                    Some("noproc"),
                ));
            }
        }
        MONITOR_EXIT => {
            let (Some(pid), Some(watcher), Some(rf), Some(why)) =
                (r.u64(), r.u64(), r.u64(), reason(&mut r))
            else {
                return;
            };
            let watcher = watcher as Pid;
            n.monitors
                .lock()
                .unwrap()
                .retain(|(w, x, _)| !(*w == watcher && *x == rf as i64));
            let why = why.unwrap_or_else(|| "normal".into());
            process::remote_down(watcher, rf as i64, remote(pid), why);
        }
        SPAWN => {
            let (Some(req), Some(from), Some(link), Some(key), Some(args)) =
                (r.u64(), r.u64(), r.u8(), r.str16(), r.bytes32())
            else {
                return;
            };
            spawn_here(
                n,
                s.clone(),
                req,
                remote(from),
                link != 0,
                key,
                args.to_vec(),
            );
        }
        SPAWN_REPLY => {
            let (Some(req), Some(status)) = (r.u64(), r.u8()) else {
                return;
            };
            let result = match status {
                0 => r.u64().map(|id| remote(id) as u64).ok_or_else(String::new),
                _ => Err(r.str16().unwrap_or("remote spawn failed").to_string()),
            };
            if let Some(tx) = n.spawns.lock().unwrap().remove(&req) {
                let _ = tx.send(result);
            }
        }
        GLOBAL_REGISTER => {
            let _ = registration(n, &mut r);
        }
        GLOBAL_UNREGISTER => {
            if let Some(name) = r.str16() {
                global::remote_unregister(name, &s.name);
            }
        }
        GLOBAL_SYNC => {
            let Some(count) = r.u32() else { return };
            for _ in 0..count.min(1_000_000) {
                if registration(n, &mut r).is_none() {
                    break;
                }
            }
            s.synced.store(true, Ordering::SeqCst);
            s.synced_note.notify_waiters();
        }
        PING => {
            let mut pong = Frame::new(PONG);
            pong.0.extend_from_slice(r.rest());
            s.push(pong.done());
        }
        super::continuity::peer::UPSERT..=super::continuity::peer::DISPATCH => {
            super::continuity::peer::arrived(n, s, tag, &mut r)
        }
        // PONG only shows the peer is alive (`heard`); unknown tags are ignored
        _ => {}
    }
}

/// One global registration (name, pid's node and local id, owner), taken unless the
/// name is known here; `None` when the frame ends early.
fn registration(n: &'static Node, r: &mut In<'_>) -> Option<()> {
    let (name, node, id, owner) = (r.str16()?, r.str16()?, r.u64()?, r.str16()?);
    if let Some(pid) = wire::Pids::pid(&WirePids(n), node, id) {
        global::remote_register(name.to_string(), pid, owner.to_string());
    }
    Some(())
}

/// An exit reason: `u8 abnormal` then its text; `Some(None)` for a normal exit.
fn reason(r: &mut In<'_>) -> Option<Option<String>> {
    match r.u8()? {
        0 => Some(None),
        _ => Some(Some(r.str16()?.to_string())),
    }
}

/// A message for local process `to`, decoded with the schema of the type it receives
/// (or the sender's, when the receiver's is unknown).
fn deliver(n: &'static Node, to: Pid, desc: &str, bytes: &[u8]) {
    let (sent_name, sent_schema) = wire::descriptor(desc);
    process::deliver_built(to, |wants| {
        // SAFETY: a process's descriptor is the compiler's immortal string, or null.
        let (wants_name, wants_schema) = match unsafe { wants.as_ref() } {
            Some(_) => {
                // SAFETY: as above.
                let text = unsafe { crate::strings::as_str(wants) };
                let (name, _) = wire::descriptor(text);
                // SAFETY: as above.
                (name.to_string(), unsafe { wire::schema_of(wants) })
            }
            None => (String::new(), None),
        };
        if !wants_name.is_empty() && !sent_name.is_empty() && wants_name != sent_name {
            tracing::warn!(
                "mesh node: dropped a message for <0.{to}>: it receives `{wants_name}` messages, not `{sent_name}`"
            );
            return None;
        }
        let schema = match wants_schema {
            Some(s) => s,
            None => Arc::new(wire::Schema::parse(sent_schema?)?),
        };
        match wire::decode(bytes, &schema, &WirePids(n)) {
            Ok(w) => Some((w, schema.counted())),
            Err(why) => {
                tracing::warn!("mesh node: dropped a message for <0.{to}>: {why}");
                None
            }
        }
    });
}

/// A `SEND` frame of `word` for local id `to` of a peer.
///
/// # Safety
/// `desc` is null or the compiler's descriptor string; `word` is a live value of it.
pub(crate) unsafe fn send_frame(
    n: &Node,
    to: u64,
    word: u64,
    counted: bool,
    desc: *const u8,
) -> Result<Vec<u8>, String> {
    // SAFETY: forwarded contract.
    unsafe { message_frame(n, Frame::new(SEND).u64(to), word, counted, desc) }
}

/// A `REG_SEND` frame of `word` for the process a peer registered as `name`.
///
/// # Safety
/// As `send_frame`.
pub(crate) unsafe fn reg_send_frame(
    n: &Node,
    name: &str,
    word: u64,
    counted: bool,
    desc: *const u8,
) -> Result<Vec<u8>, String> {
    // SAFETY: forwarded contract.
    unsafe { message_frame(n, Frame::new(REG_SEND).str16(name), word, counted, desc) }
}

/// `head` (a message frame's tag and target), then the message's descriptor and STF.
///
/// # Safety
/// As `send_frame`.
pub(crate) unsafe fn message_frame(
    n: &Node,
    head: Frame,
    word: u64,
    counted: bool,
    desc: *const u8,
) -> Result<Vec<u8>, String> {
    // SAFETY: forwarded contract.
    let Some(schema) = (unsafe { wire::schema_of(desc) }) else {
        return Err("a message whose type is not known here cannot be sent to another node".into());
    };
    let _ = counted;
    // SAFETY: forwarded contract.
    let stf = unsafe { wire::encode(word, &schema, &WirePids(n))? };
    // SAFETY: forwarded contract (non-null: it has a schema).
    let text = unsafe { crate::strings::as_str(desc) };
    let mut f = head.str16(text);
    f.0.extend_from_slice(&stf);
    if f.0.len() > FRAME_LIMIT {
        return Err(format!(
            "a message of {} bytes (at most 16 MiB cross a node)",
            f.0.len()
        ));
    }
    Ok(f.done())
}

pub(crate) fn pair_frame(tag: u8, a: u64, b: u64) -> Vec<u8> {
    Frame::new(tag).u64(a).u64(b).done()
}

pub(crate) fn exit_frame(tag: u8, a: u64, b: u64, r: Option<i64>, why: Option<&str>) -> Vec<u8> {
    let mut f = Frame::new(tag).u64(a).u64(b);
    if let Some(r) = r {
        f = f.u64(r as u64);
    }
    match why {
        None | Some("normal") => f.u8(0).done(),
        Some(w) => f.u8(1).str16(w).done(),
    }
}

pub(crate) fn name_frame(tag: u8, name: &str) -> Vec<u8> {
    Frame::new(tag).str16(name).done()
}

pub(crate) fn global_register_frame(n: &Node, name: &str, pid: Pid, owner: &str) -> Vec<u8> {
    let (node, id) = wire::Pids::name(&WirePids(n), pid).unwrap_or_default();
    Frame::new(GLOBAL_REGISTER)
        .str16(name)
        .str16(&node)
        .u64(id)
        .str16(owner)
        .done()
}

/// The STF of a remote spawn's arguments.
///
/// # Safety
/// As `send_frame`.
pub(crate) unsafe fn args_payload(n: &Node, args: u64, desc: *const u8) -> Result<Vec<u8>, String> {
    // SAFETY: forwarded contract.
    let Some(schema) = (unsafe { wire::schema_of(desc) }) else {
        return Err("remote_spawn_arg_type_unknown".into());
    };
    // SAFETY: forwarded contract.
    unsafe { wire::encode(args, &schema, &WirePids(n)) }
}

/// Asks `target` to spawn `key` on `args`; the new process's pid here.
pub async fn spawn(
    n: &'static Node,
    target: String,
    key: String,
    args: Vec<u8>,
    me: Pid,
    link: bool,
) -> Result<Pid, String> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let task = n.rt.spawn(async move {
        if n.session_named(&target).is_none() {
            let rc = connect_on(n, target.clone()).await;
            if rc != 0 {
                return Err(format!("connect failed ({rc})"));
            }
        }
        let Some(s) = n.session_named(&target) else {
            return Err("not connected".to_string());
        };
        static NEXT: AtomicU64 = AtomicU64::new(1);
        let req = NEXT.fetch_add(1, Ordering::Relaxed);
        n.spawns.lock().unwrap().insert(req, tx);
        let f = Frame::new(SPAWN)
            .u64(req)
            .u64(local_id(me))
            .u8(link as u8)
            .str16(&key)
            .bytes32(&args)
            .done();
        s.push(f);
        Ok(req)
    });
    let req = task.await.map_err(|e| e.to_string())??;
    let result = match tokio::time::timeout(Duration::from_secs(30), rx).await {
        Ok(Ok(r)) => r,
        Ok(Err(_)) => Err("the node was lost".to_string()),
        Err(_) => {
            n.spawns.lock().unwrap().remove(&req);
            Err("timed out".to_string())
        }
    };
    let pid = result? as Pid;
    if link {
        if process::remote_link(me, pid) {
            n.links.lock().unwrap().push((me, pid));
        }
    }
    Ok(pid)
}

/// A peer asks this node to spawn `key` on `args`: a short-lived process runs the
/// registered spawner (which decodes the arguments with their schema and spawns), then
/// replies.
fn spawn_here(
    n: &'static Node,
    s: Arc<Session>,
    req: u64,
    requester: Pid,
    link: bool,
    key: &str,
    args: Vec<u8>,
) {
    let reply_err = |why: String| {
        tracing::warn!("mesh node spawn failed target={} fn={key}: {why}", n.name);
        Frame::new(SPAWN_REPLY).u64(req).u8(1).str16(&why).done()
    };
    let Some(spawner) = super::spawner(key) else {
        s.push(reply_err("unknown function".into()));
        return;
    };
    let key = key.to_string();
    process::spawn_rust(false, move || {
        let me = process::current_pid();
        super::SPAWN_ARGS
            .lock()
            .unwrap()
            .insert(me, (args, String::new()));
        // SAFETY: the registered spawner is an immortal zero-argument closure giving a pid.
        let pid = unsafe { process::call_thunk(spawner as *mut u8) };
        let (_, why) = super::SPAWN_ARGS
            .lock()
            .unwrap()
            .remove(&me)
            .unwrap_or_default();
        let frame = if pid == 0 {
            tracing::warn!("mesh node spawn failed target={} fn={key}: {why}", n.name);
            Frame::new(SPAWN_REPLY).u64(req).u8(1).str16(&why).done()
        } else {
            if link && process::remote_link(pid, requester) {
                n.links.lock().unwrap().push((pid, requester));
            }
            Frame::new(SPAWN_REPLY)
                .u64(req)
                .u8(0)
                .u64(local_id(pid))
                .done()
        };
        s.push(frame);
    });
}
