//! The program's standard streams, and the signal dispositions every Mesh binary starts
//! with (decision 45).
//!
//! A Mesh binary's `main` is the runtime's, not Rust's, so nothing sets SIGPIPE aside
//! unless we do: `install` ignores it at start-up, so a write to a socket whose peer has
//! gone fails with `EPIPE` and ends only that connection (HTTP, WebSockets, the HTTP
//! client, the node transport all see an ordinary I/O error). For the standard streams
//! the rule is Go's (`os/signal`: "a write to a broken pipe on file descriptors 1 or 2
//! causes the program to exit with a SIGPIPE signal"): a program whose stdout or stderr
//! reader has gone (`./prog | head -1`) ends quietly, killed by SIGPIPE as a C program
//! would be (status 141 in a shell), with no crash report. Every write the runtime makes
//! to stdout or stderr goes through here; other errors on them are ignored.

use std::io::Write;

/// Start-up: SIGPIPE ignored (see the module doc). Children started with Rust's
/// `Command` get the default disposition back (std resets it before `exec`).
pub fn install() {
    // SAFETY: a plain libc call with valid arguments.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
    }
}

/// The reader of stdout or stderr has gone: the program ends as if SIGPIPE had not
/// been ignored.
fn broken_pipe() -> ! {
    // SAFETY: plain libc calls; raising a signal whose action is to terminate does not
    // return, and `_exit` is the fallback with the status a shell shows for it.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        libc::raise(libc::SIGPIPE);
        libc::_exit(128 + libc::SIGPIPE)
    }
}

fn checked(r: std::io::Result<()>) {
    if let Err(e) = r {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            broken_pipe()
        }
    }
}

/// Writes `parts` to stdout and flushes (Mesh's `print`/`println` and the test runner).
pub fn out(parts: &[&[u8]]) {
    let mut o = std::io::stdout().lock();
    for p in parts {
        checked(o.write_all(p));
    }
    checked(o.flush());
}

/// Flushes stdout (before stderr output, so the two interleave as written, and at exit).
pub fn flush_out() {
    checked(std::io::stdout().lock().flush());
}

/// Writes one line to stderr, after flushing stdout. Use through `elog!`.
pub fn err_line(args: std::fmt::Arguments<'_>) {
    flush_out();
    let mut e = std::io::stderr().lock();
    checked(e.write_fmt(args).and_then(|_| e.write_all(b"\n")));
}

/// `eprintln!` without the panic when stderr cannot be written (a panic inside the
/// runtime's `extern "C"` functions would abort the program).
#[macro_export]
macro_rules! elog {
    ($($t:tt)*) => { $crate::console::err_line(format_args!($($t)*)) };
}
