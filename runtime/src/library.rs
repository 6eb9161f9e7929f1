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

/// `Ok` holding a word (an Int, a Float's bits, a Bool, unit).
pub(crate) fn ok_word(word: u64) -> *mut u8 {
    obj(0, &[word], 0)
}

/// `Ok` holding a counted cell.
pub(crate) fn ok_cell(p: *mut u8) -> *mut u8 {
    obj(0, &[p as u64], 1)
}

/// `Err` holding the message.
pub(crate) fn err(msg: impl std::fmt::Display) -> *mut u8 {
    obj(1, &[new_str(msg.to_string().as_bytes()) as u64], 1)
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
    words_list(items.into_iter().map(|p| p as u64), counted)
}

/// A list of words, built back to front (`counted`: the words are counted pointers).
pub(crate) fn words_list(words: impl DoubleEndedIterator<Item = u64>, counted: bool) -> *mut u8 {
    let mut l = obj(0, &[], 0);
    for w in words.rev() {
        l = obj(1, &[w, l as u64], if counted { 0b11 } else { 0b10 });
    }
    l
}

/// The strings of a Mesh `List<String>`.
///
/// # Safety
/// `l` is a live list of strings.
#[cfg_attr(not(any(feature = "http", feature = "sqlite")), allow(dead_code))]
pub(crate) unsafe fn string_list(mut l: *const u8) -> Vec<String> {
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

/// `String.reverse(s)`: the characters in reverse order.
///
/// # Safety
/// `p` is a live string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_str_reverse(p: *const u8) -> *mut u8 {
    new_str(unsafe { s(p) }.chars().rev().collect::<String>().as_bytes())
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

/// `String.chars(s)`: its code points, each as a string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_str_chars(p: *const u8) -> *mut u8 {
    let text = unsafe { s(p) };
    let mut buf = [0u8; 4];
    list(
        text.chars()
            .map(|c| new_str(c.encode_utf8(&mut buf).as_bytes()))
            .collect(),
        true,
    )
}

/// `String.repeat(s, n)`: `n` copies (none when `n` ≤ 0); a runtime error past 1 GiB.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_str_repeat(p: *const u8, n: i64) -> *mut u8 {
    let text = unsafe { s(p) };
    let n = n.max(0) as usize;
    if text.len().saturating_mul(n) > 1 << 30 {
        crate::process::fail("String.repeat: the result would be larger than 1 GiB");
    }
    new_str(text.repeat(n).as_bytes())
}

/// `String.index_of(s, part)`: the code-point index of the first `part` in `s`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_str_index_of(p: *const u8, q: *const u8) -> *mut u8 {
    let (text, part) = unsafe { (s(p), s(q)) };
    match text.find(part) {
        Some(byte) => some(text[..byte].chars().count() as u64),
        None => none(),
    }
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

// ---------------------------------------------------------------- List.sort

/// Element kinds of `mesh_rt_list_sort`: how a list element word is passed to the
/// comparator (the compiler's `mesh_cmp_*` trampolines convert and call the closure).
pub const SORT_INT: i64 = 0;
pub const SORT_FLOAT: i64 = 1;
pub const SORT_BOOL: i64 = 2;
pub const SORT_COUNTED: i64 = 3;
pub const SORT_UNIT: i64 = 4;

/// A stable merge sort of words by `cmp` (negative / 0 / positive). Written here rather
/// than taken from `slice::sort_by`, which may panic when a comparator is not a total
/// order — a Mesh comparator such as `fn(a, b) -> 1 end` must give *some* order.
pub fn merge_sort(v: &mut [u64], cmp: &mut impl FnMut(u64, u64) -> i64) {
    if v.len() > 1 {
        let mut scratch = v.to_vec();
        sort_into(&mut scratch, v, cmp);
    }
}

/// `a` and `b` hold the same elements; leaves them sorted in `b` (`a` is scratch).
fn sort_into(a: &mut [u64], b: &mut [u64], cmp: &mut impl FnMut(u64, u64) -> i64) {
    let n = b.len();
    if n <= 12 {
        for i in 1..n {
            let x = b[i];
            let mut j = i;
            while j > 0 && cmp(b[j - 1], x) > 0 {
                b[j] = b[j - 1];
                j -= 1;
            }
            b[j] = x;
        }
        return;
    }
    let mid = n / 2;
    sort_into(&mut b[..mid], &mut a[..mid], cmp);
    sort_into(&mut b[mid..], &mut a[mid..], cmp);
    let (l, r) = a.split_at(mid);
    let (mut i, mut j, mut k) = (0, 0, 0);
    // branch-free while both runs last (the comparison's outcome picks by arithmetic,
    // which random data cannot mispredict); the left run wins ties: stable
    while i < l.len() && j < r.len() {
        let left = cmp(l[i], r[j]) <= 0;
        b[k] = if left { l[i] } else { r[j] };
        i += left as usize;
        j += !left as usize;
        k += 1;
    }
    b[k..k + l.len() - i].copy_from_slice(&l[i..]);
    k += l.len() - i;
    b[k..].copy_from_slice(&r[j..]);
}

#[cfg(not(test))]
unsafe extern "C" {
    // Generated by the compiler in every program (passes/src/codegen.rs): call the
    // comparator closure `c` (whose code owns `c`, `a` and `b`) on two element words.
    fn mesh_cmp_int(c: *mut u8, a: u64, b: u64) -> i64;
    fn mesh_cmp_float(c: *mut u8, a: u64, b: u64) -> i64;
    fn mesh_cmp_bool(c: *mut u8, a: u64, b: u64) -> i64;
    fn mesh_cmp_ptr(c: *mut u8, a: u64, b: u64) -> i64;
    fn mesh_cmp_unit(c: *mut u8, a: u64, b: u64) -> i64;
}

/// `List.sort(xs, cmp)`: the elements of `xs` in the stable order of the comparator
/// closure `cmp`; `kind` is a `SORT_*` constant. Owns `xs` and `cmp`: the cells of `xs`
/// that nobody else holds (its unique prefix — all of it, for a list built and sorted
/// once) are reused in place, so sorting such a list allocates no cells.
///
/// # Safety
/// `xs` is a list whose elements are of `kind`; `cmp` is a closure taking two of them.
#[cfg(not(test))]
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_list_sort(xs: *mut u8, cmp: *mut u8, kind: i64) -> *mut u8 {
    use crate::memory::{is_unique, mesh_rt_drop, mesh_rt_dup};
    let mut words = Vec::new();
    // the unique prefix of `xs`: cells this call may rewrite
    let mut cells: Vec<*mut u8> = Vec::new();
    let mut cur = xs;
    // SAFETY: a list in the compiler's layout: Cons = tag 1, slots head and tail.
    unsafe {
        while *(cur as *const u64) & 0xFFFF_FFFF == 1 {
            if cells.len() == words.len() && is_unique(cur) {
                cells.push(cur);
            }
            words.push(*(cur as *const u64).add(2));
            cur = *(cur as *const u64).add(3) as *mut u8;
        }
    }
    let counted = kind == SORT_COUNTED;
    // The closure's code takes one reference to itself per call and gives it back at
    // its end. The sort owns the closure and nothing else can reach it (a closure
    // cannot capture itself), so while sorting its count is pinned (immortal): the
    // code's drop is then a no-op and no dup is needed per comparison.
    // SAFETY: `cmp` is a live closure cell the sort owns; its header is restored below.
    let header = unsafe { *(cmp as *const u64) };
    unsafe { *(cmp as *mut u64) = header | crate::memory::IMMORTAL << 32 };
    // one merge sort per trampoline, so each comparison is a direct call
    macro_rules! sort_with {
        ($tramp:ident) => {
            merge_sort(&mut words, &mut |a, b| {
                // SAFETY: the closure's code takes one reference to each element.
                unsafe {
                    if counted {
                        mesh_rt_dup(a as *mut u8);
                        mesh_rt_dup(b as *mut u8);
                    }
                    $tramp(cmp, a, b)
                }
            })
        };
    }
    match kind {
        SORT_INT => sort_with!(mesh_cmp_int),
        SORT_FLOAT => sort_with!(mesh_cmp_float),
        SORT_BOOL => sort_with!(mesh_cmp_bool),
        SORT_COUNTED => sort_with!(mesh_cmp_ptr),
        _ => sort_with!(mesh_cmp_unit),
    }
    // SAFETY: `cells` are ours alone; every element is alive (held by `xs`).
    unsafe {
        *(cmp as *mut u64) = header;
        mesh_rt_drop(cmp);
        if counted {
            // each element gets the reference of its new place before the reused
            // cells give back the ones of their old places
            words.iter().for_each(|w| mesh_rt_dup(*w as *mut u8));
            for c in &cells {
                mesh_rt_drop(*(*c as *const u64).add(2) as *mut u8);
            }
        }
        let k = cells.len();
        let rest = words_list(words[k..].iter().copied(), counted);
        for (c, w) in cells.iter().zip(&words) {
            (*c as *mut u64).add(2).write(*w);
        }
        match cells.last() {
            None => {
                mesh_rt_drop(xs);
                rest
            }
            Some(last) => {
                // the shared suffix (or `Nil`) the last reused cell held is given back
                let tail = (*last as *mut u64).add(3);
                mesh_rt_drop(*tail as *mut u8);
                tail.write(rest as u64);
                xs
            }
        }
    }
}

#[cfg(test)]
mod sort_tests {
    use super::merge_sort;

    #[test]
    fn merge_sort_is_stable_and_total_on_any_comparator() {
        // sort pairs (key, index) packed in a word by key only: equal keys keep order
        let mut v: Vec<u64> = (0..1000u64).map(|i| ((i * 7919 % 13) << 32) | i).collect();
        merge_sort(&mut v, &mut |a, b| (a >> 32) as i64 - (b >> 32) as i64);
        for w in v.windows(2) {
            assert!(w[0] >> 32 < w[1] >> 32 || (w[0] >> 32 == w[1] >> 32 && w[0] < w[1]));
        }
        // a comparator that is not an order still terminates with a permutation
        let mut v: Vec<u64> = (0..500).collect();
        merge_sort(&mut v, &mut |_, _| 1);
        let mut s = v.clone();
        s.sort();
        assert_eq!(s, (0..500).collect::<Vec<u64>>());
    }
}
