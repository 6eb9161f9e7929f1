//! JSON (spec 03 §12) on serde_json: quoting and number formatting for the encoders the
//! compiler synthesises, and a parsed value (`JsonValue`, an opaque leaked box) with
//! typed accessors for the decoders. Accessors return `Result` objects (`Ok` = tag 0,
//! `Err` = tag 1) carrying the spec's error texts.

use crate::library::list;
use crate::strings::{as_str, new_str};
use serde_json::Value;

/// `Ok` holding a plain word.
use crate::library::{err, ok_cell, ok_word as ok};

impl crate::memory::Foreign for Value {
    fn deep_copy(&self) -> Self {
        self.clone()
    }
}

/// A parsed JSON value: a counted foreign cell, freed with its last reference.
fn value_obj(v: Value) -> *mut u8 {
    crate::memory::foreign_cell(v)
}

/// # Safety
/// `p` was made by `value_obj` and is live.
unsafe fn value<'a>(p: *const u8) -> &'a Value {
    unsafe { crate::memory::foreign::<Value>(p) }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_json_quote(s: *const u8) -> *mut u8 {
    let text = serde_json::to_string(unsafe { as_str(s) }).unwrap_or_else(|_| "\"\"".into());
    new_str(text.as_bytes())
}

#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_json_float(x: f64) -> *mut u8 {
    let text = serde_json::Number::from_f64(x)
        .map(|n| n.to_string())
        .unwrap_or_else(|| "null".into());
    new_str(text.as_bytes())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_json_parse(s: *const u8) -> *mut u8 {
    match serde_json::from_str::<Value>(unsafe { as_str(s) }) {
        Ok(v) => ok_cell(value_obj(v)),
        Err(e) => err(&e.to_string()),
    }
}

/// The compact JSON text of a parsed value (its `Display`, and what `Json.encode` embeds).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_json_text(v: *const u8) -> *mut u8 {
    let text = unsafe { value(v) }.to_string();
    new_str(text.as_bytes())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_json_field(o: *const u8, key: *const u8) -> *mut u8 {
    let (o, key) = unsafe { (value(o), as_str(key)) };
    match o {
        Value::Object(m) => match m.get(key) {
            Some(v) => ok_cell(value_obj(v.clone())),
            None => err(&format!("missing field: {key}")),
        },
        _ => err("expected Object"),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_json_as_int(v: *const u8) -> *mut u8 {
    match unsafe { value(v) }.as_i64() {
        Some(n) => ok(n as u64),
        None => err("expected Int"),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_json_as_float(v: *const u8) -> *mut u8 {
    match unsafe { value(v) }.as_f64() {
        Some(x) => ok(x.to_bits()),
        None => err("expected Float"),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_json_as_string(v: *const u8) -> *mut u8 {
    match unsafe { value(v) }.as_str() {
        Some(s) => ok_cell(new_str(s.as_bytes())),
        None => err("expected String"),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_json_as_bool(v: *const u8) -> *mut u8 {
    match unsafe { value(v) }.as_bool() {
        Some(b) => ok(b as u64),
        None => err("expected Bool"),
    }
}

/// `Ok(list of element values)` or `Err("expected Array")`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_json_as_array(v: *const u8) -> *mut u8 {
    match unsafe { value(v) } {
        Value::Array(items) => ok_cell(list(
            items.iter().map(|i| value_obj(i.clone())).collect(),
            true,
        )),
        _ => err("expected Array"),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_json_is_null(v: *const u8) -> u8 {
    unsafe { value(v) }.is_null() as u8
}

/// A field of a JSON object text, as text: a string field unquoted, any other value
/// as compact JSON; `""` when the text is not an object or has no such field.
fn field_text(text: &str, path: &[&str]) -> String {
    let mut v: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(_) => return String::new(),
    };
    for key in path {
        v = match v {
            Value::Object(mut m) => match m.remove(*key) {
                Some(v) => v,
                None => return String::new(),
            },
            _ => return String::new(),
        };
    }
    match v {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_json_get(text: *const u8, key: *const u8) -> *mut u8 {
    let (text, key) = unsafe { (as_str(text), as_str(key)) };
    new_str(field_text(text, &[key]).as_bytes())
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_json_get_nested(
    text: *const u8,
    outer: *const u8,
    inner: *const u8,
) -> *mut u8 {
    let (text, outer, inner) = unsafe { (as_str(text), as_str(outer), as_str(inner)) };
    new_str(field_text(text, &[outer, inner]).as_bytes())
}
