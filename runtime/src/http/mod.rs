//! The HTTP server (spec 06 §1) on hyper 1: `HTTP.serve` binds `[::]:port`, accepts on
//! a thread of its own and holds the calling process (it never returns); each connection
//! goes to a worker (in turn), where hyper serves it (HTTP/1.1, keep-alive unless the
//! client asks to close — decision 37) and its requests run the program's handler —
//! `stdlib/http.mpl`'s router dispatch, a Mesh closure — one after another in the
//! connection's process on that worker, so a handler may receive, call services and
//! sleep without holding up other requests. A handler that crashes ends its process;
//! the client gets 500 and the server goes on (spec 06 §1.5). Requests and responses
//! are foreign cells (`Req`, `Resp`). A client of the process core. Paper:
//! `papers/http.md`.

pub mod client;
#[cfg(feature = "dist")]
mod clustered;
pub mod ws;

use crate::library::{none, some_ptr, string_list};
use crate::memory::{foreign, foreign_cell, Foreign};
use crate::process;
use crate::strings::{as_str, new_str};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use std::sync::Arc;

/// Requests being handled now (for a graceful shutdown).
static IN_FLIGHT: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);
/// Set by SIGTERM/SIGINT: stop accepting, finish what is in flight, exit.
static STOP: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

extern "C" fn on_stop(_sig: i32) {
    STOP.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// SIGTERM and SIGINT stop the server gracefully (the accept loop looks at `STOP`).
fn install_stop_handler() {
    // SAFETY: plain libc calls; the handler only stores an atomic.
    unsafe {
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_stop as *const () as usize;
        sa.sa_flags = 0;
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(libc::SIGTERM, &sa, std::ptr::null_mut());
        libc::sigaction(libc::SIGINT, &sa, std::ptr::null_mut());
    }
}

/// After a stop signal: waits (at most 10 s) for the requests in flight, then ends the
/// program with status 0.
fn shut_down() -> ! {
    crate::elog!("[mesh-rt] HTTP server shutting down");
    let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while IN_FLIGHT.load(std::sync::atomic::Ordering::SeqCst) > 0
        && std::time::Instant::now() < until
    {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    crate::console::flush_out();
    std::process::exit(0)
}

/// Accepts on a thread of its own until a stop signal, handing each connection to
/// `hand`; the calling process waits for ever (a server keeps the program alive).
fn serve_forever(
    listener: std::net::TcpListener,
    what: &'static str,
    hand: impl Fn(std::net::TcpStream) + Send + 'static,
) {
    std::thread::Builder::new()
        .name(format!("mesh-{}-accept", what.to_lowercase()))
        .spawn(move || accept_loop(listener, what, hand))
        .expect("cannot start the listener thread");
    process::hold()
}

/// Accepts until a stop signal, handing each connection to `hand`.
fn accept_loop(
    listener: std::net::TcpListener,
    what: &str,
    hand: impl Fn(std::net::TcpStream),
) -> ! {
    install_stop_handler();
    loop {
        if STOP.load(std::sync::atomic::Ordering::SeqCst) {
            shut_down();
        }
        // the signal may reach another thread: wake up now and then to look at STOP
        let mut pfd = libc::pollfd {
            fd: std::os::fd::AsRawFd::as_raw_fd(&listener),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd.
        if unsafe { libc::poll(&mut pfd, 1, 200) } <= 0 {
            continue;
        }
        match listener.accept() {
            Ok((stream, _)) => {
                let _ = stream.set_nodelay(true);
                if stream.set_nonblocking(true).is_ok() {
                    hand(stream);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                // out of descriptors and the like: wait a little rather than spin
                crate::elog!("[mesh-rt] {what} accept error: {e}");
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        }
    }
}

/// Largest request body read (bigger: 413).
pub const MAX_BODY: usize = 8 << 20;
/// At most this many request headers (more: 431), as spec 06 §1.4.
pub const MAX_HEADERS: usize = 100;

/// A request as handlers see it.
#[derive(Clone)]
pub struct Req {
    method: hyper::Method,
    /// Path and query, as received (cheap to clone: shared bytes).
    uri: hyper::Uri,
    /// Looked up case-insensitively.
    headers: Arc<hyper::HeaderMap>,
    body: Bytes,
    params: Vec<(String, String)>,
}

impl Req {
    fn path(&self) -> &str {
        self.uri.path()
    }

    fn query(&self) -> &str {
        self.uri.query().unwrap_or("")
    }
}

impl Foreign for Req {
    fn deep_copy(&self) -> Self {
        self.clone()
    }
}

/// A response as handlers build it.
#[derive(Clone)]
pub struct Resp {
    status: u16,
    /// The bytes of a Mesh string.
    body: Bytes,
    headers: Vec<(String, String)>,
}

impl Foreign for Resp {
    fn deep_copy(&self) -> Self {
        self.clone()
    }
}

unsafe fn req<'a>(p: *const u8) -> &'a Req {
    // SAFETY: forwarded contract: `p` is a request cell.
    unsafe { foreign::<Req>(p) }
}

fn string_option(v: Option<&str>) -> *mut u8 {
    match v {
        Some(s) => some_ptr(new_str(s.as_bytes())),
        None => none(),
    }
}

/// `Request.method(req)`.
///
/// # Safety
/// `r` is a live request cell (for all `Request.*`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_req_method(r: *const u8) -> *mut u8 {
    new_str(unsafe { req(r) }.method.as_str().as_bytes())
}

/// `Request.path(req)`: without the query string, not percent-decoded.
///
/// # Safety
/// As `mesh_rt_req_method`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_req_path(r: *const u8) -> *mut u8 {
    new_str(unsafe { req(r) }.path().as_bytes())
}

/// `Request.body(req)`.
///
/// # Safety
/// As `mesh_rt_req_method`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_req_body(r: *const u8) -> *mut u8 {
    new_str(String::from_utf8_lossy(&unsafe { req(r) }.body).as_bytes())
}

/// `Request.header(req, name)`: case-insensitive (RFC 9110); the first value.
///
/// # Safety
/// As `mesh_rt_req_method`; `name` is a live string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_req_header(r: *const u8, name: *const u8) -> *mut u8 {
    let (r, name) = unsafe { (req(r), as_str(name)) };
    let found = r
        .headers
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()));
    string_option(found.as_deref())
}

/// `Request.query(req, name)`: pairs split on `&` then the first `=`, not decoded; the
/// last of a repeated key (spec 06 §1.2).
///
/// # Safety
/// As `mesh_rt_req_header`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_req_query(r: *const u8, name: *const u8) -> *mut u8 {
    let (r, name) = unsafe { (req(r), as_str(name)) };
    let value = r
        .query()
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .filter(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .last();
    string_option(value)
}

/// `Request.param(req, name)`: a path parameter captured by `:name`.
///
/// # Safety
/// As `mesh_rt_req_header`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_req_param(r: *const u8, name: *const u8) -> *mut u8 {
    let (r, name) = unsafe { (req(r), as_str(name)) };
    string_option(
        r.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str()),
    )
}

/// The request with path parameters `names` = `values` (the router's match).
///
/// # Safety
/// As `mesh_rt_req_method`; `names`, `values` are lists of strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_req_with_params(
    r: *const u8,
    names: *const u8,
    values: *const u8,
) -> *mut u8 {
    let mut copy = unsafe { req(r) }.clone();
    copy.params = unsafe { string_list(names) }
        .into_iter()
        .zip(unsafe { string_list(values) })
        .collect();
    foreign_cell(copy)
}

/// A response: `status`, `body`, and the extra headers of the map `headers`
/// (`Map<String, String>`).
///
/// # Safety
/// `body` is a live string and `headers` a live map of strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_response(
    status: i64,
    body: *const u8,
    headers: *const u8,
) -> *mut u8 {
    foreign_cell(Resp {
        status: status.clamp(100, 999) as u16,
        body: unsafe { body_bytes(body) },
        headers: unsafe { crate::map::string_pairs(headers) },
    })
}

/// A response body from a Mesh string: an immortal one (a literal, or reached from the
/// handler) is never freed, so the response points at its bytes; others are copied.
///
/// # Safety
/// `s` is a live string.
unsafe fn body_bytes(s: *const u8) -> Bytes {
    // SAFETY: forwarded contract; an immortal cell lives until the program ends.
    unsafe {
        let b = crate::strings::as_bytes(s);
        if *(s as *const u64) >> 32 == crate::memory::IMMORTAL {
            Bytes::from_static(std::slice::from_raw_parts(b.as_ptr(), b.len()))
        } else {
            Bytes::copy_from_slice(b)
        }
    }
}

/// A response with the default headers (`HTTP.response`).
///
/// # Safety
/// `body` is a live string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_response_plain(status: i64, body: *const u8) -> *mut u8 {
    foreign_cell(Resp {
        status: status.clamp(100, 999) as u16,
        body: unsafe { body_bytes(body) },
        headers: Vec::new(),
    })
}

/// `Response.status(resp)`.
///
/// # Safety
/// `r` is a live response cell.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_response_status(r: *const u8) -> i64 {
    unsafe { foreign::<Resp>(r) }.status as i64
}

/// `Response.body(resp)`.
///
/// # Safety
/// `r` is a live response cell.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_response_body(r: *const u8) -> *mut u8 {
    new_str(&unsafe { foreign::<Resp>(r) }.body)
}

// ------------------------------------------------------------------ serving

/// `HTTP.serve`'s work: binds `[::]:port`, logs, and accepts for ever (handing each
/// connection to a worker); returns after logging only when it cannot bind.
///
/// # Safety
/// `handler` is a live closure `fn(Request) -> Response`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_http_serve(handler: *mut u8, port: i64) {
    // every worker runs the handler: it and all it holds become immortal (shared
    // read-only, never freed), so no reference count is touched across threads
    unsafe { crate::memory::immortalize(handler) };
    raise_file_limit();
    let listener = match listen(port as u16) {
        Ok(l) => l,
        Err(e) => {
            crate::elog!("[mesh-rt] Failed to start HTTP server on [::]:{port}: {e}");
            return;
        }
    };
    crate::elog!("[mesh-rt] HTTP server listening on [::]:{port}");
    crate::system::listening();
    let handler = handler as usize;
    serve_forever(listener, "HTTP", move |stream| {
        process::spawn_task(Box::new(move || {
            tokio::task::spawn_local(serve_connection(stream, handler));
        }))
    })
}

/// `HTTP.serve_tls(router, port, cert, key)`: as `mesh_rt_http_serve`, over TLS 1.2/1.3
/// (rustls) with the PEM certificate chain and private key at the two paths.
///
/// # Safety
/// As `mesh_rt_http_serve`; `cert` and `key` are live strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_https_serve(
    handler: *mut u8,
    port: i64,
    cert: *const u8,
    key: *const u8,
) {
    let config = match tls_config(unsafe { as_str(cert) }, unsafe { as_str(key) }) {
        Ok(c) => Arc::new(c),
        Err(e) => {
            crate::elog!("[mesh-rt] Failed to load TLS certificates: {e}");
            return;
        }
    };
    unsafe { crate::memory::immortalize(handler) };
    raise_file_limit();
    let listener = match listen(port as u16) {
        Ok(l) => l,
        Err(e) => {
            crate::elog!("[mesh-rt] Failed to start HTTPS server on [::]:{port}: {e}");
            return;
        }
    };
    crate::elog!("[mesh-rt] HTTPS server listening on [::]:{port}");
    crate::system::listening();
    let handler = handler as usize;
    serve_forever(listener, "HTTPS", move |stream| {
        let config = config.clone();
        process::spawn_task(Box::new(move || {
            tokio::task::spawn_local(serve_tls_connection(stream, handler, config));
        }))
    })
}

pub(crate) fn tls_config(cert: &str, key: &str) -> Result<rustls::ServerConfig, String> {
    let open = |p: &str| {
        std::fs::File::open(p)
            .map(std::io::BufReader::new)
            .map_err(|e| format!("{p}: {e}"))
    };
    let certs = rustls_pemfile::certs(&mut open(cert)?)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{cert}: {e}"))?;
    if certs.is_empty() {
        return Err(format!("{cert}: no PEM certificate"));
    }
    let key = rustls_pemfile::private_key(&mut open(key)?)
        .map_err(|e| format!("{key}: {e}"))?
        .ok_or_else(|| format!("{key}: no PEM private key"))?;
    rustls::ServerConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| e.to_string())
}

/// Serves one TLS connection on this worker: the handshake, then HTTP as usual.
pub async fn serve_tls_connection(
    stream: std::net::TcpStream,
    handler: usize,
    config: Arc<rustls::ServerConfig>,
) {
    let Ok(stream) = tokio::net::TcpStream::from_std(stream) else {
        return;
    };
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    let handshake =
        tokio::time::timeout(std::time::Duration::from_secs(30), acceptor.accept(stream));
    let Ok(Ok(tls)) = handshake.await else {
        return;
    };
    serve_io(hyper_util::rt::TokioIo::new(tls), handler).await;
}

/// `[::]:port`, dual-stack, with a deep accept queue (bursts of thousands of clients).
fn listen(port: u16) -> std::io::Result<std::net::TcpListener> {
    use socket2::{Domain, Socket, Type};
    let s = Socket::new(Domain::IPV6, Type::STREAM, None)?;
    s.set_only_v6(false)?;
    s.set_reuse_address(true)?;
    s.bind(&std::net::SocketAddr::from((std::net::Ipv6Addr::UNSPECIFIED, port)).into())?;
    s.listen(4096)?;
    Ok(s.into())
}

/// A server holds a descriptor per connection: the soft limit goes up to the hard one
/// (as Go's runtime does).
fn raise_file_limit() {
    // SAFETY: plain libc calls on a local struct.
    unsafe {
        let mut lim: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 && lim.rlim_cur < lim.rlim_max {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}

/// Serves one connection on this worker (a task of its `LocalSet`).
pub async fn serve_connection(stream: std::net::TcpStream, handler: usize) {
    let Ok(stream) = tokio::net::TcpStream::from_std(stream) else {
        return;
    };
    serve_io(hyper_util::rt::TokioIo::new(stream), handler).await;
}

/// How long a connection may go without starting a request (none in flight) before
/// it is closed: `MESH_HTTP_IDLE_MS` (tests), else 30 s.
fn idle_limit() -> std::time::Duration {
    static IDLE: std::sync::OnceLock<std::time::Duration> = std::sync::OnceLock::new();
    *IDLE.get_or_init(|| {
        std::time::Duration::from_millis(
            std::env::var("MESH_HTTP_IDLE_MS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(30_000),
        )
    })
}

/// HTTP/1.1 over a connection (plain or TLS). A watchdog closes the connection when a
/// whole idle period (`idle_limit`) passes with no request starting or ending and none
/// in flight:
/// a client that sends half a head and stalls, or a kept-alive connection nobody uses,
/// goes after one to two periods, while a handler that takes longer is never cut off.
/// (hyper's own head timeout re-arms a timer for every request; this costs one timer
/// per connection per period.)
async fn serve_io<I>(io: I, handler: usize)
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + 'static,
{
    use futures_util::future::{select, Either};
    use std::cell::Cell;
    use std::rc::Rc;
    // (requests started or finished, requests in flight)
    let activity = Rc::new(Cell::new((0u64, 0u64)));
    let seen = activity.clone();
    // the connection's process (its requests come one after another)
    let process = Rc::new(std::cell::RefCell::new(ConnProcess::default()));
    let service = hyper::service::service_fn(move |r| {
        let a = seen.clone();
        let (events, busy) = a.get();
        a.set((events + 1, busy + 1));
        let process = process.clone();
        async move {
            let resp = respond(r, &process, handler).await;
            let (events, busy) = a.get();
            a.set((events + 1, busy - 1));
            resp
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    // hyper's own limit is MAX_HEADERS headers (on the stack: setting it would put them
    // on the heap for every request)
    // a client may shut down its sending side and wait for the answer (half_close)
    builder
        .max_buf_size(64 * 1024)
        .header_read_timeout(None)
        .half_close(true);
    let conn = std::pin::pin!(builder.serve_connection(io, service));
    let watchdog = std::pin::pin!(async {
        let mut last = u64::MAX;
        loop {
            tokio::time::sleep(idle_limit()).await;
            let (events, busy) = activity.get();
            if busy == 0 && events == last {
                return;
            }
            last = events;
        }
    });
    if let Either::Left((Err(e), _)) = select(conn, watchdog).await {
        if e.is_parse() || e.is_parse_too_large() {
            crate::elog!("[mesh-rt] HTTP parse error: {e}");
        }
    }
}

fn plain(status: u16, body: &'static str) -> hyper::Response<Full<Bytes>> {
    let mut r = hyper::Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *r.status_mut() = hyper::StatusCode::from_u16(status).unwrap();
    r.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json; charset=utf-8"),
    );
    r
}

async fn respond(
    r: hyper::Request<hyper::body::Incoming>,
    process: &std::cell::RefCell<ConnProcess>,
    handler: usize,
) -> Result<hyper::Response<Full<Bytes>>, std::convert::Infallible> {
    let (parts, body) = r.into_parts();
    let declared = parts
        .headers
        .get(hyper::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        // refused before reading it (hyper closes the connection)
        return Ok(plain(413, "Payload Too Large"));
    }
    // a request without a body (most GETs) skips the collecting machinery
    let body = if hyper::body::Body::is_end_stream(&body) {
        Bytes::new()
    } else {
        match Limited::new(body, MAX_BODY).collect().await {
            Ok(b) => b.to_bytes(),
            Err(e) => {
                let too_big = e
                    .downcast_ref::<http_body_util::LengthLimitError>()
                    .is_some();
                return Ok(if too_big {
                    plain(413, "Payload Too Large")
                } else {
                    plain(400, "Bad Request")
                });
            }
        }
    };
    let request = Req {
        method: parts.method,
        uri: parts.uri,
        headers: Arc::new(parts.headers),
        body,
        params: Vec::new(),
    };
    let resp = {
        // counted while in flight, also when the client goes away meanwhile (hyper
        // then drops this future)
        struct InFlight;
        impl Drop for InFlight {
            fn drop(&mut self) {
                IN_FLIGHT.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
            }
        }
        IN_FLIGHT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let _in_flight = InFlight;
        let answer = process.borrow_mut().submit(handler, request);
        answer.await.ok()
    };
    let resp = match resp {
        Some(resp) => resp,
        None => {
            crate::elog!("[mesh-rt] HTTP handler panicked: the handler's process crashed");
            return Ok(plain(500, "Internal Server Error"));
        }
    };
    let mut out = hyper::Response::new(Full::new(resp.body));
    *out.status_mut() = hyper::StatusCode::from_u16(resp.status)
        .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    let h = out.headers_mut();
    let own_type = resp
        .headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("content-type"));
    if !own_type {
        h.insert(
            hyper::header::CONTENT_TYPE,
            hyper::header::HeaderValue::from_static("application/json; charset=utf-8"),
        );
    }
    for (k, v) in resp.headers {
        if let (Ok(k), Ok(v)) = (
            hyper::header::HeaderName::from_bytes(k.as_bytes()),
            hyper::header::HeaderValue::from_str(&v),
        ) {
            h.append(k, v);
        }
    }
    Ok(out)
}

/// A request for the connection's process and where its response goes.
type Job = (Req, tokio::sync::oneshot::Sender<Resp>);

/// The process serving one HTTP connection (spec 06 §1.4: each accepted connection is
/// served by its own process): made for the first request, it runs the connection's
/// requests one after another (HTTP/1.1 answers in order), waiting between them like a
/// process blocked in a receive; a crash ends it and the next request gets a new one.
/// It ends when the connection closes (its queue does).
#[derive(Default)]
struct ConnProcess(Option<tokio::sync::mpsc::UnboundedSender<Job>>);

impl ConnProcess {
    /// Hands `request` to the connection's process (starting one when there is none, or
    /// the last crashed); the response comes on the returned channel, which closes
    /// without one if the handler crashes.
    fn submit(&mut self, handler: usize, request: Req) -> tokio::sync::oneshot::Receiver<Resp> {
        let (reply, answer) = tokio::sync::oneshot::channel();
        if self.0.as_ref().is_none_or(|tx| tx.is_closed()) {
            let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
            self.0 = Some(tx);
            process::spawn_rust(true, move || serve_requests(handler, rx));
        }
        if let Some(tx) = &self.0 {
            let _ = tx.send((request, reply));
        }
        answer
    }
}

/// What a connection's process holds while a handler runs: if the handler crashes, the
/// exit hook drops them, so the connection sees the crash (no response; a closed queue).
struct ConnState {
    rx: Option<tokio::sync::mpsc::UnboundedReceiver<Job>>,
    reply: Option<tokio::sync::oneshot::Sender<Resp>>,
}

impl process::Extension for ConnState {
    fn exited(self: Box<Self>, _pid: process::Pid, _crashed: Option<&str>) {}
    fn into_any(self: Box<Self>) -> Box<dyn std::any::Any> {
        self
    }
}

/// The body of a connection's process: its requests, one after another.
fn serve_requests(handler: usize, rx: tokio::sync::mpsc::UnboundedReceiver<Job>) {
    let Some(me) = process::current() else { return };
    let mut rx = rx;
    loop {
        let (back, job) = process::await_future(async move {
            let job = rx.recv().await;
            (rx, job)
        });
        let Some((request, reply)) = job else { return };
        me.set_extension(Box::new(ConnState {
            rx: Some(back),
            reply: Some(reply),
        }));
        let resp = call_handler(handler, request);
        let Some(state) = me.take_extension::<ConnState>() else {
            return;
        };
        if let Some(reply) = state.reply {
            let _ = reply.send(resp);
        }
        match state.rx {
            Some(r) => rx = r,
            None => return,
        }
    }
}

/// Runs the handler closure on a request inside the running process: the response
/// (a copy the caller owns).
pub fn call_handler(handler: usize, request: Req) -> Resp {
    let r = foreign_cell(request);
    #[cfg(not(test))]
    let resp = {
        unsafe extern "C" {
            /// Emitted by codegen: calls a closure on one pointer argument (owning
            /// both) and returns its pointer result.
            fn mesh_call_ptr(clo: *mut u8, arg: *mut u8) -> *mut u8;
        }
        // SAFETY: the handler is an immortal closure taking a request.
        unsafe { mesh_call_ptr(handler as *mut u8, r) }
    };
    #[cfg(test)]
    let resp = {
        let _ = handler;
        unsafe { crate::memory::mesh_rt_drop(r) };
        foreign_cell(Resp {
            status: 200,
            body: Bytes::new(),
            headers: vec![],
        })
    };
    // SAFETY: the handler returns a response cell, which is ours: taken out when no one
    // else holds it (the usual case), else copied.
    unsafe {
        let out = if crate::memory::is_unique(resp) {
            let cell = *(resp as *const u64).add(2) as *mut Resp;
            std::mem::replace(
                &mut *cell,
                Resp {
                    status: 0,
                    body: Bytes::new(),
                    headers: Vec::new(),
                },
            )
        } else {
            foreign::<Resp>(resp).clone()
        };
        crate::memory::mesh_rt_drop(resp);
        out
    }
}
