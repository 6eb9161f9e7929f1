//! Library functions of spec 03 implemented in the runtime (strings, numbers). Their
//! Mesh names and signatures are listed once, in `mesh_ir::core::RUNTIME_LIBRARY`.
//! Objects built here (Option, List) use the compiler's layout (`memory.rs`): a header,
//! a pointer mask, then one 8-byte slot per field; `Option`: `Some` = tag 0, `None` =
//! tag 1; `List`: `Nil` = tag 0, `Cons(head, tail)` = tag 1.

use crate::memory::mesh_rt_alloc;
use crate::strings::{as_bytes, as_str, new_str};

/// An object; bit `i` of `mask` says slot `i` holds a counted pointer.
pub(crate) fn obj(tag: u64, fields: &[u64], mask: u64) -> *mut u8 {
    let p = mesh_rt_alloc(fields.len() as i64, tag as i64, mask as i64);
    // SAFETY: `p` has room for the header, the mask and `fields.len()` slots.
    unsafe {
        for (i, f) in fields.iter().enumerate() {
            (p as *mut u64).add(i + 2).write(*f);
        }
    }
    p
}

fn some(word: u64) -> *mut u8 {
    obj(0, &[word], 0)
}

pub(crate) fn some_ptr(p: *mut u8) -> *mut u8 {
    obj(0, &[p as u64], 1)
}

pub(crate) fn none() -> *mut u8 {
    obj(1, &[], 0)
}

/// A list of counted cells (`counted`) or of runtime-owned raw pointers.
pub(crate) fn list(items: Vec<*mut u8>, counted: bool) -> *mut u8 {
    let mut l = obj(0, &[], 0);
    for it in items.into_iter().rev() {
        l = obj(1, &[it as u64, l as u64], if counted { 0b11 } else { 0b10 });
    }
    l
}

/// # Safety
/// `s` is a Mesh string (for all functions of this module taking strings).
unsafe fn s<'a>(p: *const u8) -> &'a str {
    unsafe { as_str(p) }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_str_length(p: *const u8) -> i64 {
    unsafe { s(p) }.chars().count() as i64
}

/// Code points `[start, end)`, both clamped to `[0, length]`, `end` at least `start`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_str_slice(p: *const u8, start: i64, end: i64) -> *mut u8 {
    let text = unsafe { s(p) };
    let len = text.chars().count() as i64;
    let a = start.clamp(0, len) as usize;
    let b = end.clamp(0, len).max(a as i64) as usize;
    let out: String = text.chars().skip(a).take(b - a).collect();
    new_str(out.as_bytes())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_str_contains(p: *const u8, q: *const u8) -> u8 {
    unsafe { s(p).contains(s(q)) as u8 }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_str_starts_with(p: *const u8, q: *const u8) -> u8 {
    unsafe { s(p).starts_with(s(q)) as u8 }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_str_ends_with(p: *const u8, q: *const u8) -> u8 {
    unsafe { s(p).ends_with(s(q)) as u8 }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_str_trim(p: *const u8) -> *mut u8 {
    new_str(unsafe { s(p) }.trim().as_bytes())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_str_to_upper(p: *const u8) -> *mut u8 {
    new_str(unsafe { s(p) }.to_uppercase().as_bytes())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_str_to_lower(p: *const u8) -> *mut u8 {
    new_str(unsafe { s(p) }.to_lowercase().as_bytes())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_str_replace(
    p: *const u8,
    from: *const u8,
    to: *const u8,
) -> *mut u8 {
    let (text, from, to) = unsafe { (s(p), s(from), s(to)) };
    let out = if from.is_empty() {
        text.to_string()
    } else {
        text.replace(from, to)
    };
    new_str(out.as_bytes())
}

/// Spec 03 §3: empty fields kept; an empty separator splits between code points with an
/// empty string at both ends.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_str_split(p: *const u8, sep: *const u8) -> *mut u8 {
    let (text, sep) = unsafe { (s(p), s(sep)) };
    let parts: Vec<*mut u8> = if sep.is_empty() {
        std::iter::once(String::new())
            .chain(text.chars().map(|c| c.to_string()))
            .chain(std::iter::once(String::new()))
            .map(|x| new_str(x.as_bytes()))
            .collect()
    } else {
        text.split(sep).map(|x| new_str(x.as_bytes())).collect()
    };
    list(parts, true)
}

/// # Safety
/// `l` is a `List<String>`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_str_join(mut l: *const u8, sep: *const u8) -> *mut u8 {
    let sep = unsafe { as_bytes(sep) };
    let mut out = Vec::new();
    let mut first = true;
    // SAFETY: walking a well-formed cons list.
    unsafe {
        while (l as *const u64).read() & 0xffff_ffff == 1 {
            if !first {
                out.extend_from_slice(sep);
            }
            first = false;
            let head = (l as *const u64).add(2).read() as *const u8;
            out.extend_from_slice(as_bytes(head));
            l = (l as *const u64).add(3).read() as *const u8;
        }
    }
    new_str(&out)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_str_to_int(p: *const u8) -> *mut u8 {
    let t = unsafe { s(p) }.trim();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return none();
    }
    match t.parse::<i64>() {
        Ok(n) => some(n as u64),
        Err(_) => none(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_str_to_float(p: *const u8) -> *mut u8 {
    let t = unsafe { s(p) }.trim();
    let lower = t.to_ascii_lowercase();
    let special = match lower.as_str() {
        "inf" | "+inf" | "infinity" | "+infinity" => Some(f64::INFINITY),
        "-inf" | "-infinity" => Some(f64::NEG_INFINITY),
        "nan" => Some(f64::NAN),
        _ => None,
    };
    let ok = |c: char| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-');
    match special.or_else(|| {
        if t.chars().all(ok) {
            t.parse::<f64>().ok()
        } else {
            None
        }
    }) {
        Some(x) => some(x.to_bits()),
        None => none(),
    }
}

/// Truncation toward zero, saturating, NaN → 0 (Rust's `as`).
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_float_to_int(x: f64) -> i64 {
    x as i64
}

#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_math_pow(x: f64, y: f64) -> f64 {
    x.powf(y)
}

#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_math_sqrt(x: f64) -> f64 {
    x.sqrt()
}

#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_math_floor(x: f64) -> i64 {
    x.floor() as i64
}

#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_math_ceil(x: f64) -> i64 {
    x.ceil() as i64
}

/// Half away from zero (`2.5 → 3`, `-2.5 → -3`).
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_math_round(x: f64) -> i64 {
    x.round() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(p: *const u8) -> String {
        unsafe { as_str(p) }.to_string()
    }

    #[test]
    fn slicing_and_lengths_count_code_points() {
        let _serial = crate::memory::TEST_LOCK
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let h = new_str("héllo".as_bytes());
        unsafe {
            assert_eq!(mesh_rt_str_length(h), 5);
            assert_eq!(text(mesh_rt_str_slice(h, 1, 3)), "él");
            assert_eq!(text(mesh_rt_str_slice(h, -2, 99)), "héllo");
            assert_eq!(text(mesh_rt_str_slice(h, 2, 1)), "");
        }
    }

    #[test]
    fn parsing_follows_spec_03() {
        let _serial = crate::memory::TEST_LOCK
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        unsafe {
            let tag = |p: *mut u8| (p as *const u64).read() & 0xffff_ffff;
            assert_eq!(tag(mesh_rt_str_to_int(new_str(b" -42 "))), 0);
            assert_eq!(tag(mesh_rt_str_to_int(new_str(b"0x1F"))), 1);
            assert_eq!(tag(mesh_rt_str_to_int(new_str(b"99999999999999999999"))), 1);
            assert_eq!(tag(mesh_rt_str_to_float(new_str(b"Infinity"))), 0);
        }
        assert_eq!(mesh_rt_math_round(-2.5), -3);
        assert_eq!(mesh_rt_float_to_int(f64::NAN), 0);
    }
}

/// FNV-1a over the UTF-8 bytes (`Hash` of String, spec 02 §4.4).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_hash_str(p: *const u8) -> i64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in unsafe { crate::strings::as_bytes(p) } {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h as i64
}

/// The bits of a Float (`0.0` and `-0.0` hash alike, as they are equal).
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_hash_float(x: f64) -> i64 {
    if x == 0.0 {
        0
    } else {
        x.to_bits() as i64
    }
}
