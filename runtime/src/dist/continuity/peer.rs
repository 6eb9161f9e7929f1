//! The registry's frames between nodes (Mesh's own tags; spec 05 names the behaviour,
//! not the bytes): every change to a record is broadcast (`UPSERT`); a new session
//! carries the whole registry both ways (`SYNC`); a record that needs its replica waits
//! for a `PREPARE`'s `ACK` (at most 5 s); the ingress asks the owner to run declared
//! work (`DISPATCH`). Records are written by `Record::write` and checked on the way in.

use super::super::frame::{Frame, In};
use super::super::session::Session;
use super::super::{node, Node};
use super::record::Record;
use super::{reg, startup, Entry};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

pub const UPSERT: u8 = 0x40;
pub const SYNC: u8 = 0x41;
pub const PREPARE: u8 = 0x42;
pub const ACK: u8 = 0x43;
pub const DISPATCH: u8 = 0x44;

/// Prepares waiting for their replica: request id → (replica, answer).
type Waiting = HashMap<u64, (String, tokio::sync::oneshot::Sender<Result<(), String>>)>;
static PREPARES: LazyLock<Mutex<Waiting>> = LazyLock::new(Default::default);

/// Sends a changed record to every peer.
pub fn broadcast(r: &Record) {
    let Some(n) = node() else { return };
    let f = r.write(Frame::new(UPSERT)).done();
    for name in n.peer_names() {
        if let Some(s) = n.session_named(&name) {
            s.push(f.clone());
        }
    }
}

/// The whole registry, for a new session.
pub fn sync_frame() -> Vec<u8> {
    let g = reg();
    let mut f = Frame::new(SYNC).u32(g.records.len() as u32);
    for r in g.records.values() {
        f = r.write(f);
    }
    f.done()
}

/// Asks `r`'s replica to mirror it; `Err(reason)` when it cannot (§13.3, §11.3's table).
pub async fn prepare(r: Record) -> Result<(), String> {
    let Some(n) = node() else {
        return Err("replica_required_unavailable".into());
    };
    if r.replica_node == n.name {
        return Ok(());
    }
    let Some(s) = n.session_named(&r.replica_node) else {
        return Err("replica_required_unavailable".into());
    };
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    let (tx, rx) = tokio::sync::oneshot::channel();
    PREPARES
        .lock()
        .unwrap()
        .insert(id, (r.replica_node.clone(), tx));
    s.push(r.write(Frame::new(PREPARE).u64(id)).done());
    match tokio::time::timeout(Duration::from_secs(5), rx).await {
        Ok(Ok(answer)) => answer,
        Ok(Err(_)) => Err("replica_required_unavailable".into()),
        Err(_) => {
            PREPARES.lock().unwrap().remove(&id);
            Err("replica_prepare_timeout".into())
        }
    }
}

/// Asks `owner` to run declared work `name` for `key`'s attempt.
pub fn dispatch_to(owner: &str, name: &str, key: &str, attempt: &str) -> Result<(), String> {
    let s = node()
        .and_then(|n| n.session_named(owner))
        .ok_or_else(|| "replica_required_unavailable".to_string())?;
    let f = Frame::new(DISPATCH)
        .str16(name)
        .str16(key)
        .str16(attempt)
        .done();
    s.push(f);
    Ok(())
}

/// A registry frame from `s` (the session's reader, on the node's runtime).
pub fn arrived(n: &'static Node, s: &Arc<Session>, tag: u8, r: &mut In) {
    match tag {
        UPSERT => {
            if let Some(rec) = Record::read(r) {
                reg().merge(rec);
            }
        }
        SYNC => {
            let Some(count) = r.u32() else { return };
            let mut g = reg();
            for _ in 0..count {
                let Some(rec) = Record::read(r) else { return };
                g.merge(rec);
            }
        }
        PREPARE => {
            let Some(id) = r.u64() else { return };
            let answer = match Record::read(r) {
                None => Err("replica_prepare_malformed".to_string()),
                Some(rec) if rec.replica_node != n.name => {
                    Err("replica_prepare_target_mismatch".to_string())
                }
                Some(rec) => {
                    let mut g = reg();
                    let e = Entry::of("replica_prepare", &rec);
                    if g.merge(rec) {
                        g.diag(e);
                        Ok(())
                    } else {
                        Err("replica_prepare_rejected".to_string())
                    }
                }
            };
            let f = Frame::new(ACK).u64(id);
            let f = match &answer {
                Ok(()) => f.u8(0).str16(""),
                Err(why) => f.u8(1).str16(why),
            };
            s.push(f.done());
        }
        ACK => {
            let (Some(id), Some(status), Some(why)) = (r.u64(), r.u8(), r.str16()) else {
                return;
            };
            let waiting = PREPARES.lock().unwrap().remove(&id);
            if let Some((from, tx)) = waiting {
                if from == s.name {
                    let _ = tx.send(if status == 0 { Ok(()) } else { Err(why.into()) });
                }
            }
        }
        DISPATCH => {
            let (Some(name), Some(key), Some(attempt)) = (r.str16(), r.str16(), r.str16()) else {
                return;
            };
            startup::run_here(name, key, attempt);
        }
        _ => {}
    }
}

/// Node loss, continuity part (§12): prepares to it fail; records are updated; a
/// standby may be promoted and then recovers the lost owner's work.
pub fn node_lost(n: &'static Node, name: &str) {
    PREPARES
        .lock()
        .unwrap()
        .retain(|_, (replica, _)| replica != name);
    let left = n.peer_names().len();
    let recover = reg().node_lost(name, left);
    for r in recover {
        startup::recover(r);
    }
}
