//! Sessions (spec 05 §4–§5): TLS on rustls with an ephemeral self-signed certificate
//! (rcgen; peers do not verify it — the cookie handshake authenticates), the
//! four-message HMAC-SHA256 challenge handshake compared in constant time, frames of
//! `u32 length (LE) || payload` (4 KiB while handshaking, 16 MiB after), one session
//! per peer with the tie-break of §4, peer lists for a full mesh, heartbeats for
//! failure detection (decision 51: a session is dead when a read fails — a killed
//! peer — or when nothing arrived for `MESH_HEARTBEAT_TIMEOUT_MS`, default 3000, while
//! pings go every `MESH_HEARTBEAT_INTERVAL_MS`, default 1000: a silent peer is noticed
//! in at most 4 s), and the dispatch of what arrives.

use super::frame::*;
use super::ops::dispatch;
use super::{global, node, wire, Node, Peers, WirePids};
use crate::process::{self, Pid};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;

pub(crate) struct Tls {
    server: tokio_rustls::TlsAcceptor,
    client: tokio_rustls::TlsConnector,
}

/// One authenticated connection to a peer.
pub(crate) struct Session {
    pub id: u16,
    pub name: String,
    outgoing: bool,
    tx: mpsc::UnboundedSender<Vec<u8>>,
    /// Milliseconds since `EPOCH` when the peer was last heard.
    heard: AtomicU64,
    closed: AtomicBool,
    stop: tokio::sync::Notify,
    /// The peer's registry snapshot has arrived (`Node.connect` returns after it, so a
    /// `Global.whereis` right after a connect sees the peer's names).
    pub synced: AtomicBool,
    pub synced_note: tokio::sync::Notify,
}

impl Session {
    /// Queues a frame (in order: one queue per session keeps every sender's order).
    pub fn push(&self, frame: Vec<u8>) {
        let _ = self.tx.send(frame);
    }
}

static EPOCH: std::sync::LazyLock<Instant> = std::sync::LazyLock::new(Instant::now);

fn now_ms() -> u64 {
    EPOCH.elapsed().as_millis() as u64
}

fn env_ms(var: &str, default: u64) -> Duration {
    let ms = std::env::var(var)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|v| *v > 0)
        .unwrap_or(default);
    Duration::from_millis(ms)
}

/// Logs to stderr through `tracing` (`MESH_LOG` filters; default `info`), as bare lines.
pub(crate) fn init_logs() {
    static DONE: std::sync::Once = std::sync::Once::new();
    DONE.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::try_from_env("MESH_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            .without_time()
            .with_target(false)
            .with_level(false)
            .with_ansi(false)
            .try_init();
    });
}

fn tls() -> Result<Tls, String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let key =
        rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).map_err(|e| e.to_string())?;
    let cert = rcgen::CertificateParams::new(vec!["mesh-node".to_string()])
        .map_err(|e| e.to_string())?
        .self_signed(&key)
        .map_err(|e| e.to_string())?;
    let der = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
    let server = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![cert.der().clone()], der)
        .map_err(|e| e.to_string())?;
    let client = mesh_wire::handshake::client_config();
    Ok(Tls {
        server: tokio_rustls::TlsAcceptor::from(Arc::new(server)),
        client: tokio_rustls::TlsConnector::from(Arc::new(client)),
    })
}

/// `Node.start`: binds the listener, starts the layer's runtime thread and accepts.
pub fn start(name: &str, cookie: &str) -> i64 {
    init_logs();
    if node().is_some() {
        return -1;
    }
    let Ok(parsed) = super::name::parse(name) else {
        return -3;
    };
    if cookie.is_empty() {
        return -3;
    }
    let listener = match std::net::TcpListener::bind(parsed.addr()) {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!("mesh node: cannot listen on {}: {e}", parsed.addr());
            return -2;
        }
    };
    let Ok(tls) = tls() else { return -3 };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("mesh-dist")
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(_) => return -3,
    };
    let handle = rt.handle().clone();
    // the runtime lives as long as the program
    std::mem::forget(rt);
    let n = Node {
        name: name.to_string(),
        cookie: cookie.as_bytes().to_vec(),
        rt: handle.clone(),
        tls,
        peers: Mutex::new(Peers {
            next_id: 1,
            ..Default::default()
        }),
        links: Mutex::new(Vec::new()),
        monitors: Mutex::new(Vec::new()),
        node_watchers: Mutex::new(Vec::new()),
        calls: Mutex::new(Vec::new()),
        spawns: Mutex::new(Default::default()),
    };
    if super::NODE.set(n).is_err() {
        return -1;
    }
    super::install();
    let _ = listener.set_nonblocking(true);
    handle.spawn(async move {
        let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
            return;
        };
        loop {
            let Ok((sock, addr)) = listener.accept().await else {
                // out of descriptors, say: wait rather than spin
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            };
            tokio::spawn(async move {
                if let Some(n) = node() {
                    accept(n, sock, addr).await;
                }
            });
        }
    });
    tracing::info!("mesh node: started {name}");
    if let Some(seed) = std::env::var("MESH_DISCOVERY_SEED")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
    {
        if let Some(n) = node() {
            super::discovery::start(n, seed);
        }
    }
    0
}

pub(super) type Stream<S> = tokio_rustls::TlsStream<S>;

/// The acceptor's side of the handshake.
async fn accept(n: &'static Node, sock: tokio::net::TcpStream, addr: std::net::SocketAddr) {
    let _ = sock.set_nodelay(true);
    let tls = tokio::time::timeout(Duration::from_secs(10), n.tls.server.accept(sock)).await;
    let Ok(Ok(tls)) = tls else {
        tracing::warn!("mesh node: handshake failed: TLS from {addr}");
        return;
    };
    let mut s: Stream<tokio::net::TcpStream> = tokio_rustls::TlsStream::Server(tls);
    let r = tokio::time::timeout(
        Duration::from_secs(10),
        mesh_wire::handshake::server(&mut s, &n.name, &n.cookie),
    )
    .await;
    match r {
        Ok(Ok(name)) if super::transient::is_transient(&name) => {
            super::transient::serve(s, name).await;
        }
        Ok(Ok(name)) => {
            established(n, s, name, false);
        }
        Ok(Err(why)) => tracing::warn!("mesh node: handshake failed: {why}"),
        Err(_) => tracing::warn!("mesh node: handshake failed: timed out from {addr}"),
    }
}

/// `Node.connect(target)`: 0 connected (or already), -2 TCP failed, -3 handshake
/// failed or a malformed target.
pub async fn connect(n: &'static Node, target: String) -> i64 {
    let h = n.rt.spawn(connect_on(n, target));
    h.await.unwrap_or(-3)
}

pub(super) async fn connect_on(n: &'static Node, target: String) -> i64 {
    let Ok(t) = super::name::parse(&target) else {
        tracing::warn!("mesh node: cannot connect to {target:?}: not a node name");
        return -3;
    };
    if n.session_named(&target).is_some() || target == n.name {
        return 0;
    }
    let addr = t.addr();
    let sock = match tokio::time::timeout(
        Duration::from_secs(5),
        tokio::net::TcpStream::connect(&addr),
    )
    .await
    {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            tracing::warn!("mesh node: TCP connect to {addr} failed: {e}");
            return -2;
        }
        Err(_) => {
            tracing::warn!("mesh node: TCP connect to {addr} failed: timed out");
            return -2;
        }
    };
    let _ = sock.set_nodelay(true);
    let r = tokio::time::timeout(Duration::from_secs(10), client_handshake(n, sock, &n.name)).await;
    match r {
        Ok(Ok((s, name))) => {
            if let Some(s) = established(n, s, name, true) {
                let synced = async {
                    loop {
                        let note = s.synced_note.notified();
                        if s.synced.load(Ordering::SeqCst) || s.closed.load(Ordering::SeqCst) {
                            break;
                        }
                        note.await;
                    }
                };
                let _ = tokio::time::timeout(Duration::from_secs(5), synced).await;
            }
            0
        }
        Ok(Err(why)) => {
            tracing::warn!("mesh node: handshake with {addr} failed: {why}");
            -3
        }
        Err(_) => {
            tracing::warn!("mesh node: handshake with {addr} failed: timed out");
            -3
        }
    }
}

/// The connecting side of the handshake, hello'ing as `as_name` (this node, or a
/// transient client's name): the stream and the peer's name.
pub(super) async fn client_handshake(
    n: &'static Node,
    sock: tokio::net::TcpStream,
    as_name: &str,
) -> Result<(Stream<tokio::net::TcpStream>, String), String> {
    let sni = rustls::pki_types::ServerName::try_from("mesh-node").map_err(|e| e.to_string())?;
    let tls = n
        .tls
        .client
        .connect(sni, sock)
        .await
        .map_err(|e| e.to_string())?;
    let mut s: Stream<tokio::net::TcpStream> = tokio_rustls::TlsStream::Client(tls);
    let name = mesh_wire::handshake::client(&mut s, as_name, &n.cookie).await?;
    Ok((s, name))
}

/// An authenticated connection: registered as the peer's session (or shut, when the
/// tie-break keeps the other), then its reader, writer and heartbeat run.
fn established(
    n: &'static Node,
    s: Stream<tokio::net::TcpStream>,
    name: String,
    outgoing: bool,
) -> Option<Arc<Session>> {
    let (tx, rx) = mpsc::unbounded_channel();
    let (fresh, session) = {
        let mut peers = n.peers.lock().unwrap();
        let old = peers.by_name.get(&name).cloned();
        if let Some(old) = &old {
            // simultaneous connects: the one outgoing from the smaller name wins
            let keep_new = outgoing == (n.name < name);
            if !keep_new || old.outgoing == outgoing {
                return None;
            }
        }
        let fresh = old.is_none();
        let id = match &old {
            Some(o) => o.id,
            None => {
                let id = peers.next_id;
                peers.next_id = peers.next_id.wrapping_add(1).max(1);
                id
            }
        };
        let session = Arc::new(Session {
            id,
            name: name.clone(),
            outgoing,
            tx,
            heard: AtomicU64::new(now_ms()),
            closed: AtomicBool::new(false),
            stop: tokio::sync::Notify::new(),
            synced: AtomicBool::new(false),
            synced_note: tokio::sync::Notify::new(),
        });
        if let Some(old) = old {
            old.closed.store(true, Ordering::Relaxed);
            old.stop.notify_waiters();
        }
        peers.names.insert(id, name.clone());
        peers.by_name.insert(name.clone(), session.clone());
        process::set_outside_senders(true);
        (fresh, session)
    };
    let (r, w) = tokio::io::split(s);
    tokio::spawn(writer(session.clone(), w, rx));
    tokio::spawn(reader(n, session.clone(), r));
    tokio::spawn(heartbeat(n, session.clone()));
    // both sides send their peers and their registry (spec 05 §4, §9)
    let mut peers = Frame::new(PEER_LIST);
    let names: Vec<String> = n.peer_names().into_iter().filter(|p| *p != name).collect();
    peers = peers.u16(names.len() as u16);
    for p in &names {
        peers = peers.str16(p);
    }
    session.push(peers.done());
    let snapshot = global::snapshot();
    let mut sync = Frame::new(GLOBAL_SYNC).u32(snapshot.len() as u32);
    for (k, pid, owner) in snapshot {
        let (node, id) = wire::Pids::name(&WirePids(n), pid).unwrap_or_default();
        sync = sync.str16(&k).str16(&node).u64(id).str16(&owner);
    }
    session.push(sync.done());
    session.push(super::continuity::peer::sync_frame());
    if fresh {
        tracing::info!("mesh node: connected to {name}");
        tell_watchers(n, &name, true);
    }
    Some(session)
}

/// `NodeUp(name)` / `NodeDown(name)` to the processes that monitor node `name`; the
/// subscriptions of processes that have ended go.
fn tell_watchers(n: &'static Node, name: &str, up: bool) {
    let watchers: Vec<Pid> = {
        let mut w = n.node_watchers.lock().unwrap();
        w.retain(|(p, _)| process::lookup(*p).is_some());
        w.iter()
            .filter(|(_, m)| m == name)
            .map(|(p, _)| *p)
            .collect()
    };
    for p in watchers {
        process::peer_signal(p, up, name);
    }
}

async fn writer(
    s: Arc<Session>,
    mut w: tokio::io::WriteHalf<Stream<tokio::net::TcpStream>>,
    mut rx: mpsc::UnboundedReceiver<Vec<u8>>,
) {
    let mut buf = Vec::new();
    loop {
        tokio::select! {
            f = rx.recv() => {
                let Some(f) = f else { break };
                buf.extend_from_slice(&f);
                while buf.len() < 256 << 10 {
                    match rx.try_recv() {
                        Ok(f) => buf.extend_from_slice(&f),
                        Err(_) => break,
                    }
                }
                if w.write_all(&buf).await.is_err() || w.flush().await.is_err() {
                    break;
                }
                buf.clear();
            }
            _ = s.stop.notified() => break,
        }
        if s.closed.load(Ordering::Relaxed) {
            break;
        }
    }
    let _ = w.shutdown().await;
}

async fn reader(
    n: &'static Node,
    s: Arc<Session>,
    mut r: tokio::io::ReadHalf<Stream<tokio::net::TcpStream>>,
) {
    loop {
        let f = tokio::select! {
            f = read_frame(&mut r, FRAME_LIMIT) => f,
            _ = s.stop.notified() => break,
        };
        match f {
            Ok(f) => {
                s.heard.store(now_ms(), Ordering::Relaxed);
                dispatch(n, &s, &f);
            }
            Err(why) => {
                lost(n, &s, &why);
                break;
            }
        }
    }
}

async fn heartbeat(n: &'static Node, s: Arc<Session>) {
    let every = env_ms("MESH_HEARTBEAT_INTERVAL_MS", 1000);
    let timeout = env_ms("MESH_HEARTBEAT_TIMEOUT_MS", 3000);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = s.stop.notified() => return,
        }
        if s.closed.load(Ordering::Relaxed) {
            return;
        }
        let silent = now_ms().saturating_sub(s.heard.load(Ordering::Relaxed));
        if silent > timeout.as_millis() as u64 {
            lost(n, &s, &format!("no heartbeat for {silent} ms"));
            return;
        }
        let mut ping = Frame::new(PING);
        ping.0
            .extend_from_slice(&uuid::Uuid::new_v4().as_bytes()[..8]);
        s.push(ping.done());
    }
}

/// Node loss (spec 05 §8): the session goes; links to its processes fire with
/// `noconnection`, so do monitors; its global names go; its pending spawns fail.
fn lost(n: &'static Node, s: &Arc<Session>, why: &str) {
    {
        let mut peers = n.peers.lock().unwrap();
        let current = peers
            .by_name
            .get(&s.name)
            .is_some_and(|c| Arc::ptr_eq(c, s));
        if s.closed.swap(true, Ordering::Relaxed) || !current {
            return;
        }
        peers.by_name.remove(&s.name);
        peers.names.remove(&s.id);
        process::set_outside_senders(!peers.by_name.is_empty());
    }
    s.stop.notify_waiters();
    tracing::info!("mesh node: lost {} ({why})", s.name);
    let of_node = |p: &Pid| process::node_of(*p) == s.id;
    let links: Vec<(Pid, Pid)> = {
        let mut l = n.links.lock().unwrap();
        let (gone, kept): (Vec<_>, Vec<_>) = l.drain(..).partition(|(_, r)| of_node(r));
        *l = kept;
        gone
    };
    for (local, remote) in links {
        process::remote_exit(local, remote, Some("noconnection".into()));
    }
    let monitors: Vec<(Pid, i64, Pid)> = {
        let mut m = n.monitors.lock().unwrap();
        let (gone, kept): (Vec<_>, Vec<_>) = m.drain(..).partition(|(_, _, t)| of_node(t));
        *m = kept;
        gone
    };
    for (watcher, r, target) in monitors {
        process::remote_down(watcher, r, target, "noconnection".into());
    }
    super::transient::forget(&s.name);
    super::continuity::peer::node_lost(n, &s.name);
    global::node_lost(&s.name);
    let calls: Vec<(Pid, i64, u16)> = {
        let mut c = n.calls.lock().unwrap();
        let (gone, kept): (Vec<_>, Vec<_>) = c.drain(..).partition(|(_, _, id)| *id == s.id);
        *c = kept;
        gone
    };
    for (caller, id, _) in calls {
        process::remote_reply(caller, id, Err("its node was lost (noconnection)".into()));
    }
    tell_watchers(n, &s.name, false);
}
