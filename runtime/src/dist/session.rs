//! Sessions (spec 05 §4–§5): TLS on rustls with an ephemeral self-signed certificate
//! (rcgen; peers do not verify it — the cookie handshake authenticates), the
//! four-message HMAC-SHA256 challenge handshake compared in constant time, frames of
//! `u32 length (LE) || payload` (4 KiB while handshaking, 16 MiB after), one session
//! per peer with the tie-break of §4, peer lists for a full mesh, heartbeats for
//! failure detection (decision 51: a session is dead when a read fails — a killed
//! peer — or when nothing arrived for `MESH_HEARTBEAT_TIMEOUT_MS`, default 3000, while
//! pings go every `MESH_HEARTBEAT_INTERVAL_MS`, default 1000: a silent peer is noticed
//! in at most 4 s), and the dispatch of what arrives.

use super::{global, local_id, node, qualify, wire, Node, Peers, WirePids};
use crate::process::{self, Pid};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

pub const SEND: u8 = 0x10;
pub const PEER_LIST: u8 = 0x12;
pub const LINK: u8 = 0x13;
pub const UNLINK: u8 = 0x14;
pub const EXIT: u8 = 0x15;
pub const MONITOR: u8 = 0x16;
pub const MONITOR_EXIT: u8 = 0x18;
pub const SPAWN: u8 = 0x19;
pub const SPAWN_REPLY: u8 = 0x1A;
pub const GLOBAL_REGISTER: u8 = 0x1B;
pub const GLOBAL_UNREGISTER: u8 = 0x1C;
pub const GLOBAL_SYNC: u8 = 0x1D;
pub const PING: u8 = 0xF0;
pub const PONG: u8 = 0xF1;

const HANDSHAKE_LIMIT: usize = 4 << 10;
const FRAME_LIMIT: usize = 16 << 20;

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
    let client = rustls::ClientConfig::builder()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(NoVerify))
        .with_no_client_auth();
    Ok(Tls {
        server: tokio_rustls::TlsAcceptor::from(Arc::new(server)),
        client: tokio_rustls::TlsConnector::from(Arc::new(client)),
    })
}

/// Peers' certificates are not verified (spec 05 §5): the cookie authenticates.
#[derive(Debug)]
struct NoVerify;

impl rustls::client::danger::ServerCertVerifier for NoVerify {
    fn verify_server_cert(
        &self,
        _: &rustls::pki_types::CertificateDer<'_>,
        _: &[rustls::pki_types::CertificateDer<'_>],
        _: &rustls::pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &rustls::pki_types::CertificateDer<'_>,
        d: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(m, c, d, &supported())
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &rustls::pki_types::CertificateDer<'_>,
        d: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(m, c, d, &supported())
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        supported().supported_schemes()
    }
}

fn supported() -> rustls::crypto::WebPkiSupportedAlgorithms {
    rustls::crypto::ring::default_provider().signature_verification_algorithms
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

fn hmac(cookie: &[u8], challenge: &[u8]) -> [u8; 32] {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(cookie).expect("HMAC takes any key");
    m.update(challenge);
    m.finalize().into_bytes().into()
}

fn verify(cookie: &[u8], challenge: &[u8], mac: &[u8]) -> bool {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(cookie).expect("HMAC takes any key");
    m.update(challenge);
    // constant time (`subtle`, inside `hmac`)
    m.verify_slice(mac).is_ok()
}

fn challenge() -> [u8; 32] {
    let mut c = [0u8; 32];
    c[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    c[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    c
}

pub(crate) fn framed(payload: Vec<u8>) -> Vec<u8> {
    let mut f = Vec::with_capacity(payload.len() + 4);
    f.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    f.extend_from_slice(&payload);
    f
}

/// A payload built in place after its length word.
struct Frame(Vec<u8>);

impl Frame {
    fn new(tag: u8) -> Frame {
        Frame(vec![0, 0, 0, 0, tag])
    }
    fn u8(mut self, v: u8) -> Frame {
        self.0.push(v);
        self
    }
    fn u16(mut self, v: u16) -> Frame {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn u32(mut self, v: u32) -> Frame {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn u64(mut self, v: u64) -> Frame {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn str16(self, s: &str) -> Frame {
        let b = &s.as_bytes()[..s.len().min(u16::MAX as usize)];
        let mut f = self.u16(b.len() as u16);
        f.0.extend_from_slice(b);
        f
    }
    fn bytes32(self, b: &[u8]) -> Frame {
        let mut f = self.u32(b.len() as u32);
        f.0.extend_from_slice(b);
        f
    }
    fn done(mut self) -> Vec<u8> {
        let n = (self.0.len() - 4) as u32;
        self.0[..4].copy_from_slice(&n.to_le_bytes());
        self.0
    }
}

/// Reads what a peer sent, checking every length against what is left.
struct In<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> In<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.i.checked_add(n).filter(|e| *e <= self.b.len())?;
        let s = &self.b[self.i..end];
        self.i = end;
        Some(s)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn str16(&mut self) -> Option<&'a str> {
        let n = self.u16()? as usize;
        std::str::from_utf8(self.take(n)?).ok()
    }
    fn bytes32(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    fn rest(&mut self) -> &'a [u8] {
        let s = &self.b[self.i..];
        self.i = self.b.len();
        s
    }
}

/// Reads one frame's payload (at most `limit` bytes).
async fn read_frame<R: AsyncReadExt + Unpin>(r: &mut R, limit: usize) -> Result<Vec<u8>, String> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len).await.map_err(io_why)?;
    let n = u32::from_le_bytes(len) as usize;
    if n == 0 || n > limit {
        return Err(format!("a frame of {n} bytes"));
    }
    let mut buf = vec![0u8; n];
    r.read_exact(&mut buf).await.map_err(io_why)?;
    Ok(buf)
}

/// A read error in words a log reader knows (rustls calls a plain close "unexpected EOF").
fn io_why(e: std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => "connection closed".into(),
        std::io::ErrorKind::ConnectionReset => "connection reset".into(),
        _ => e.to_string(),
    }
}

fn hello(tag: u8, name: &str) -> Frame {
    Frame::new(tag).str16(name).u8(1)
}

/// The peer's advertised name in a hello (`tag`), validated.
fn peer_name(payload: &[u8], tag: u8) -> Result<(String, In<'_>), String> {
    let mut r = In { b: payload, i: 0 };
    if r.u8() != Some(tag) {
        return Err("unexpected handshake message".into());
    }
    let name = r.str16().ok_or("malformed handshake")?.to_string();
    super::name::parse(&name).map_err(|why| format!("invalid node name {name:?}: {why}"))?;
    r.u8().ok_or("malformed handshake")?;
    Ok((name, r))
}

type Stream<S> = tokio_rustls::TlsStream<S>;

/// The acceptor's side of the handshake.
async fn accept(n: &'static Node, sock: tokio::net::TcpStream, addr: std::net::SocketAddr) {
    let _ = sock.set_nodelay(true);
    let tls = tokio::time::timeout(Duration::from_secs(10), n.tls.server.accept(sock)).await;
    let Ok(Ok(tls)) = tls else {
        tracing::warn!("mesh node: handshake failed: TLS from {addr}");
        return;
    };
    let mut s: Stream<tokio::net::TcpStream> = tokio_rustls::TlsStream::Server(tls);
    let r = tokio::time::timeout(Duration::from_secs(10), async {
        let m1 = read_frame(&mut s, HANDSHAKE_LIMIT).await?;
        let (name, _) = peer_name(&m1, 1)?;
        let a = challenge();
        let mut m2 = hello(2, &n.name);
        m2.0.extend_from_slice(&a);
        s.write_all(&m2.done()).await.map_err(|e| e.to_string())?;
        let m3 = read_frame(&mut s, HANDSHAKE_LIMIT).await?;
        let mut r = In { b: &m3, i: 0 };
        let (Some(3), Some(mac), Some(b)) = (r.u8(), r.take(32), r.take(32)) else {
            return Err(format!("malformed handshake from {name}"));
        };
        if !verify(&n.cookie, &a, mac) {
            return Err(format!(
                "cookie mismatch: authentication failed from {name}"
            ));
        }
        let mut m4 = Frame::new(4);
        m4.0.extend_from_slice(&hmac(&n.cookie, b));
        s.write_all(&m4.done()).await.map_err(|e| e.to_string())?;
        s.flush().await.map_err(|e| e.to_string())?;
        Ok(name)
    })
    .await;
    match r {
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

async fn connect_on(n: &'static Node, target: String) -> i64 {
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
    let r = tokio::time::timeout(Duration::from_secs(10), async {
        let sni =
            rustls::pki_types::ServerName::try_from("mesh-node").map_err(|e| e.to_string())?;
        let tls = n
            .tls
            .client
            .connect(sni, sock)
            .await
            .map_err(|e| e.to_string())?;
        let mut s: Stream<tokio::net::TcpStream> = tokio_rustls::TlsStream::Client(tls);
        s.write_all(&hello(1, &n.name).done())
            .await
            .map_err(|e| e.to_string())?;
        s.flush().await.map_err(|e| e.to_string())?;
        let m2 = read_frame(&mut s, HANDSHAKE_LIMIT).await?;
        let (name, mut r) = peer_name(&m2, 2)?;
        let a = r.take(32).ok_or("malformed handshake")?;
        let b = challenge();
        let mut m3 = Frame::new(3);
        m3.0.extend_from_slice(&hmac(&n.cookie, a));
        m3.0.extend_from_slice(&b);
        s.write_all(&m3.done()).await.map_err(|e| e.to_string())?;
        s.flush().await.map_err(|e| e.to_string())?;
        let m4 = read_frame(&mut s, HANDSHAKE_LIMIT)
            .await
            .map_err(|_| "the peer closed the connection (is the cookie the same?)".to_string())?;
        let mut r = In { b: &m4, i: 0 };
        let (Some(4), Some(mac)) = (r.u8(), r.take(32)) else {
            return Err("malformed handshake".to_string());
        };
        if !verify(&n.cookie, &b, mac) {
            return Err(format!(
                "cookie mismatch: authentication failed from {name}"
            ));
        }
        Ok((s, name))
    })
    .await;
    match r {
        Ok(Ok((s, name))) => {
            established(n, s, name, true);
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

/// An authenticated connection: registered as the peer's session (or shut, when the
/// tie-break keeps the other), then its reader, writer and heartbeat run.
fn established(n: &'static Node, s: Stream<tokio::net::TcpStream>, name: String, outgoing: bool) {
    let (tx, rx) = mpsc::unbounded_channel();
    let (fresh, session) = {
        let mut peers = n.peers.lock().unwrap();
        let old = peers.by_name.get(&name).cloned();
        if let Some(old) = &old {
            // simultaneous connects: the one outgoing from the smaller name wins
            let keep_new = outgoing == (n.name < name);
            if !keep_new || old.outgoing == outgoing {
                return;
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
    if fresh {
        tracing::info!("mesh node: connected to {name}");
        tell_watchers(n, &name, true);
    }
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
    global::node_lost(&s.name);
    tell_watchers(n, &s.name, false);
}

/// What arrived on a session.
fn dispatch(n: &'static Node, s: &Arc<Session>, f: &[u8]) {
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
            let (Some(name), Some(node), Some(id), Some(owner)) =
                (r.str16(), r.str16(), r.u64(), r.str16())
            else {
                return;
            };
            if let Some(pid) = wire::Pids::pid(&WirePids(n), node, id) {
                global::remote_register(name.to_string(), pid, owner.to_string());
            }
        }
        GLOBAL_UNREGISTER => {
            if let Some(name) = r.str16() {
                global::remote_unregister(name, &s.name);
            }
        }
        GLOBAL_SYNC => {
            let Some(count) = r.u32() else { return };
            for _ in 0..count.min(1_000_000) {
                let (Some(name), Some(node), Some(id), Some(owner)) =
                    (r.str16(), r.str16(), r.u64(), r.str16())
                else {
                    return;
                };
                if let Some(pid) = wire::Pids::pid(&WirePids(n), node, id) {
                    global::remote_register(name.to_string(), pid, owner.to_string());
                }
            }
        }
        PING => {
            let mut pong = Frame::new(PONG);
            pong.0.extend_from_slice(r.rest());
            s.push(pong.done());
        }
        // PONG only shows the peer is alive (`heard`); unknown tags are ignored
        _ => {}
    }
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
    let Some(schema) = (unsafe { wire::schema_of(desc) }) else {
        return Err("a message whose type is not known here cannot be sent to another node".into());
    };
    let _ = counted;
    // SAFETY: forwarded contract.
    let stf = unsafe { wire::encode(word, &schema, &WirePids(n))? };
    // SAFETY: forwarded contract (non-null: it has a schema).
    let text = unsafe { crate::strings::as_str(desc) };
    let mut f = Frame::new(SEND).u64(to).str16(text);
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

#[cfg(test)]
pub(crate) fn frame_reader_accepts(bytes: &[u8]) -> bool {
    let mut r = In { b: bytes, i: 0 };
    let _ = (
        r.u8(),
        r.u16(),
        r.u32(),
        r.u64(),
        r.str16(),
        r.bytes32(),
        r.rest(),
    );
    true
}
