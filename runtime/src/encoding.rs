//! Base64, Hex, Crypto and Regex (spec 03 §10–11, §14) on the RustCrypto, base64, hex,
//! uuid and regex crates. Results use the compiler's layout: `Ok` = tag 0, `Err` = tag 1.

use crate::library::{list, none, obj, some_ptr};
use crate::strings::{as_bytes, as_str, new_str};
use base64::Engine;
use hmac::Mac;
use sha2::Digest;

use crate::library::{err, ok_cell as ok};

fn text_result(bytes: Option<Vec<u8>>, what: &str) -> *mut u8 {
    match bytes {
        None => err(&format!("invalid {what}")),
        Some(b) => match String::from_utf8(b) {
            Ok(s) => ok(new_str(s.as_bytes())),
            Err(_) => err("invalid utf-8"),
        },
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_base64_encode(p: *const u8) -> *mut u8 {
    new_str(
        base64::engine::general_purpose::STANDARD
            .encode(unsafe { as_bytes(p) })
            .as_bytes(),
    )
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_base64_decode(p: *const u8) -> *mut u8 {
    text_result(
        base64::engine::general_purpose::STANDARD
            .decode(unsafe { as_bytes(p) })
            .ok(),
        "base64",
    )
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_base64_encode_url(p: *const u8) -> *mut u8 {
    new_str(
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(unsafe { as_bytes(p) })
            .as_bytes(),
    )
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_base64_decode_url(p: *const u8) -> *mut u8 {
    text_result(
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(unsafe { as_bytes(p) })
            .ok(),
        "base64",
    )
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_hex_encode(p: *const u8) -> *mut u8 {
    new_str(hex::encode(unsafe { as_bytes(p) }).as_bytes())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_hex_decode(p: *const u8) -> *mut u8 {
    text_result(hex::decode(unsafe { as_bytes(p) }).ok(), "hex")
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_sha256(p: *const u8) -> *mut u8 {
    new_str(hex::encode(sha2::Sha256::digest(unsafe { as_bytes(p) })).as_bytes())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_sha512(p: *const u8) -> *mut u8 {
    new_str(hex::encode(sha2::Sha512::digest(unsafe { as_bytes(p) })).as_bytes())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_hmac_sha256(key: *const u8, msg: *const u8) -> *mut u8 {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(unsafe { as_bytes(key) })
        .expect("HMAC takes any key length");
    mac.update(unsafe { as_bytes(msg) });
    new_str(hex::encode(mac.finalize().into_bytes()).as_bytes())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_hmac_sha512(key: *const u8, msg: *const u8) -> *mut u8 {
    let mut mac = hmac::Hmac::<sha2::Sha512>::new_from_slice(unsafe { as_bytes(key) })
        .expect("HMAC takes any key length");
    mac.update(unsafe { as_bytes(msg) });
    new_str(hex::encode(mac.finalize().into_bytes()).as_bytes())
}

/// Constant-time equality (subtle).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_secure_compare(a: *const u8, b: *const u8) -> u8 {
    use subtle::ConstantTimeEq;
    let (a, b) = unsafe { (as_bytes(a), as_bytes(b)) };
    (a.len() == b.len() && bool::from(a.ct_eq(b))) as u8
}

#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_uuid4() -> *mut u8 {
    new_str(uuid::Uuid::new_v4().to_string().as_bytes())
}

// ---------------------------------------------------------------- Regex

impl crate::memory::Foreign for regex::Regex {
    fn deep_copy(&self) -> Self {
        self.clone()
    }
}

/// A compiled regex: a counted foreign cell, freed with its last reference.
fn regex_obj(r: regex::Regex) -> *mut u8 {
    crate::memory::foreign_cell(r)
}

/// # Safety
/// `p` was made by `regex_obj` and is live.
unsafe fn regex<'a>(p: *const u8) -> &'a regex::Regex {
    unsafe { crate::memory::foreign::<regex::Regex>(p) }
}

/// A regex literal (validated by the compiler); `flags` are `i`, `m`, `s`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_regex_literal(pattern: *const u8, flags: *const u8) -> *mut u8 {
    let (pat, flags) = unsafe { (as_str(pattern), as_str(flags)) };
    let full = if flags.is_empty() {
        pat.to_string()
    } else {
        format!("(?{flags}){pat}")
    };
    match regex::Regex::new(&full) {
        Ok(r) => regex_obj(r),
        Err(e) => unsafe {
            crate::mesh_rt_panic(new_str(format!("invalid regex: {e}").as_bytes()))
        },
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_regex_compile(pattern: *const u8) -> *mut u8 {
    match regex::Regex::new(unsafe { as_str(pattern) }) {
        Ok(r) => obj(0, &[regex_obj(r) as u64], 1),
        Err(e) => err(&e.to_string()),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_regex_is_match(r: *const u8, s: *const u8) -> u8 {
    unsafe { regex(r).is_match(as_str(s)) as u8 }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_regex_replace(
    r: *const u8,
    s: *const u8,
    with: *const u8,
) -> *mut u8 {
    let out = unsafe { regex(r).replace_all(as_str(s), as_str(with)) };
    new_str(out.as_bytes())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_regex_split(r: *const u8, s: *const u8) -> *mut u8 {
    let parts = unsafe { regex(r).split(as_str(s)) }
        .map(|p| new_str(p.as_bytes()))
        .collect();
    list(parts, true)
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_regex_captures(r: *const u8, s: *const u8) -> *mut u8 {
    match unsafe { regex(r).captures(as_str(s)) } {
        None => none(),
        Some(c) => {
            let groups = c
                .iter()
                .map(|g| new_str(g.map(|m| m.as_str()).unwrap_or("").as_bytes()))
                .collect();
            some_ptr(list(groups, true))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vectors() {
        let _serial = crate::memory::TEST_LOCK
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let h = new_str(b"hello");
        unsafe {
            assert_eq!(as_str(mesh_rt_base64_encode(h)), "aGVsbG8=");
            assert_eq!(as_str(mesh_rt_base64_encode_url(h)), "aGVsbG8");
            assert_eq!(
                as_str(mesh_rt_sha256(h)),
                "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
            );
            assert_eq!(mesh_rt_secure_compare(h, new_str(b"hellp")), 0);
        }
        assert_eq!(unsafe { as_str(mesh_rt_uuid4()) }.len(), 36);
    }
}
