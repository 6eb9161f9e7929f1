//! What the end-to-end test binaries share: the `mesh` binary, building programs, and
//! servers started on free ports with plain-socket HTTP and WebSocket clients.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Builds `src` into `dir/<its stem>` (failing the test when it does not build).
pub fn build_in(src: &Path, dir: &Path) -> PathBuf {
    let bin = dir.join(src.file_stem().unwrap());
    let out = build(src, &bin);
    assert!(
        out.status.success(),
        "{}: {}",
        src.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    bin
}

/// The program an example stands for: the file itself, or — when `<stem>.files/` sits
/// beside it — a project in `dir/<stem>/` with the example as `main.mpl` and those files.
pub fn project_of(src: &Path, dir: &Path) -> PathBuf {
    let files = src.with_extension("files");
    if !files.is_dir() {
        return src.to_path_buf();
    }
    let root = dir.join(src.file_stem().unwrap());
    std::fs::create_dir_all(&root).unwrap();
    std::fs::copy(src, root.join("main.mpl")).unwrap();
    for e in std::fs::read_dir(&files).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, root.join(p.file_name().unwrap())).unwrap();
    }
    root
}

/// A free TCP port on the loopback interface (the listener is closed again).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub fn mesh() -> Command {
    Command::new(env!("CARGO_BIN_EXE_mesh"))
}

pub fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/examples")
}

pub fn build(src: &Path, out: &Path) -> Output {
    mesh()
        .arg("build")
        .arg(src)
        .arg("-o")
        .arg(out)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// A server binary started on a free port, killed when dropped.
pub struct Server {
    pub child: std::process::Child,
    pub port: u16,
    /// The program's stdout, line by line.
    pub stdout: std::sync::mpsc::Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Builds `src` and starts it with `PORT` (and `env`), waiting for its
/// `[mesh-rt] HTTP server listening` line.
pub fn start_server(src: &Path, bin: &Path, env: &[(&str, &str)]) -> Server {
    let out = build(src, bin);
    assert!(
        out.status.success(),
        "{}: {}",
        src.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    start_built(bin, env)
}

/// Starts the server binary `bin` with `PORT` (and `env`) as `start_server`.
pub fn start_built(bin: &Path, env: &[(&str, &str)]) -> Server {
    use std::io::BufRead;
    let port = free_port();
    let mut child = Command::new(bin)
        .env("PORT", port.to_string())
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, stdout) = std::sync::mpsc::channel();
    let out = std::io::BufReader::new(child.stdout.take().unwrap());
    std::thread::spawn(move || {
        for l in out.lines().map_while(Result::ok) {
            let _ = tx.send(l);
        }
    });
    let mut lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(
        first == format!("[mesh-rt] HTTP server listening on [::]:{port}")
            || first == format!("[mesh-rt] HTTPS server listening on [::]:{port}")
            || first == format!("[mesh-rt] WebSocket server listening on 0.0.0.0:{port}"),
        "{first}"
    );
    // keep draining stderr (crash reports) so the server never blocks on it
    std::thread::spawn(move || for _ in lines {});
    Server {
        child,
        port,
        stdout,
    }
}

/// One HTTP/1.1 request over a fresh connection: (status, headers with lower-case
/// names, body).
pub fn http(
    port: u16,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, BTreeMap<String, String>, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut req = format!("{method} {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if (!body.is_empty() || method == "POST")
        && !headers.iter().any(|(k, _)| *k == "Content-Length")
    {
        req.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    req.push_str("\r\n");
    req.push_str(body);
    // the server may answer (and close) before reading all of it
    let _ = s.write_all(req.as_bytes());
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    parse_response(&raw)
}

pub fn parse_response(raw: &[u8]) -> (u16, BTreeMap<String, String>, String) {
    let text = String::from_utf8_lossy(raw).into_owned();
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return (0, BTreeMap::new(), text);
    };
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body.to_string())
}

pub fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Reads one HTTP/1.1 response (head, then `Content-Length` bytes) from a kept-alive
/// connection: its status.
pub fn read_one_response(s: &mut std::net::TcpStream) -> u16 {
    use std::io::Read;
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if s.read(&mut byte).unwrap_or(0) == 0 {
            return 0;
        }
        buf.push(byte[0]);
    }
    let (status, headers, _) = parse_response(&buf);
    let n: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; n];
    if s.read_exact(&mut body).is_err() {
        return 0;
    }
    status
}

pub type Ws = tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<std::net::TcpStream>>;

/// The next text frame (pings and pongs are skipped; they are answered while reading).
pub fn ws_text(ws: &mut Ws) -> String {
    use tungstenite::Message;
    loop {
        match ws.read().unwrap() {
            Message::Text(t) => break t.to_string(),
            Message::Close(c) => panic!("closed: {c:?}"),
            _ => {}
        }
    }
}

/// `server/14` built and started with `env`: the child, its WebSocket and HTTP ports,
/// and its stdout lines.
pub fn chat_server(
    dir: &Path,
    env: &[(&str, &str)],
) -> (
    std::process::Child,
    u16,
    u16,
    std::sync::mpsc::Receiver<String>,
) {
    ws_program(
        &examples().join("server/14_websocket_chat.mpl"),
        dir,
        env,
        true,
    )
}

/// A WebSocket program (`WS_PORT`; with `http`, also an HTTP server on `PORT`) built
/// and started with `env`: the child, its WebSocket and HTTP ports, its stdout lines.
pub fn ws_program(
    src: &Path,
    dir: &Path,
    env: &[(&str, &str)],
    http: bool,
) -> (
    std::process::Child,
    u16,
    u16,
    std::sync::mpsc::Receiver<String>,
) {
    use std::io::BufRead;
    let bin = build_in(src, dir);
    let (ws_port, http_port) = (free_port(), free_port());
    let mut child = Command::new(&bin)
        .env("WS_PORT", ws_port.to_string())
        .env("PORT", http_port.to_string())
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    assert_eq!(
        err.next().unwrap().unwrap(),
        format!("[mesh-rt] WebSocket server listening on 0.0.0.0:{ws_port}")
    );
    if http {
        assert_eq!(
            err.next().unwrap().unwrap(),
            format!("[mesh-rt] HTTP server listening on [::]:{http_port}")
        );
    }
    std::thread::spawn(move || for _ in err {});
    let (lines_tx, lines) = std::sync::mpsc::channel::<String>();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for l in std::io::BufReader::new(stdout).lines() {
            let _ = lines_tx.send(l.unwrap());
        }
    });
    (child, ws_port, http_port, lines)
}
