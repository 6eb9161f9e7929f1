//! DateTime (spec 03 §15): UTC instants as Unix milliseconds (an `Int` in compiled
//! code), parsed and formatted with chrono. Units are atoms, passed as their text.

use crate::strings::{as_str, new_str};
use chrono::{DateTime, Utc};

use crate::library::{err, ok_word as ok};

fn unit_ms(unit: &str) -> Option<i64> {
    Some(match unit {
        "ms" => 1,
        "second" => 1_000,
        "minute" => 60_000,
        "hour" => 3_600_000,
        "day" => 86_400_000,
        "week" => 604_800_000,
        _ => return None,
    })
}

/// # Safety
/// `unit` is a Mesh string.
unsafe fn unit_or_panic(unit: *const u8) -> i64 {
    let u = unsafe { as_str(unit) };
    match unit_ms(u) {
        Some(m) => m,
        None => unsafe {
            crate::mesh_rt_panic(new_str(
                format!(
                    "DateTime: unknown unit :{u} (use :ms, :second, :minute, :hour, :day or :week)"
                )
                .as_bytes(),
            ))
        },
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_dt_from_iso8601(s: *const u8) -> *mut u8 {
    match DateTime::parse_from_rfc3339(unsafe { as_str(s) }.trim()) {
        Ok(dt) => ok(dt.timestamp_millis() as u64),
        Err(_) => err("invalid ISO 8601 datetime"),
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_dt_to_iso8601(ms: i64) -> *mut u8 {
    let text = match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(dt) => dt.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => "invalid datetime".into(),
    };
    new_str(text.as_bytes())
}

#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_dt_from_unix_ms(ms: i64) -> *mut u8 {
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(_) => ok(ms as u64),
        None => err("unix timestamp out of range"),
    }
}

#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_dt_from_unix_secs(secs: i64) -> *mut u8 {
    match secs.checked_mul(1000) {
        Some(ms) => mesh_rt_dt_from_unix_ms(ms),
        None => err("unix timestamp out of range"),
    }
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_dt_add(ms: i64, n: i64, unit: *const u8) -> i64 {
    ms.wrapping_add(n.wrapping_mul(unsafe { unit_or_panic(unit) }))
}

#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_dt_diff(a: i64, b: i64, unit: *const u8) -> f64 {
    (a - b) as f64 / unsafe { unit_or_panic(unit) } as f64
}

#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_dt_utc_now() -> i64 {
    Utc::now().timestamp_millis()
}
