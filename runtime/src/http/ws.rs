//! WebSockets (spec 06 §4) on tokio-tungstenite. `Ws.serve` listens on its own thread
//! and returns at once; each connection goes to a worker, where an async task reads the
//! upgrade request (400 unless it is a WebSocket upgrade), answers 101, and then carries
//! frames between the socket and the connection's *process* — Rust code calling the
//! program's three callbacks in order (`on_connect`, then `on_message` per message,
//! then `on_close` once), so a connection's callbacks never run concurrently and a
//! crash ends only that connection (close 1011). `Ws.send` and the room broadcasts put
//! frames on a connection's outgoing queue from any process.
//!
//! Slow peers cannot make the server buffer without bound (decision 46): each
//! connection's outgoing queue holds at most `queue_limit()` bytes — a client that falls
//! that far behind is closed (1008 "slow consumer", best effort) and everything queued
//! for it is freed — and a broadcast shares one copy of its text among the members. The
//! incoming side stops reading the socket while the process has more than `INBOX_LIMIT`
//! bytes of messages it has not handled, so a fast sender meets TCP's flow control.
//! Paper: `papers/http.md`.

use crate::process;
use crate::strings::as_str;
#[cfg(not(test))]
use crate::strings::new_str;
use futures_util::{SinkExt, StreamExt};
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::Message;

/// An open connection as senders see it: its outgoing queue (whose receiving end the
/// writer task holds: the queue closes when the connection is forgotten) and its state.
struct Conn {
    tx: tokio::sync::mpsc::UnboundedSender<Message>,
    state: Arc<State>,
}

/// What a connection's socket tasks and its senders share.
struct State {
    /// Bytes of outgoing frames queued and not yet written.
    queued: AtomicUsize,
    /// The queue went over its limit: the writer gives up on the peer.
    overflow: tokio::sync::Notify,
    /// Bytes of incoming messages handed to the process and not yet handled.
    inbox: AtomicUsize,
    /// The process handled a message (the reader may be waiting for room).
    drained: tokio::sync::Notify,
}

/// Every open connection.
static CONNS: LazyLock<dashmap::DashMap<i64, Conn>> = LazyLock::new(dashmap::DashMap::new);

/// The outgoing queue's limit in bytes: `MESH_WS_MAX_QUEUE_BYTES`, else 4 MiB.
fn queue_limit() -> usize {
    static LIMIT: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *LIMIT.get_or_init(|| {
        std::env::var("MESH_WS_MAX_QUEUE_BYTES")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .filter(|n| *n > 0)
            .unwrap_or(4 << 20)
    })
}

/// The reader waits while the process has this many bytes of messages to handle.
const INBOX_LIMIT: usize = 1 << 20;

/// The size a frame counts for in a queue.
fn weight(m: &Message) -> usize {
    m.len() + 16
}

/// Queues `m` for connection `conn`: false when the connection is gone, or when the
/// frame would take its queue over the limit (the connection is then given up).
fn push(conn: i64, m: Message) -> bool {
    let n = weight(&m);
    let overflowed = {
        let Some(c) = CONNS.get(&conn) else {
            return false;
        };
        if c.state.queued.fetch_add(n, Ordering::AcqRel) + n <= queue_limit() {
            return c.tx.send(m).is_ok();
        }
        c.state.queued.fetch_sub(n, Ordering::AcqRel);
        c.state.clone()
    };
    // nothing more is queued for it; its writer stops and the queue is freed
    CONNS.remove(&conn);
    overflowed.overflow.notify_one();
    false
}
/// Room → members.
static ROOMS: LazyLock<Mutex<HashMap<String, BTreeSet<i64>>>> = LazyLock::new(Default::default);
static NEXT_CONN: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(1);
const MAX_MESSAGE: usize = 16 << 20;

/// What a connection's process is told by its socket.
pub enum WsEvent {
    Message(String),
    /// The connection ended (any way but a crash of the process's own callbacks).
    Closed,
}

/// The three callbacks (immortal closures).
#[derive(Clone, Copy)]
pub struct Callbacks {
    pub connect: usize,
    pub message: usize,
    pub close: usize,
}

/// `Ws.serve(on_connect, on_message, on_close, port)`: returns at once.
///
/// # Safety
/// The callbacks are live closures of the documented types.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_ws_serve(
    connect: *mut u8,
    message: *mut u8,
    close: *mut u8,
    port: i64,
) {
    // SAFETY: forwarded contract.
    unsafe { listen(connect, message, close, port, None) }
}

/// `Ws.serve_tls(on_connect, on_message, on_close, port, cert, key)`: `wss://`, with
/// the PEM certificate chain and private key at the two paths (as `HTTP.serve_tls`).
///
/// # Safety
/// As `mesh_rt_ws_serve`; `cert` and `key` are live strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_ws_serve_tls(
    connect: *mut u8,
    message: *mut u8,
    close: *mut u8,
    port: i64,
    cert: *const u8,
    key: *const u8,
) {
    let config = match crate::http::tls_config(unsafe { as_str(cert) }, unsafe { as_str(key) }) {
        Ok(c) => std::sync::Arc::new(c),
        Err(e) => {
            crate::elog!("[mesh-rt] Failed to load TLS certificates: {e}");
            return;
        }
    };
    // SAFETY: forwarded contract.
    unsafe { listen(connect, message, close, port, Some(config)) }
}

/// # Safety
/// As `mesh_rt_ws_serve`.
unsafe fn listen(
    connect: *mut u8,
    message: *mut u8,
    close: *mut u8,
    port: i64,
    tls: Option<std::sync::Arc<rustls::ServerConfig>>,
) {
    // SAFETY: forwarded contract; shared read-only by every worker from now on.
    unsafe {
        crate::memory::immortalize(connect);
        crate::memory::immortalize(message);
        crate::memory::immortalize(close);
    }
    let cbs = Callbacks {
        connect: connect as usize,
        message: message as usize,
        close: close as usize,
    };
    let listener = match std::net::TcpListener::bind(("0.0.0.0", port as u16)) {
        Ok(l) => l,
        Err(e) => {
            crate::elog!("[mesh-rt] Failed to start WebSocket server on 0.0.0.0:{port}: {e}");
            return;
        }
    };
    crate::elog!("[mesh-rt] WebSocket server listening on 0.0.0.0:{port}");
    std::thread::Builder::new()
        .name("mesh-ws-accept".into())
        .spawn(move || loop {
            match listener.accept() {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    if stream.set_nonblocking(true).is_ok() {
                        let tls = tls.clone();
                        process::spawn_task(Box::new(move || {
                            tokio::task::spawn_local(serve_connection(stream, cbs, tls));
                        }));
                    }
                }
                Err(_) => std::thread::sleep(std::time::Duration::from_millis(10)),
            }
        })
        .expect("cannot start the WebSocket listener");
}

/// The upgrade request's target and headers, and the bytes the client sent after it
/// (its first frames may come in the same packet), if it is a valid WebSocket upgrade;
/// else the connection gets `400 Bad Request`.
async fn upgrade<S: AsyncRead + AsyncWrite + Unpin>(
    stream: &mut S,
) -> Option<(String, Vec<(String, String)>, Vec<u8>)> {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = tokio::time::timeout(std::time::Duration::from_secs(30), stream.read(&mut buf))
            .await
            .ok()?
            .ok()?;
        if n == 0 || head.len() > 64 * 1024 {
            return None;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let mut headers = [httparse::EMPTY_HEADER; 100];
    let mut req = httparse::Request::new(&mut headers);
    let parsed = req.parse(&head);
    let ok = matches!(parsed, Ok(httparse::Status::Complete(_)));
    let rest = match parsed {
        Ok(httparse::Status::Complete(n)) => head[n..].to_vec(),
        _ => Vec::new(),
    };
    let get = |name: &str| {
        req.headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| String::from_utf8_lossy(h.value).into_owned())
    };
    let valid = ok
        && req.method == Some("GET")
        && get("Upgrade").is_some_and(|v| v.eq_ignore_ascii_case("websocket"))
        && get("Connection").is_some_and(|v| v.to_ascii_lowercase().contains("upgrade"))
        && get("Sec-WebSocket-Version").as_deref() == Some("13");
    let key = get("Sec-WebSocket-Key");
    let (Some(key), true) = (key, valid) else {
        let _ = stream
            .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 11\r\nConnection: close\r\n\r\nBad Request")
            .await;
        return None;
    };
    let accept = tokio_tungstenite::tungstenite::handshake::derive_accept_key(key.as_bytes());
    let resp = format!(
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
    );
    stream.write_all(resp.as_bytes()).await.ok()?;
    let path = req.path.unwrap_or("/").to_string();
    let headers = req
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_string(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect();
    Some((path, headers, rest))
}

/// Serves one connection on this worker (a task of its `LocalSet`), over TLS when
/// the server has a configuration.
pub async fn serve_connection(
    stream: std::net::TcpStream,
    cbs: Callbacks,
    tls: Option<std::sync::Arc<rustls::ServerConfig>>,
) {
    let Ok(stream) = tokio::net::TcpStream::from_std(stream) else {
        return;
    };
    match tls {
        None => serve_ws(stream, cbs).await,
        Some(config) => {
            let acceptor = tokio_rustls::TlsAcceptor::from(config);
            let handshake =
                tokio::time::timeout(std::time::Duration::from_secs(30), acceptor.accept(stream));
            if let Ok(Ok(tls)) = handshake.await {
                serve_ws(tls, cbs).await;
            }
        }
    }
}

/// Milliseconds from `MESH_WS_PING_MS` / `MESH_WS_PONG_TIMEOUT_MS` (tests shorten
/// them), else the spec's 30 s and 10 s.
fn ping_timing() -> (std::time::Duration, std::time::Duration) {
    let ms = |var: &str, default: u64| {
        std::time::Duration::from_millis(
            std::env::var(var)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(default),
        )
    };
    (
        ms("MESH_WS_PING_MS", 30_000),
        ms("MESH_WS_PONG_TIMEOUT_MS", 10_000),
    )
}

/// Four unpredictable bytes for a ping.
fn ping_payload() -> Vec<u8> {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_i64(NEXT_CONN.load(Ordering::Relaxed));
    h.finish().to_le_bytes()[..4].to_vec()
}

async fn serve_ws<S: AsyncRead + AsyncWrite + Unpin + 'static>(mut stream: S, cbs: Callbacks) {
    let Some((path, headers, rest)) = upgrade(&mut stream).await else {
        return;
    };
    // small buffers: a server holds thousands of connections
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE))
        .read_buffer_size(16 * 1024)
        .write_buffer_size(0);
    let ws = tokio_tungstenite::WebSocketStream::from_partially_read(
        stream,
        rest,
        Role::Server,
        Some(config),
    )
    .await;
    let (sink, mut source) = ws.split();
    let conn = NEXT_CONN.fetch_add(1, Ordering::Relaxed);
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Message>();
    let state = Arc::new(State {
        queued: AtomicUsize::new(0),
        overflow: tokio::sync::Notify::new(),
        inbox: AtomicUsize::new(0),
        drained: tokio::sync::Notify::new(),
    });
    CONNS.insert(
        conn,
        Conn {
            tx,
            state: state.clone(),
        },
    );
    let (events, inbox) = tokio::sync::mpsc::unbounded_channel::<WsEvent>();
    process::spawn_rust(true, move || run(conn, cbs, path, headers, inbox));
    let mut writer = tokio::task::spawn_local(write_frames(sink, rx, state.clone()));
    // incoming frames become events of the process; the server pings every 30 s and
    // closes with 1001 when no pong answers within 10 s (spec 06 §4); the connection
    // also ends when its writer does (the peer stopped taking frames, or went away)
    let (every, patience) = ping_timing();
    let mut next_ping = tokio::time::Instant::now() + every;
    let mut waiting: Option<(Vec<u8>, tokio::time::Instant)> = None;
    let mut writer_done = false;
    loop {
        let wake = waiting.as_ref().map(|w| w.1).unwrap_or(next_ping);
        let frame = tokio::select! {
            f = source.next() => f,
            _ = tokio::time::sleep_until(wake) => {
                if waiting.is_some() {
                    send_close(conn, 1001, "pong timeout");
                    break;
                }
                let payload = ping_payload();
                push(conn, Message::Ping(payload.clone().into()));
                waiting = Some((payload, tokio::time::Instant::now() + patience));
                continue;
            }
            _ = &mut writer => {
                writer_done = true;
                break;
            }
        };
        let Some(frame) = frame else { break };
        let text = match frame {
            Ok(Message::Text(t)) => t.as_str().to_string(),
            Ok(Message::Binary(b)) => String::from_utf8_lossy(&b).into_owned(),
            Ok(Message::Pong(p)) => {
                if waiting.as_ref().is_some_and(|w| w.0 == p) {
                    waiting = None;
                    next_ping = tokio::time::Instant::now() + every;
                }
                continue;
            }
            Ok(Message::Close(_)) => break,
            Ok(_) => continue,
            Err(e) => {
                use tokio_tungstenite::tungstenite::Error;
                match e {
                    Error::Capacity(_) => send_close(conn, 1009, "message too big"),
                    Error::Utf8(_) => send_close(conn, 1007, "invalid UTF-8"),
                    Error::Protocol(_) => send_close(conn, 1002, "protocol error"),
                    _ => {}
                }
                break;
            }
        };
        state.inbox.fetch_add(text.len(), Ordering::AcqRel);
        let _ = events.send(WsEvent::Message(text));
        // flow control: wait while the process is behind (or the connection ends)
        while state.inbox.load(Ordering::Acquire) > INBOX_LIMIT {
            tokio::select! {
                _ = state.drained.notified() => {}
                _ = &mut writer => {
                    writer_done = true;
                    break;
                }
            }
        }
        if writer_done {
            break;
        }
    }
    // `on_close` hears `1000, ""` however the connection ended (spec 06 §4.1)
    let _ = events.send(WsEvent::Closed);
    if !writer_done {
        let _ = writer.await;
    }
}

/// Writes the connection's outgoing frames until a close frame, a write error, or the
/// queue's overflow; then closes the socket's sending side. Frames still queued are
/// freed with the queue.
async fn write_frames<W>(
    mut sink: W,
    mut rx: tokio::sync::mpsc::UnboundedReceiver<Message>,
    state: Arc<State>,
) where
    W: futures_util::Sink<Message> + Unpin,
{
    let mut overflowed = false;
    loop {
        let m = tokio::select! {
            m = rx.recv() => m,
            _ = state.overflow.notified() => {
                overflowed = true;
                break;
            }
        };
        let Some(m) = m else { break };
        let n = weight(&m);
        let close = matches!(m, Message::Close(_));
        let sent = tokio::select! {
            r = sink.send(m) => r.is_ok(),
            _ = state.overflow.notified() => {
                overflowed = true;
                break;
            }
        };
        state.queued.fetch_sub(n, Ordering::AcqRel);
        if !sent || close {
            break;
        }
    }
    drop(rx);
    if overflowed {
        let frame = Message::Close(Some(CloseFrame {
            code: CloseCode::from(1008),
            reason: "slow consumer".into(),
        }));
        let _ = tokio::time::timeout(std::time::Duration::from_secs(1), sink.send(frame)).await;
        return;
    }
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), sink.close()).await;
}

fn send_close(conn: i64, code: u16, reason: &str) {
    push(
        conn,
        Message::Close(Some(CloseFrame {
            code: CloseCode::from(code),
            reason: reason.to_string().into(),
        })),
    );
}

/// The connection ended (its process exits): rooms and queue forgotten; `code` is
/// sent unless the peer already closed.
pub fn forget(conn: i64, code: Option<(u16, &str)>) {
    if let Some((code, reason)) = code {
        send_close(conn, code, reason);
    }
    CONNS.remove(&conn);
    for members in ROOMS.lock().unwrap_or_else(|e| e.into_inner()).values_mut() {
        members.remove(&conn);
    }
}

/// The process of connection `conn` crashed in a callback (or was killed): the client
/// gets close 1011 and `on_close(conn, 1011, "internal error")` runs in a process of
/// its own (spec 06 §4.1, §4.2).
pub fn crashed(conn: i64, on_close: usize) {
    forget(conn, Some((1011, "internal error")));
    #[cfg(not(test))]
    process::spawn_rust(false, move || {
        // SAFETY: `on_close` is an immortal closure of the documented type; the
        // reason is a new cell it owns.
        unsafe { mesh_ws_close(on_close as *mut u8, conn, 1011, new_str(b"internal error")) }
    });
    #[cfg(test)]
    let _ = on_close;
}

/// A connection rejected by `on_connect`: close 1008 "rejected".
pub fn reject(conn: i64) {
    forget(conn, Some((1008, "rejected")));
}

fn send(conn: i64, text: &str) -> bool {
    push(conn, Message::text(text.to_string()))
}

/// `Ws.send(conn, text)`: 0, or -1 when the connection is gone.
///
/// # Safety
/// `text` is a live string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_ws_send(conn: i64, text: *const u8) -> i64 {
    if send(conn, unsafe { as_str(text) }) {
        0
    } else {
        -1
    }
}

/// `Ws.send_binary(conn, bytes)`: a binary frame of the string's bytes; 0, or -1 when
/// the connection is gone.
///
/// # Safety
/// `bytes` is a live string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_ws_send_binary(conn: i64, bytes: *const u8) -> i64 {
    let frame = Message::binary(unsafe { crate::strings::as_bytes(bytes) }.to_vec());
    if push(conn, frame) {
        0
    } else {
        -1
    }
}

/// `Ws.join(conn, room)`.
///
/// # Safety
/// `room` is a live string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_ws_join(conn: i64, room: *const u8) -> i64 {
    if !CONNS.contains_key(&conn) {
        return -1;
    }
    let room = unsafe { as_str(room) }.to_string();
    ROOMS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(room)
        .or_default()
        .insert(conn);
    0
}

/// `Ws.leave(conn, room)`.
///
/// # Safety
/// `room` is a live string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_ws_leave(conn: i64, room: *const u8) -> i64 {
    let room = unsafe { as_str(room) };
    let removed = ROOMS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_mut(room)
        .is_some_and(|m| m.remove(&conn));
    if removed {
        0
    } else {
        -1
    }
}

/// `Ws.broadcast_except(room, text, except)` (`except` = 0: to all): the number of
/// members it could not send to.
///
/// # Safety
/// `room` and `text` are live strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_ws_broadcast(
    room: *const u8,
    text: *const u8,
    except: i64,
) -> i64 {
    let (room, text) = unsafe { (as_str(room), as_str(text)) };
    let members: Vec<i64> = ROOMS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(room)
        .map(|m| m.iter().copied().filter(|c| *c != except).collect())
        .unwrap_or_default();
    // one copy of the text, shared by every member's queue
    let shared = tokio_tungstenite::tungstenite::Utf8Bytes::from(text.to_string());
    members
        .into_iter()
        .filter(|c| !push(*c, Message::Text(shared.clone())))
        .count() as i64
}

/// `Ws.broadcast(room, text)`.
///
/// # Safety
/// As `mesh_rt_ws_broadcast`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_ws_broadcast_all(room: *const u8, text: *const u8) -> i64 {
    unsafe { mesh_rt_ws_broadcast(room, text, 0) }
}

#[cfg(not(test))]
unsafe extern "C" {
    // Emitted by codegen: the callbacks' calling conventions (each owns its arguments).
    fn mesh_ws_connect(clo: *mut u8, conn: i64, path: *mut u8, headers: *mut u8) -> i64;
    fn mesh_ws_message(clo: *mut u8, conn: i64, text: *mut u8);
    fn mesh_ws_close(clo: *mut u8, conn: i64, code: i64, reason: *mut u8);
}

/// The process took a message of `n` bytes off its connection's inbox.
#[cfg(not(test))]
fn handled(conn: i64, n: usize) {
    if let Some(c) = CONNS.get(&conn) {
        if c.state.inbox.fetch_sub(n, Ordering::AcqRel) - n <= INBOX_LIMIT {
            c.state.drained.notify_one();
        }
    }
}

/// What a connection's process keeps while its callbacks run: if one crashes (or the
/// process is killed), the exit hook closes the connection with 1011 and runs
/// `on_close` elsewhere.
struct WsState {
    conn: i64,
    close: usize,
    // read only by the compiled-program path (the runtime's unit tests have no Mesh
    // callbacks to run)
    #[cfg_attr(test, allow(dead_code))]
    events: Option<tokio::sync::mpsc::UnboundedReceiver<WsEvent>>,
}

impl process::Extension for WsState {
    fn exited(self: Box<Self>, _pid: process::Pid, _crashed: Option<&str>) {
        crashed(self.conn, self.close);
    }
    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any> {
        self
    }
}

/// The connection's process: `on_connect`, then `on_message` per message, then
/// `on_close` (not for a rejected connection).
fn run(
    conn: i64,
    cbs: Callbacks,
    path: String,
    headers: Vec<(String, String)>,
    events: tokio::sync::mpsc::UnboundedReceiver<WsEvent>,
) {
    let Some(me) = process::current() else { return };
    let keep = |events| {
        me.set_extension(Box::new(WsState {
            conn,
            close: cbs.close,
            events: Some(events),
        }))
    };
    keep(events);
    #[cfg(not(test))]
    // SAFETY: the callbacks are immortal closures of the documented types; the
    // arguments are new cells they own.
    unsafe {
        let accepted = mesh_ws_connect(
            cbs.connect as *mut u8,
            conn,
            new_str(path.as_bytes()),
            crate::map::string_map(&headers),
        );
        if accepted == 0 {
            me.take_extension::<WsState>();
            reject(conn);
            return;
        }
        loop {
            let Some(mut events) = me.take_extension::<WsState>().and_then(|s| s.events) else {
                return;
            };
            let (events, event) = process::await_future(async move {
                let e = events.recv().await;
                (events, e)
            });
            match event {
                Some(WsEvent::Message(t)) => {
                    keep(events);
                    let text = new_str(t.as_bytes());
                    handled(conn, t.len());
                    mesh_ws_message(cbs.message as *mut u8, conn, text)
                }
                Some(WsEvent::Closed) | None => {
                    forget(conn, None);
                    mesh_ws_close(cbs.close as *mut u8, conn, 1000, new_str(b""));
                    return;
                }
            }
        }
    }
    #[cfg(test)]
    let _ = (conn, cbs, path, headers);
}
