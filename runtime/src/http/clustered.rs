//! Clustered HTTP routes (spec 05 §11.3): `HTTP.clustered(N, h)` answers each request
//! through the continuity registry. The request gets the key
//! `http-route::<runtime name>::<seq>` (one counter per process), its record is
//! submitted with the route's count (count 2: the replica acknowledges first), and the
//! handler runs on the placement owner — here, inline, or on the owner over a transient
//! authenticated connection. Every answer carries `X-Mesh-Continuity-Request-Key`; any
//! failure rejects the record and answers 503 `{"error":"<reason>"}`.

use super::{call_handler, req, Req, Resp};
use crate::dist::continuity::{membership, place, reg, startup, Submit};
use crate::dist::frame::{Frame, In};
use crate::memory::foreign_cell;
use crate::process;
use crate::strings::as_str;
use bytes::Bytes;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};

const KEY_HEADER: &str = "X-Mesh-Continuity-Request-Key";

/// Runtime name → the handler (an immortal closure).
static HANDLERS: LazyLock<Mutex<HashMap<String, usize>>> = LazyLock::new(Default::default);

fn handler(name: &str) -> Option<usize> {
    HANDLERS.lock().unwrap().get(name).copied()
}

/// `HTTP.clustered` (through `lower-cluster`): `h` is the route handler known as `name`
/// on every node.
///
/// # Safety
/// `name` is a live string; `h` a live closure from a request to a response.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_http_declare_clustered(name: *const u8, h: *mut u8) {
    // SAFETY: forwarded contract; the closure is kept for the program's life.
    unsafe {
        crate::memory::immortalize(h);
        HANDLERS
            .lock()
            .unwrap()
            .insert(as_str(name).to_string(), h as usize);
    }
    crate::dist::transient::set_route_server(serve_here);
}

fn encode_req(r: &Req) -> Vec<u8> {
    let mut f = Frame::new(0)
        .str16(r.method.as_str())
        .bytes32(r.uri.to_string().as_bytes())
        .bytes32(&r.body)
        .u32(r.headers.len() as u32);
    for (k, v) in r.headers.iter() {
        f = f.str16(k.as_str()).bytes32(v.as_bytes());
    }
    f = f.u32(r.params.len() as u32);
    for (k, v) in &r.params {
        f = f.str16(k).str16(v);
    }
    f.0.split_off(5)
}

fn decode_req(b: &[u8]) -> Option<Req> {
    let mut r = In { b, i: 0 };
    let method = hyper::Method::from_bytes(r.str16()?.as_bytes()).ok()?;
    let uri: hyper::Uri = std::str::from_utf8(r.bytes32()?).ok()?.parse().ok()?;
    let body = Bytes::copy_from_slice(r.bytes32()?);
    let mut headers = hyper::HeaderMap::new();
    for _ in 0..r.u32()?.min(super::MAX_HEADERS as u32 * 2) {
        let k = hyper::header::HeaderName::from_bytes(r.str16()?.as_bytes()).ok()?;
        let v = hyper::header::HeaderValue::from_bytes(r.bytes32()?).ok()?;
        headers.append(k, v);
    }
    let mut params = Vec::new();
    for _ in 0..r.u32()?.min(1024) {
        params.push((r.str16()?.to_string(), r.str16()?.to_string()));
    }
    Some(Req {
        method,
        uri,
        headers: Arc::new(headers),
        body,
        params,
    })
}

fn encode_resp(r: &Resp) -> Vec<u8> {
    let mut f = Frame::new(0)
        .u16(r.status)
        .bytes32(&r.body)
        .u32(r.headers.len() as u32);
    for (k, v) in &r.headers {
        f = f.bytes32(k.as_bytes()).bytes32(v.as_bytes());
    }
    f.0.split_off(5)
}

fn decode_resp(b: &[u8]) -> Option<Resp> {
    let mut r = In { b, i: 0 };
    let status = r.u16()?;
    let body = Bytes::copy_from_slice(r.bytes32()?);
    let mut headers = Vec::new();
    for _ in 0..r.u32()?.min(4096) {
        let k = String::from_utf8(r.bytes32()?.to_vec()).ok()?;
        let v = String::from_utf8(r.bytes32()?.to_vec()).ok()?;
        headers.push((k, v));
    }
    Some(Resp {
        status,
        body,
        headers,
    })
}

/// The owner's side: runs route `name` on the request in a fresh process, completes
/// the attempt, answers with the encoded response (or why not).
fn serve_here(
    name: String,
    key: String,
    attempt: String,
    request: Vec<u8>,
) -> tokio::sync::oneshot::Receiver<Result<Vec<u8>, String>> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let Some(h) = handler(&name) else {
        let _ = tx.send(Err(format!("declared_handler_not_registered:{name}")));
        return rx;
    };
    let Some(req) = decode_req(&request) else {
        let _ = tx.send(Err("clustered_http_route_request_malformed".into()));
        return rx;
    };
    process::spawn_rust(false, move || {
        let resp = call_handler(h, req);
        let _ = reg().complete(&key, &attempt, &membership().0);
        let _ = tx.send(Ok(encode_resp(&resp)));
    });
    rx
}

fn unavailable(why: &str, key: &str) -> Resp {
    Resp {
        status: 503,
        body: Bytes::from(serde_json::json!({ "error": why }).to_string()),
        headers: vec![(KEY_HEADER.into(), key.into())],
    }
}

/// The per-process counter of clustered requests.
static SEQ: AtomicU64 = AtomicU64::new(0);

/// One request of a clustered route, on the ingress node.
fn clustered(name: &str, count: i64, request: Req) -> Resp {
    // every node counts from 1 and records are shared, so a number another node has
    // used for this route is skipped: keys stay unique in the cluster (decision 59)
    let key = loop {
        let k = format!(
            "http-route::{name}::{}",
            SEQ.fetch_add(1, Ordering::SeqCst) + 1
        );
        if !reg().records.contains_key(&k) {
            break k;
        }
    };
    let encoded = encode_req(&request);
    let hash = hex::encode(Sha256::digest(&encoded));
    let (me, members) = membership();
    let (owner, replica) = place(&key, &members);
    let s = Submit {
        key: key.clone(),
        hash,
        ingress: me.clone(),
        routed_remotely: owner != me,
        fell_back_locally: owner == me,
        owner: owner.clone(),
        replica,
        count,
        required: (count - 1).max(0),
        runtime_name: name.to_string(),
    };
    // the registry's lock is let go before the prepare waits for the replica
    let step = reg().submit(&s);
    let decision = step.and_then(startup::finish);
    let rec = match decision {
        Err(why) => return unavailable(&why, &key),
        Ok(d) if d.outcome != "created" => {
            let why = match d.record.error.as_str() {
                "" => format!("request_key_{}", d.outcome),
                e => e.to_string(),
            };
            return unavailable(&why, &key);
        }
        Ok(d) => d.record,
    };
    let attempt = rec.attempt_id.clone();
    let answer = if owner == me {
        match handler(name) {
            Some(h) => {
                let resp = call_handler(h, request);
                let _ = reg().complete(&key, &attempt, &me);
                Ok(resp)
            }
            None => Err(format!("declared_handler_not_registered:{name}")),
        }
    } else {
        let Some(n) = crate::dist::node() else {
            return unavailable("replica_required_unavailable", &key);
        };
        let q = crate::dist::transient::route_query(n, name.to_string(), rec, encoded);
        let task = n.rt.spawn(q);
        let got = process::await_future(task);
        match got.map_err(|e| format!("clustered_http_route_reply_read_failed:{e}")) {
            Ok(Ok(bytes)) => match decode_resp(&bytes) {
                Some(resp) => {
                    let _ = reg().complete(&key, &attempt, &owner);
                    Ok(resp)
                }
                None => Err("clustered_http_route_reply_read_failed:malformed response".into()),
            },
            Ok(Err(why)) | Err(why) => Err(why),
        }
    };
    match answer {
        Ok(mut resp) => {
            resp.headers.push((KEY_HEADER.into(), key));
            resp
        }
        Err(why) => {
            let _ = reg().reject(&key, &attempt, &why);
            unavailable(&why, &key)
        }
    }
}

/// The wrapper `HTTP.clustered` puts in the route's handler position.
///
/// # Safety
/// `name` is a live string; `r` a live request cell.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_http_clustered_call(
    name: *const u8,
    count: i64,
    r: *const u8,
) -> *mut u8 {
    // SAFETY: forwarded contract.
    let (name, request) = unsafe { (as_str(name).to_string(), req(r).clone()) };
    foreign_cell(clustered(&name, count, request))
}
