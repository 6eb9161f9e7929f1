#![no_main]
//! The HTTP request path we wrote (routing, path parameters, query parsing, header and
//! body access — `stdlib/http.mpl` and `runtime/src/http`) on arbitrary bytes: each
//! input is sent as a request to a running `tests/http/hostile_server.mpl` (built once
//! with the `mesh` binary beside this workspace, `MESH_BIN` to choose another). A
//! finding is an answer that is not an HTTP response, or the server dying. The server
//! is another process, so libFuzzer's coverage sees only this side: the campaign is
//! guided by the seeds (`seeds/http_request`) and mutation, not by the server's edges.
//! The same property runs in CI on generated requests (driver/tests/hostile.rs).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

struct Server {
    child: Child,
    port: u16,
    _dir: std::path::PathBuf,
}

fn server() -> &'static Mutex<Server> {
    static S: OnceLock<Mutex<Server>> = OnceLock::new();
    S.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mesh = std::env::var("MESH_BIN")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|_| root.join("target/debug/mesh"));
        let dir = std::env::temp_dir().join(format!("mesh-fuzz-http-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bin = dir.join("server");
        let built = Command::new(&mesh)
            .arg("build")
            .arg(root.join("tests/http/hostile_server.mpl"))
            .arg("-o")
            .arg(&bin)
            .status()
            .unwrap_or_else(|e| panic!("cannot run {} (build it first): {e}", mesh.display()));
        assert!(built.success(), "building the server failed");
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(&bin)
            .env("PORT", port.to_string())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        for _ in 0..100 {
            if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Mutex::new(Server {
            child,
            port,
            _dir: dir,
        })
    })
}

fn valid_status_line(raw: &[u8]) -> bool {
    let line = raw.split(|b| *b == b'\r').next().unwrap_or(&[]);
    let Ok(text) = std::str::from_utf8(line) else {
        return false;
    };
    let mut parts = text.splitn(3, ' ');
    let version = parts.next().unwrap_or("");
    let code: u16 = parts.next().and_then(|c| c.parse().ok()).unwrap_or(0);
    version.starts_with("HTTP/1.") && (100..=599).contains(&code)
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut s = server().lock().unwrap();
    let mut c = TcpStream::connect(("127.0.0.1", s.port)).expect("the server is gone");
    c.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let _ = c.write_all(data);
    let _ = c.shutdown(std::net::Shutdown::Write);
    let mut back = Vec::new();
    let _ = c.read_to_end(&mut back);
    assert!(
        back.is_empty() || valid_status_line(&back),
        "not an HTTP response: {:?}",
        String::from_utf8_lossy(&back[..back.len().min(200)])
    );
    if let Some(status) = s.child.try_wait().unwrap() {
        panic!("the server died ({status})");
    }
});
