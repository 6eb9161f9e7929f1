//! WebSockets (spec 06 §4) on tokio-tungstenite. `Ws.serve` listens on its own thread
//! and returns at once; each connection goes to a worker, where an async task reads the
//! upgrade request (400 unless it is a WebSocket upgrade), answers 101, and then carries
//! frames between the socket and the connection's *process* — Rust code calling the
//! program's three callbacks in order (`on_connect`, then `on_message` per message,
//! then `on_close` once), so a connection's callbacks never run concurrently and a
//! crash ends only that connection (close 1011). `Ws.send` and the room broadcasts put
//! frames on a connection's outgoing queue from any process. Paper: `papers/http.md`.

use crate::actor;
use crate::strings::{as_str, new_str};
use futures_util::{SinkExt, StreamExt};
use std::collections::{BTreeSet, HashMap};
use std::sync::{LazyLock, Mutex};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, Role, WebSocketConfig};
use tokio_tungstenite::tungstenite::Message;

/// Outgoing frames of each open connection.
static CONNS: LazyLock<dashmap::DashMap<i64, tokio::sync::mpsc::UnboundedSender<Message>>> =
    LazyLock::new(dashmap::DashMap::new);
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
            eprintln!("[mesh-rt] Failed to load TLS certificates: {e}");
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
            eprintln!("[mesh-rt] Failed to start WebSocket server on 0.0.0.0:{port}: {e}");
            return;
        }
    };
    eprintln!("[mesh-rt] WebSocket server listening on 0.0.0.0:{port}");
    actor::keep_workers();
    std::thread::Builder::new()
        .name("mesh-ws-accept".into())
        .spawn(move || loop {
            match listener.accept() {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    if stream.set_nonblocking(true).is_ok() {
                        actor::dispatch_ws(stream, cbs, tls.clone());
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
    h.write_i64(NEXT_CONN.load(std::sync::atomic::Ordering::Relaxed));
    h.finish().to_le_bytes()[..4].to_vec()
}

async fn serve_ws<S: AsyncRead + AsyncWrite + Unpin + 'static>(mut stream: S, cbs: Callbacks) {
    let Some((path, headers, rest)) = upgrade(&mut stream).await else {
        return;
    };
    let config = WebSocketConfig {
        max_message_size: Some(MAX_MESSAGE),
        ..Default::default()
    };
    let ws = tokio_tungstenite::WebSocketStream::from_partially_read(
        stream,
        rest,
        Role::Server,
        Some(config),
    )
    .await;
    let (mut sink, mut source) = ws.split();
    let conn = NEXT_CONN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Message>();
    CONNS.insert(conn, tx);
    let process = actor::start_ws_process(conn, cbs, path, headers);
    // outgoing frames, until the process lets go of the connection
    let writer = tokio::task::spawn_local(async move {
        while let Some(m) = rx.recv().await {
            let close = matches!(m, Message::Close(_));
            if sink.send(m).await.is_err() || close {
                break;
            }
        }
        let _ = sink.close().await;
    });
    // incoming frames become events of the process; the server pings every 30 s and
    // closes with 1001 when no pong answers within 10 s (spec 06 §4)
    let (every, patience) = ping_timing();
    let mut next_ping = tokio::time::Instant::now() + every;
    let mut waiting: Option<(Vec<u8>, tokio::time::Instant)> = None;
    loop {
        let wake = waiting.as_ref().map(|w| w.1).unwrap_or(next_ping);
        let frame = match tokio::time::timeout_at(wake, source.next()).await {
            Ok(Some(frame)) => frame,
            Ok(None) => break,
            Err(_) => {
                if waiting.is_some() {
                    send_close(conn, 1001, "pong timeout");
                    break;
                }
                let payload = ping_payload();
                if let Some(tx) = CONNS.get(&conn) {
                    let _ = tx.send(Message::Ping(payload.clone()));
                }
                waiting = Some((payload, tokio::time::Instant::now() + patience));
                continue;
            }
        };
        match frame {
            Ok(Message::Text(t)) => actor::ws_event(process, WsEvent::Message(t)),
            Ok(Message::Binary(b)) => actor::ws_event(
                process,
                WsEvent::Message(String::from_utf8_lossy(&b).into_owned()),
            ),
            Ok(Message::Pong(p)) => {
                if waiting.as_ref().is_some_and(|w| w.0 == p) {
                    waiting = None;
                    next_ping = tokio::time::Instant::now() + every;
                }
            }
            Ok(Message::Close(_)) => break,
            Ok(_) => {}
            Err(e) => {
                use tokio_tungstenite::tungstenite::Error;
                match e {
                    Error::Capacity(_) => send_close(conn, 1009, "message too big"),
                    Error::Utf8 => send_close(conn, 1007, "invalid UTF-8"),
                    Error::Protocol(_) => send_close(conn, 1002, "protocol error"),
                    _ => {}
                }
                break;
            }
        }
    }
    // `on_close` hears `1000, ""` however the connection ended (spec 06 §4.1)
    actor::ws_event(process, WsEvent::Closed);
    let _ = writer.await;
}

fn send_close(conn: i64, code: u16, reason: &str) {
    if let Some(tx) = CONNS.get(&conn) {
        let _ = tx.send(Message::Close(Some(CloseFrame {
            code: CloseCode::from(code),
            reason: reason.to_string().into(),
        })));
    }
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
    actor::spawn_rust(move || {
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
    CONNS
        .get(&conn)
        .is_some_and(|tx| tx.send(Message::Text(text.to_string())).is_ok())
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
    let frame = Message::Binary(unsafe { crate::strings::as_bytes(bytes) }.to_vec());
    match CONNS.get(&conn) {
        Some(tx) if tx.send(frame).is_ok() => 0,
        _ => -1,
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
    members.into_iter().filter(|c| !send(*c, text)).count() as i64
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

/// The connection's process: `on_connect`, then `on_message` per message, then
/// `on_close` (not for a rejected connection).
pub fn run(
    me: &actor::Process,
    conn: i64,
    cbs: Callbacks,
    path: String,
    headers: Vec<(String, String)>,
) {
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
            reject(conn);
            actor::ws_done(me);
            return;
        }
        loop {
            match actor::next_ws_event(me) {
                WsEvent::Message(t) => {
                    mesh_ws_message(cbs.message as *mut u8, conn, new_str(t.as_bytes()))
                }
                WsEvent::Closed => {
                    forget(conn, None);
                    actor::ws_done(me);
                    mesh_ws_close(cbs.close as *mut u8, conn, 1000, new_str(b""));
                    return;
                }
            }
        }
    }
    #[cfg(test)]
    let _ = (me, conn, cbs, path, headers);
}
