//! Mesh strings: an immutable, reference-counted cell `{ header, len: i64, bytes }`
//! holding UTF-8 (see `memory.rs` for the header). Literals are immortal constant cells
//! emitted by codegen; the runtime allocates the others.

use crate::memory::{cell, STR_TAG};

const HEADER: usize = 16;

/// Allocates a string cell holding `bytes`.
pub fn new_str(bytes: &[u8]) -> *mut u8 {
    let p = cell((HEADER + bytes.len()).div_ceil(8), STR_TAG);
    // SAFETY: the cell has room for the length word and the bytes.
    unsafe {
        (p as *mut i64).add(1).write(bytes.len() as i64);
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), p.add(HEADER), bytes.len());
    }
    p
}

/// # Safety
/// `s` must point to a string cell that outlives the returned slice.
pub unsafe fn as_bytes<'a>(s: *const u8) -> &'a [u8] {
    // SAFETY: forwarded contract: a header followed by `len` bytes.
    unsafe {
        let len = (s as *const i64).add(1).read() as usize;
        std::slice::from_raw_parts(s.add(HEADER), len)
    }
}

/// # Safety
/// As `as_bytes`; the bytes are UTF-8 (the compiler only builds UTF-8 strings).
pub unsafe fn as_str<'a>(s: *const u8) -> &'a str {
    // SAFETY: forwarded contract.
    let b = unsafe { as_bytes(s) };
    std::str::from_utf8(b).unwrap_or("<invalid utf-8>")
}

/// # Safety
/// Both arguments must be string cells.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_str_concat(a: *const u8, b: *const u8) -> *mut u8 {
    // SAFETY: forwarded contract.
    let (a, b) = unsafe { (as_bytes(a), as_bytes(b)) };
    let mut v = Vec::with_capacity(a.len() + b.len());
    v.extend_from_slice(a);
    v.extend_from_slice(b);
    new_str(&v)
}

/// Byte-wise (= code point) order: -1, 0 or 1.
///
/// # Safety
/// Both arguments must be string cells.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_str_cmp(a: *const u8, b: *const u8) -> i32 {
    // SAFETY: forwarded contract.
    let (a, b) = unsafe { (as_bytes(a), as_bytes(b)) };
    a.cmp(b) as i32
}

#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_int_to_str(n: i64) -> *mut u8 {
    new_str(n.to_string().as_bytes())
}

/// Spec 02 §7.3: shortest round-trip digits, no exponent, no trailing `.0` — exactly
/// Rust's `Display` for `f64` (`inf`, `-inf`, `NaN`, `-0`).
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_float_to_str(x: f64) -> *mut u8 {
    new_str(format!("{x}").as_bytes())
}

#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_bool_to_str(b: u8) -> *mut u8 {
    new_str(if b != 0 { b"true" } else { b"false" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(p: *const u8) -> String {
        unsafe { as_str(p) }.to_string()
    }

    #[test]
    fn floats_print_as_spec_02_says() {
        let _serial = crate::memory::TEST_LOCK
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        for (x, want) in [
            (1.75, "1.75"),
            (6.0, "6"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e21, "1000000000000000000000"),
            (1e-7, "0.0000001"),
            (-0.0, "-0"),
            (f64::INFINITY, "inf"),
            (f64::NEG_INFINITY, "-inf"),
            (f64::NAN, "NaN"),
        ] {
            assert_eq!(s(mesh_rt_float_to_str(x)), want);
        }
    }

    #[test]
    fn concat_and_compare() {
        let _serial = crate::memory::TEST_LOCK
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let a = new_str(b"ab");
        let b = new_str("cé".as_bytes());
        let c = unsafe { mesh_rt_str_concat(a, b) };
        assert_eq!(s(c), "abcé");
        assert_eq!(unsafe { mesh_rt_str_cmp(a, b) }, -1);
        assert_eq!(unsafe { mesh_rt_str_cmp(a, a) }, 0);
    }
}
