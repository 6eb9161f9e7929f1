//! The HTTP client (spec 06 §3) on reqwest (hyper, rustls with the webpki roots).
//! Requests are built in a table of handles (`Http.build` … `Http.send`); `send` runs
//! the request as a task of the worker while the calling process waits
//! (`process::await_future`), so other processes — the program's own HTTP server among them —
//! keep running. Every HTTP status is `Ok(HttpResponse)`; transport failures are
//! `Err` prefixed `TIMEOUT: `, `DNS_FAILURE: ` or `TLS_ERROR: ` when they can be told.

use crate::library::obj;
use crate::strings::{as_str, new_str};
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

struct Builder {
    method: String,
    url: String,
    headers: Vec<(String, String)>,
    query: Vec<(String, String)>,
    body: Option<String>,
    timeout_ms: u64,
}

static BUILDERS: LazyLock<Mutex<HashMap<i64, Builder>>> = LazyLock::new(Default::default);
static NEXT: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(1);

fn with(h: i64, f: impl FnOnce(&mut Builder)) -> i64 {
    if let Some(b) = BUILDERS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get_mut(&h)
    {
        f(b);
    }
    h
}

/// `Http.build(method, url)`: a request handle.
///
/// # Safety
/// `method` (an atom's text) and `url` are live strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_http_build(method: *const u8, url: *const u8) -> i64 {
    let h = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let method = unsafe { as_str(method) }
        .trim_start_matches(':')
        .to_ascii_uppercase();
    BUILDERS.lock().unwrap_or_else(|e| e.into_inner()).insert(
        h,
        Builder {
            method,
            url: unsafe { as_str(url) }.to_string(),
            headers: Vec::new(),
            query: Vec::new(),
            body: None,
            timeout_ms: 30_000,
        },
    );
    h
}

/// `Http.header(req, k, v)`.
///
/// # Safety
/// `k` and `v` are live strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_http_header(h: i64, k: *const u8, v: *const u8) -> i64 {
    let (k, v) = unsafe { (as_str(k).to_string(), as_str(v).to_string()) };
    with(h, |b| b.headers.push((k, v)))
}

/// `Http.query(req, k, v)` (percent-encoded when sent).
///
/// # Safety
/// `k` and `v` are live strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_http_query(h: i64, k: *const u8, v: *const u8) -> i64 {
    let (k, v) = unsafe { (as_str(k).to_string(), as_str(v).to_string()) };
    with(h, |b| b.query.push((k, v)))
}

/// `Http.body(req, s)`.
///
/// # Safety
/// `s` is a live string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_http_body(h: i64, s: *const u8) -> i64 {
    let s = unsafe { as_str(s) }.to_string();
    with(h, |b| b.body = Some(s))
}

/// `Http.json(req, s)`: the body and `Content-Type: application/json`.
///
/// # Safety
/// `s` is a live string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_http_json(h: i64, s: *const u8) -> i64 {
    let s = unsafe { as_str(s) }.to_string();
    with(h, |b| {
        b.body = Some(s);
        b.headers
            .push(("Content-Type".into(), "application/json".into()));
    })
}

/// `Http.timeout(req, ms)`: the whole request's limit.
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_http_timeout(h: i64, ms: i64) -> i64 {
    with(h, |b| b.timeout_ms = ms.max(1) as u64)
}

/// RFC 3986 percent-encoding, unreserved characters kept.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

struct Answer {
    status: u16,
    body: String,
    headers: Vec<(String, String)>,
}

/// The pool `Http.send` uses: one process-wide client, so repeated requests to a host
/// reuse their keep-alive connections.
static DEFAULT: LazyLock<Result<reqwest::Client, String>> = LazyLock::new(new_client);

/// Clients made by `Http.client()` (spec 06 §3), by handle.
static CLIENTS: LazyLock<Mutex<HashMap<i64, reqwest::Client>>> = LazyLock::new(Default::default);

/// A keep-alive connection pool (idle connections kept 30 s); the request's own
/// timeout (30 s unless `Http.timeout` says otherwise) applies per request.
fn new_client() -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .pool_idle_timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| e.to_string())
}

/// The request of builder `b` sent through `client`, up to the response's head.
async fn start(client: reqwest::Client, b: Builder) -> Result<reqwest::Response, String> {
    let mut url = b.url;
    if !b.query.is_empty() {
        let q: Vec<String> = b
            .query
            .iter()
            .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
            .collect();
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&q.join("&"));
    }
    let method = reqwest::Method::from_bytes(b.method.as_bytes()).map_err(|e| e.to_string())?;
    let mut req = client
        .request(method, &url)
        .timeout(std::time::Duration::from_millis(b.timeout_ms));
    for (k, v) in b.headers {
        req = req.header(k, v);
    }
    if let Some(body) = b.body {
        req = req.body(body);
    }
    req.send().await.map_err(classify)
}

fn classify(e: reqwest::Error) -> String {
    let text = format!("{e:?}");
    if e.is_timeout() {
        format!("TIMEOUT: {e}")
    } else if text.contains("dns error") || text.contains("failed to lookup") {
        format!("DNS_FAILURE: {e}")
    } else if text.to_ascii_lowercase().contains("tls") || text.contains("certificate") {
        format!("TLS_ERROR: {e}")
    } else {
        e.to_string()
    }
}

async fn perform(client: reqwest::Client, b: Builder) -> Result<Answer, String> {
    let resp = start(client, b).await?;
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = resp.text().await.map_err(classify)?;
    Ok(Answer {
        status,
        body,
        headers,
    })
}

/// `Http.send(req)`: `Ok(HttpResponse)` for any status, `Err(message)` on a transport
/// failure (or an unknown handle). The handle is consumed.
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_http_send(h: i64) -> *mut u8 {
    match &*DEFAULT {
        Ok(c) => send(c.clone(), h),
        Err(e) => err(e),
    }
}

/// `Http.client()`: a handle on a new keep-alive connection pool.
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_http_client() -> i64 {
    let Ok(c) = new_client() else { return 0 };
    let h = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    CLIENTS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(h, c);
    h
}

/// `Http.send_with(client, req)`: `Http.send` through the client's pool;
/// `Err("unknown client")` for a closed or unknown client handle.
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_http_send_with(client: i64, h: i64) -> *mut u8 {
    let c = CLIENTS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&client)
        .cloned();
    match c {
        Some(c) => send(c, h),
        None => {
            BUILDERS
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&h);
            err("unknown client")
        }
    }
}

/// `Http.client_close(client)`: releases the pool (its idle connections close).
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_http_client_close(client: i64) -> u8 {
    CLIENTS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&client);
    0
}

use crate::library::err;

fn send(client: reqwest::Client, h: i64) -> *mut u8 {
    let Some(b) = BUILDERS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&h)
    else {
        return err("unknown request handle");
    };
    match crate::process::await_future(perform(client, b)) {
        Ok(a) => {
            let headers = crate::map::string_map(&a.headers);
            // HttpResponse { status, body, headers } (prelude), in `Ok`
            let resp = obj(
                0,
                &[
                    a.status as u64,
                    new_str(a.body.as_bytes()) as u64,
                    headers as u64,
                ],
                0b110,
            );
            obj(0, &[resp as u64], 1)
        }
        Err(e) => err(&e),
    }
}

/// Cancel signals of the running streams, by handle.
static STREAMS: LazyLock<Mutex<HashMap<i64, std::sync::Arc<tokio::sync::Notify>>>> =
    LazyLock::new(Default::default);

/// `Http.stream(req, f)` (and `Http.stream_bytes`): sends the request and, once its
/// head has arrived, returns a cancel handle while a process of its own calls `f` on
/// each piece of the body (at most 8 KiB, as text; invalid UTF-8 is replaced) in order.
/// `f` returning `"stop"`, `Http.cancel(handle)` or the end of the body stops it.
/// Returns 0 when the request fails (no connection, timeout, unknown handle).
///
/// # Safety
/// `f` is a live closure `fn(String) -> String`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_http_stream(h: i64, f: *mut u8) -> i64 {
    let Some(b) = BUILDERS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&h)
    else {
        return 0;
    };
    let Ok(client) = DEFAULT.clone() else {
        return 0;
    };
    let Ok(resp) = crate::process::await_future(start(client, b)) else {
        return 0;
    };
    let id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let cancel = std::sync::Arc::new(tokio::sync::Notify::new());
    STREAMS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(id, cancel.clone());
    // SAFETY: forwarded contract; the process owns its copy of `f`.
    unsafe {
        crate::process::spawn_native(f, move |clo| stream_body(resp, clo as *mut u8, cancel, id))
    };
    id
}

/// The body of a stream's process.
fn stream_body(
    mut resp: reqwest::Response,
    clo: *mut u8,
    cancel: std::sync::Arc<tokio::sync::Notify>,
    id: i64,
) {
    unsafe extern "C" {
        // codegen: call a closure on one pointer argument (owning both)
        fn mesh_call_ptr(clo: *mut u8, arg: *mut u8) -> *mut u8;
    }
    'body: loop {
        let stop = cancel.clone();
        let (back, next) = crate::process::await_future(async move {
            use futures_util::future::{select, Either};
            let next = {
                let chunk = std::pin::pin!(resp.chunk());
                let stopped = std::pin::pin!(stop.notified());
                match select(chunk, stopped).await {
                    Either::Left((c, _)) => Some(c),
                    Either::Right(_) => None,
                }
            };
            (resp, next)
        });
        resp = back;
        let Some(Ok(Some(bytes))) = next else { break };
        for piece in bytes.chunks(8 << 10) {
            let text = new_str(String::from_utf8_lossy(piece).as_bytes());
            // SAFETY: the closure is ours; each call consumes one reference to it and
            // the argument, and gives back its result.
            let r = unsafe {
                crate::memory::mesh_rt_dup(clo);
                mesh_call_ptr(clo, text)
            };
            // SAFETY: `r` is a live string we own.
            let stop = unsafe { as_str(r) } == "stop";
            unsafe { crate::memory::mesh_rt_drop(r) };
            if stop {
                break 'body;
            }
        }
    }
    // SAFETY: our reference to the closure.
    unsafe { crate::memory::mesh_rt_drop(clo) };
    STREAMS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&id);
}

/// `Http.cancel(handle)`: stops a stream (at once if it is waiting for the body).
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_http_cancel(handle: i64) -> u8 {
    if let Some(n) = STREAMS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&handle)
    {
        n.notify_one();
    }
    0
}
