//! Transient authenticated connections (spec 05 §11.3, §14): a client that is not a
//! member — the ingress of a clustered HTTP route, hello'ing as
//! `mesh-http-route@127.0.0.1:1`, or the operator CLI, as
//! `mesh-operator-query@127.0.0.1:1` — completes the cookie handshake, sends one query
//! frame and reads one reply. It never joins the membership.

use super::continuity::record::Record;
use super::continuity::{operator, reg};
use super::frame::*;
use super::session::{client_handshake, Stream};
use super::Node;
use std::sync::OnceLock;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// How long the owner gives a clustered route handler, and the ingress its owner.
const ROUTE_LIMIT: Duration = Duration::from_secs(5);

pub fn is_transient(name: &str) -> bool {
    name == ROUTE_CLIENT || name == OPERATOR_CLIENT
}

/// Runs a clustered route on this node: (runtime name, key, attempt, encoded request) →
/// the encoded response or why not. Installed by the HTTP layer, which knows routes.
pub type RouteServer =
    fn(String, String, String, Vec<u8>) -> tokio::sync::oneshot::Receiver<Result<Vec<u8>, String>>;

static ROUTES: OnceLock<RouteServer> = OnceLock::new();

pub fn set_route_server(f: RouteServer) {
    let _ = ROUTES.set(f);
}

/// The accepting side, after the handshake: queries and their replies, one at a time,
/// until the client closes (the CLI asks once; an ingress keeps its connection for
/// the next clustered request to this node).
pub(super) async fn serve(mut s: Stream<tokio::net::TcpStream>, client: String) {
    let mut served = false;
    loop {
        let idle = Duration::from_secs(60);
        let Ok(Ok(q)) = tokio::time::timeout(idle, read_frame(&mut s, FRAME_LIMIT)).await else {
            break;
        };
        let mut r = In { b: &q, i: 0 };
        let reply = match r.u8() {
            Some(HTTP_ROUTE_QUERY) => {
                let answer = route_here(&mut r).await;
                if !served {
                    tracing::info!("mesh node: transient clustered HTTP route served for {client}");
                    served = true;
                }
                let f = Frame::new(HTTP_ROUTE_REPLY);
                match answer {
                    Ok(bytes) => f.u8(0).bytes32(&bytes).done(),
                    Err(why) => f.u8(1).str16(&why).done(),
                }
            }
            Some(OPERATOR_QUERY) => {
                let (Some(kind), Some(key), Some(limit)) = (r.str16(), r.str16(), r.u32()) else {
                    break;
                };
                let f = Frame::new(OPERATOR_REPLY);
                match operator::answer(kind, key, limit) {
                    Ok(json) => f.u8(0).bytes32(json.as_bytes()).done(),
                    Err(why) => f.u8(1).str16(&why).done(),
                }
            }
            _ => break,
        };
        if s.write_all(&reply).await.is_err() || s.flush().await.is_err() {
            break;
        }
    }
    let _ = s.shutdown().await;
}

async fn route_here(r: &mut In<'_>) -> Result<Vec<u8>, String> {
    let name = r.str16().ok_or("malformed route query")?.to_string();
    let rec = Record::read(r).ok_or("malformed route query")?;
    let request = r.bytes32().ok_or("malformed route query")?.to_vec();
    let (key, attempt) = (rec.request_key.clone(), rec.attempt_id.clone());
    // the record may come before (or instead of) the ingress's broadcast of it
    reg().merge(rec);
    let server = ROUTES
        .get()
        .ok_or_else(|| format!("declared_handler_not_registered:{name}"))?;
    match tokio::time::timeout(ROUTE_LIMIT, server(name, key, attempt, request)).await {
        Ok(Ok(answer)) => answer,
        Ok(Err(_)) => Err("transient_http_route_handler_crashed".into()),
        Err(_) => Err("transient_http_route_execute_timeout".into()),
    }
}

/// Opens a transient connection to `target` as `client`: the authenticated stream, or
/// (`connect`, `handshake`) failure texts.
pub(crate) async fn open(
    n: &'static Node,
    target: &str,
    client: &str,
) -> Result<Stream<tokio::net::TcpStream>, (bool, String)> {
    let t = super::name::parse(target).map_err(|why| (true, format!("{target}:{why}")))?;
    let addr = t.addr();
    let sock = match tokio::time::timeout(ROUTE_LIMIT, tokio::net::TcpStream::connect(&addr)).await
    {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return Err((true, format!("{addr}:{e}"))),
        Err(_) => return Err((true, format!("{addr}:timed out"))),
    };
    let _ = sock.set_nodelay(true);
    match tokio::time::timeout(Duration::from_secs(10), client_handshake(n, sock, client)).await {
        Ok(Ok((s, _))) => Ok(s),
        Ok(Err(why)) => Err((false, why)),
        Err(_) => Err((false, "timed out".into())),
    }
}

/// Authenticated route connections to owners, kept for the next request (a handshake
/// costs more than most handlers); those to a lost node are dropped with it.
static POOL: std::sync::LazyLock<
    std::sync::Mutex<std::collections::HashMap<String, Vec<Stream<tokio::net::TcpStream>>>>,
> = std::sync::LazyLock::new(Default::default);

/// A node was lost: its kept connections go.
pub(crate) fn forget(node: &str) {
    POOL.lock().unwrap().remove(node);
}

/// The ingress's side of §11.3 step 4: runs route `name` on `rec`'s owner; the encoded
/// response, or the reason of the 503.
pub(crate) async fn route_query(
    n: &'static Node,
    name: String,
    rec: Record,
    request: Vec<u8>,
) -> Result<Vec<u8>, String> {
    let owner = rec.owner_node.clone();
    let kept = POOL.lock().unwrap().get_mut(&owner).and_then(|v| v.pop());
    let mut s = match kept {
        Some(s) => s,
        None => match open(n, &owner, ROUTE_CLIENT).await {
            Ok(s) => s,
            Err((true, why)) => return Err(format!("clustered_http_route_connect_failed:{why}")),
            Err((false, why)) => {
                return Err(format!("clustered_http_route_handshake_failed:{why}"))
            }
        },
    };
    let q = rec
        .write(Frame::new(HTTP_ROUTE_QUERY).str16(&name))
        .bytes32(&request)
        .done();
    let read_failed = |why: String| format!("clustered_http_route_reply_read_failed:{why}");
    s.write_all(&q)
        .await
        .map_err(|e| read_failed(e.to_string()))?;
    s.flush().await.map_err(|e| read_failed(e.to_string()))?;
    let reply = match tokio::time::timeout(ROUTE_LIMIT, read_frame(&mut s, FRAME_LIMIT)).await {
        Ok(Ok(f)) => f,
        Ok(Err(why)) => return Err(read_failed(why)),
        Err(_) => return Err(read_failed("timed out".into())),
    };
    if n.session_named(&owner).is_some() {
        POOL.lock().unwrap().entry(owner).or_default().push(s);
    }
    let mut r = In { b: &reply, i: 0 };
    match (r.u8(), r.u8()) {
        (Some(HTTP_ROUTE_REPLY), Some(0)) => Ok(r
            .bytes32()
            .ok_or_else(|| read_failed("malformed reply".into()))?
            .to_vec()),
        (Some(HTTP_ROUTE_REPLY), Some(_)) => {
            Err(r.str16().unwrap_or("malformed reply").to_string())
        }
        _ => Err(read_failed("malformed reply".into())),
    }
}
