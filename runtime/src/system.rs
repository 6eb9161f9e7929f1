//! IO, Env and File (spec 03 §2, §11). Results use the compiler's layout (`Ok` = tag 0,
//! `Err` = tag 1); OS errors are reported with the OS message.

use crate::library::list;
use crate::strings::{as_str, new_str};
use std::io::{BufRead, Write};
use std::sync::OnceLock;

/// The process arguments, saved by `main`.
pub static ARGS: OnceLock<Vec<String>> = OnceLock::new();

/// What runs when a server starts listening (`HTTP.serve`): set by the continuity
/// registry when a program declares `@cluster` work (spec 05 §10.2: startup work starts
/// then, or when `main` returns), so the HTTP layer needs no link to it.
pub static ON_LISTEN: OnceLock<fn()> = OnceLock::new();

/// Calls the `ON_LISTEN` hook, if any.
pub fn listening() {
    if let Some(f) = ON_LISTEN.get() {
        f();
    }
}

use crate::library::err;

fn ok_str(s: &str) -> *mut u8 {
    crate::library::ok_cell(new_str(s.as_bytes()))
}

fn ok_unit() -> *mut u8 {
    crate::library::ok_word(0)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_eprintln(s: *const u8) {
    crate::elog!("{}", unsafe { as_str(s) });
}

#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_read_line() -> *mut u8 {
    crate::console::flush_out();
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(_) => ok_str(
            line.strip_suffix('\n')
                .map(|l| l.strip_suffix('\r').unwrap_or(l))
                .unwrap_or(&line),
        ),
        Err(e) => err(e),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_env_get(name: *const u8, default: *const u8) -> *mut u8 {
    let value = std::env::var(unsafe { as_str(name) })
        .unwrap_or_else(|_| unsafe { as_str(default) }.to_string());
    new_str(value.as_bytes())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_env_get_int(name: *const u8, default: i64) -> i64 {
    std::env::var(unsafe { as_str(name) })
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_env_args() -> *mut u8 {
    let args = ARGS.get().cloned().unwrap_or_default();
    list(args.iter().map(|a| new_str(a.as_bytes())).collect(), true)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_file_read(path: *const u8) -> *mut u8 {
    match std::fs::read_to_string(unsafe { as_str(path) }) {
        Ok(s) => ok_str(&s),
        Err(e) => err(e),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_file_write(path: *const u8, text: *const u8) -> *mut u8 {
    match std::fs::write(unsafe { as_str(path) }, unsafe { as_str(text) }) {
        Ok(()) => ok_unit(),
        Err(e) => err(e),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_file_append(path: *const u8, text: *const u8) -> *mut u8 {
    let r = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(unsafe { as_str(path) })
        .and_then(|mut f| f.write_all(unsafe { as_str(text) }.as_bytes()));
    match r {
        Ok(()) => ok_unit(),
        Err(e) => err(e),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_file_exists(path: *const u8) -> u8 {
    std::path::Path::new(unsafe { as_str(path) }).exists() as u8
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_file_delete(path: *const u8) -> *mut u8 {
    match std::fs::remove_file(unsafe { as_str(path) }) {
        Ok(()) => ok_unit(),
        Err(e) => err(e),
    }
}
