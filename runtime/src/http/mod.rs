//! The HTTP server (spec 06 §1) on hyper 1: `HTTP.serve` binds `[::]:port` and
//! accepts on the main thread; each connection goes to a worker (in turn), where hyper
//! serves it (HTTP/1.1, keep-alive unless the client asks to close — decision 37) and
//! every request runs the program's handler — `stdlib/http.mpl`'s router dispatch, a
//! Mesh closure — in a process of its own on that worker, so a handler may receive,
//! call services and sleep without holding up other requests. A handler that crashes
//! ends its process; the client gets 500 and the server goes on (spec 06 §1.5).
//! Requests and responses are foreign cells (`Req`, `Resp`). Paper: `papers/http.md`.

pub mod ws;

use crate::actor;
use crate::library::{none, some_ptr};
use crate::memory::{foreign, foreign_cell, Foreign};
use crate::strings::{as_str, new_str};
use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use std::sync::Arc;

/// Largest request body read (bigger: 413).
pub const MAX_BODY: usize = 8 << 20;
/// At most this many request headers (more: 431), as spec 06 §1.4.
pub const MAX_HEADERS: usize = 100;

/// A request as handlers see it.
#[derive(Clone)]
pub struct Req {
    method: String,
    path: String,
    query: String,
    headers: Arc<Vec<(String, String)>>,
    body: Arc<str>,
    params: Vec<(String, String)>,
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
    body: String,
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
    new_str(unsafe { req(r) }.method.as_bytes())
}

/// `Request.path(req)`: without the query string, not percent-decoded.
///
/// # Safety
/// As `mesh_rt_req_method`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_req_path(r: *const u8) -> *mut u8 {
    new_str(unsafe { req(r) }.path.as_bytes())
}

/// `Request.body(req)`.
///
/// # Safety
/// As `mesh_rt_req_method`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_req_body(r: *const u8) -> *mut u8 {
    new_str(unsafe { req(r) }.body.as_bytes())
}

/// `Request.header(req, name)`: exact case first, then case-insensitive (RFC 9110).
///
/// # Safety
/// As `mesh_rt_req_method`; `name` is a live string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_req_header(r: *const u8, name: *const u8) -> *mut u8 {
    let (r, name) = unsafe { (req(r), as_str(name)) };
    let found = r
        .headers
        .iter()
        .find(|(k, _)| k == name)
        .or_else(|| r.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)));
    string_option(found.map(|(_, v)| v.as_str()))
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
        .query
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

/// The strings of a Mesh `List<String>`.
unsafe fn strings(mut l: *const u8) -> Vec<String> {
    let mut out = Vec::new();
    // SAFETY: a list in the compiler's layout: Cons = tag 1, slots head and tail.
    unsafe {
        while *(l as *const u64) & 0xFFFF_FFFF == 1 {
            out.push(as_str(*(l as *const u64).add(2) as *const u8).to_string());
            l = *(l as *const u64).add(3) as *const u8;
        }
    }
    out
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
    copy.params = unsafe { strings(names) }
        .into_iter()
        .zip(unsafe { strings(values) })
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
        body: unsafe { as_str(body) }.to_string(),
        headers: unsafe { crate::map::string_pairs(headers) },
    })
}

/// A response with the default headers (`HTTP.response`).
///
/// # Safety
/// `body` is a live string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_response_plain(status: i64, body: *const u8) -> *mut u8 {
    foreign_cell(Resp {
        status: status.clamp(100, 999) as u16,
        body: unsafe { as_str(body) }.to_string(),
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
    new_str(unsafe { foreign::<Resp>(r) }.body.as_bytes())
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
            eprintln!("[mesh-rt] Failed to start HTTP server on [::]:{port}: {e}");
            return;
        }
    };
    eprintln!("[mesh-rt] HTTP server listening on [::]:{port}");
    let handler = handler as usize;
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                let _ = stream.set_nodelay(true);
                if stream.set_nonblocking(true).is_ok() {
                    actor::dispatch_connection(stream, handler);
                }
            }
            Err(e) => {
                // out of descriptors and the like: wait a little rather than spin
                eprintln!("[mesh-rt] HTTP accept error: {e}");
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        }
    }
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
    let service = hyper::service::service_fn(move |r| respond(r, handler));
    let mut builder = hyper::server::conn::http1::Builder::new();
    // hyper's own limit is MAX_HEADERS headers (on the stack: setting it would put them
    // on the heap for every request)
    builder
        .max_buf_size(64 * 1024)
        .header_read_timeout(Some(std::time::Duration::from_secs(30)))
        .timer(hyper_util::rt::TokioTimer::new());
    if let Err(e) = builder
        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
        .await
    {
        if e.is_parse() || e.is_parse_too_large() {
            eprintln!("[mesh-rt] HTTP parse error: {e}");
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
    let body = match Limited::new(body, MAX_BODY).collect().await {
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
    };
    let (path, query) = match parts.uri.path_and_query() {
        Some(pq) => (pq.path().to_string(), pq.query().unwrap_or("").to_string()),
        None => (parts.uri.path().to_string(), String::new()),
    };
    let headers = parts
        .headers
        .iter()
        .map(|(k, v)| {
            (
                canonical(k.as_str()),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let request = Req {
        method: parts.method.as_str().to_string(),
        path,
        query,
        headers: Arc::new(headers),
        body: Arc::from(String::from_utf8_lossy(&body).as_ref()),
        params: Vec::new(),
    };
    let resp = match actor::run_handler(handler, request).await {
        Some(resp) => resp,
        None => {
            eprintln!("[mesh-rt] HTTP handler panicked: the handler's process crashed");
            return Ok(plain(500, "Internal Server Error"));
        }
    };
    let mut out = hyper::Response::new(Full::new(Bytes::from(resp.body)));
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

/// `content-type` → `Content-Type` (hyper lower-cases names; handlers look them up as
/// curl sends them, spec 06 §1.2).
fn canonical(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut up = true;
    for c in name.chars() {
        out.push(if up { c.to_ascii_uppercase() } else { c });
        up = c == '-';
    }
    out
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
            body: String::new(),
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
                    body: String::new(),
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
