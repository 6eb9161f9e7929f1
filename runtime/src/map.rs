//! Maps and sets (spec 03 §5–6): insertion-ordered hash maps from `Int` or `String` keys
//! to any value, in a counted foreign cell (`memory.rs`) holding an `IndexMap`.
//!
//! Values are immutable to Mesh code, so updates are copy-on-write: `put` and `delete`
//! take their map argument *owned*; when that reference is the only one (the common
//! case of a map threaded through a loop or a fold) the map is changed in place, else
//! it is copied first. Keys and values cross the C boundary as 64-bit words (an `Int`,
//! the bits of a `Float`, a `Bool`, or a pointer to a counted cell); the flags given to
//! `mesh_rt_map_new` say whether keys are strings and whether values are counted
//! pointers, so the map can compare keys by content and dup/drop what it holds.
//! A set is a map whose values are all 0.

use crate::library::{obj, words_list};
use crate::memory::{foreign, foreign_cell, is_unique, mesh_rt_drop, mesh_rt_dup};
use crate::strings::{as_bytes, as_str};
use indexmap::IndexMap;
use std::hash::{Hash, Hasher};

/// Keys are strings (else integers, booleans, instants…: compared as words).
pub const STRING_KEYS: i64 = 1;
/// Values are counted pointers (strings, objects).
pub const COUNTED_VALUES: i64 = 2;

/// A key word; string keys hash and compare by content.
#[derive(Clone, Copy)]
struct Key {
    word: u64,
    string: bool,
}

impl Key {
    fn bytes(&self) -> &[u8] {
        // SAFETY: a string key is a live string cell held by the map or the caller.
        unsafe { as_bytes(self.word as *const u8) }
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Key) -> bool {
        if self.string {
            self.word == other.word || self.bytes() == other.bytes()
        } else {
            self.word == other.word
        }
    }
}

impl Eq for Key {}

impl Hash for Key {
    fn hash<H: Hasher>(&self, h: &mut H) {
        if self.string {
            self.bytes().hash(h)
        } else {
            self.word.hash(h)
        }
    }
}

struct MeshMap {
    flags: i64,
    entries: IndexMap<Key, u64, foldhash::fast::RandomState>,
}

impl crate::memory::Foreign for MeshMap {
    /// For a message: every string key and counted value copied (`process::copy`).
    fn deep_copy(&self) -> Self {
        let copy = |w: u64, counted: bool| {
            // SAFETY: the words are live cells when the flags say they are pointers.
            unsafe { crate::process::copy::deep_copy(w, counted) }
        };
        MeshMap {
            flags: self.flags,
            entries: self
                .entries
                .iter()
                .map(|(k, v)| {
                    (
                        Key {
                            word: copy(k.word, k.string),
                            string: k.string,
                        },
                        copy(*v, self.counted_values()),
                    )
                })
                .collect(),
        }
    }

    fn immortalize(&self) {
        for (k, v) in &self.entries {
            // SAFETY: the words are live cells when the flags say they are pointers.
            unsafe {
                if k.string {
                    crate::memory::immortalize(k.word as *mut u8);
                }
                if self.counted_values() {
                    crate::memory::immortalize(*v as *mut u8);
                }
            }
        }
    }
}

impl MeshMap {
    fn string_keys(&self) -> bool {
        self.flags & STRING_KEYS != 0
    }

    fn counted_values(&self) -> bool {
        self.flags & COUNTED_VALUES != 0
    }

    fn key(&self, word: u64) -> Key {
        Key {
            word,
            string: self.string_keys(),
        }
    }

    /// A copy holding its own references to every key and value.
    fn copy(&self) -> MeshMap {
        for (k, v) in &self.entries {
            self.dup_entry(k.word, *v);
        }
        MeshMap {
            flags: self.flags,
            entries: self.entries.clone(),
        }
    }

    fn dup_entry(&self, k: u64, v: u64) {
        // SAFETY: the words are live cells when the flags say they are pointers.
        unsafe {
            if self.string_keys() {
                mesh_rt_dup(k as *mut u8);
            }
            if self.counted_values() {
                mesh_rt_dup(v as *mut u8);
            }
        }
    }

    fn drop_key(&self, k: u64) {
        if self.string_keys() {
            // SAFETY: the caller owns this reference.
            unsafe { mesh_rt_drop(k as *mut u8) }
        }
    }

    fn drop_value(&self, v: u64) {
        if self.counted_values() {
            // SAFETY: the caller owns this reference.
            unsafe { mesh_rt_drop(v as *mut u8) }
        }
    }

    /// A key or value word as a list element or tuple slot, with one more reference.
    fn share(&self, word: u64, counted: bool) -> u64 {
        if counted {
            // SAFETY: a live cell held by the map.
            unsafe { mesh_rt_dup(word as *mut u8) }
        }
        word
    }
}

impl Drop for MeshMap {
    fn drop(&mut self) {
        for (k, v) in std::mem::take(&mut self.entries) {
            self.drop_key(k.word);
            self.drop_value(v);
        }
    }
}

/// The entries of a map whose keys and values are strings, in insertion order.
///
/// # Safety
/// `m` is a live map cell with string keys and values.
#[cfg_attr(not(any(feature = "http", feature = "sqlite")), allow(dead_code))]
pub(crate) unsafe fn string_pairs(m: *const u8) -> Vec<(String, String)> {
    // SAFETY: forwarded contract.
    let mm = unsafe { map(m) };
    mm.entries
        .iter()
        // SAFETY: string keys and values are live string cells held by the map.
        .map(|(k, v)| unsafe {
            (
                as_str(k.word as *const u8).to_string(),
                as_str(*v as *const u8).to_string(),
            )
        })
        .collect()
}

/// A new `Map<String, String>` of `pairs` (in their order).
#[cfg_attr(not(any(feature = "http", feature = "sqlite")), allow(dead_code))]
pub(crate) fn string_map(pairs: &[(String, String)]) -> *mut u8 {
    let mut m = mesh_rt_map_new(STRING_KEYS | COUNTED_VALUES);
    for (k, v) in pairs {
        // SAFETY: a map of strings, owned here; put owns its arguments.
        m = unsafe {
            mesh_rt_map_put(
                m,
                crate::strings::new_str(k.as_bytes()) as u64,
                crate::strings::new_str(v.as_bytes()) as u64,
            )
        };
    }
    m
}

/// The value under the string key `k` of a `Map<String, String>`, if there is one.
///
/// # Safety
/// `m` is a live map cell with string keys and values; `k` a live string.
pub(crate) unsafe fn string_value<'a>(m: *const u8, k: *const u8) -> Option<&'a str> {
    // SAFETY: forwarded contract; the value is a string cell the map holds.
    unsafe {
        let mm = map(m);
        mm.entries
            .get(&mm.key(k as u64))
            .map(|v| as_str(*v as *const u8))
    }
}

unsafe fn map<'a>(m: *const u8) -> &'a MeshMap {
    // SAFETY: forwarded contract.
    unsafe { foreign::<MeshMap>(m) }
}

/// The map behind `m`, an owned reference, ready to change: `m` itself when it is the
/// only reference, else a fresh copy (and `m`'s reference is given back).
///
/// # Safety
/// `m` is a live map cell the caller owns a reference to.
unsafe fn owned(m: *mut u8) -> (*mut u8, &'static mut MeshMap) {
    // SAFETY: forwarded contract; a unique cell is not read by anyone else.
    unsafe {
        let m = if is_unique(m) {
            m
        } else {
            let copy = foreign_cell(map(m).copy());
            mesh_rt_drop(m);
            copy
        };
        (m, &mut *(*(m as *const u64).add(2) as *mut MeshMap))
    }
}

/// An empty map (`flags`: `STRING_KEYS`, `COUNTED_VALUES`).
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_map_new(flags: i64) -> *mut u8 {
    foreign_cell(MeshMap {
        flags,
        entries: IndexMap::default(),
    })
}

/// `Map.put`: insert or replace (a replaced key keeps its position). Owns all three.
///
/// # Safety
/// `m` is a live map cell; `k` and `v` are words of the map's key and value types.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_map_put(m: *mut u8, k: u64, v: u64) -> *mut u8 {
    // SAFETY: forwarded contract.
    let (m, mm) = unsafe { owned(m) };
    let key = mm.key(k);
    match mm.entries.get_index_of(&key) {
        Some(i) => {
            let old = std::mem::replace(&mut mm.entries[i], v);
            mm.drop_value(old);
            mm.drop_key(k);
        }
        None => {
            mm.entries.insert(key, v);
        }
    }
    m
}

/// `Set.add`: like `put` with value 0, but a present element is left alone.
///
/// # Safety
/// As `mesh_rt_map_put`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_set_add(s: *mut u8, x: u64) -> *mut u8 {
    // SAFETY: forwarded contract.
    unsafe {
        if map(s).entries.contains_key(&map(s).key(x)) {
            map(s).drop_key(x);
            return s;
        }
        mesh_rt_map_put(s, x, 0)
    }
}

/// `Map.delete`: the map without `k` (the others keep their order). Owns both.
///
/// # Safety
/// As `mesh_rt_map_put`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_map_delete(m: *mut u8, k: u64) -> *mut u8 {
    // SAFETY: forwarded contract.
    unsafe {
        let key = map(m).key(k);
        if !map(m).entries.contains_key(&key) {
            map(m).drop_key(k);
            return m;
        }
        let (m, mm) = owned(m);
        if let Some((old_k, old_v)) = mm.entries.shift_remove_entry(&key) {
            mm.drop_key(old_k.word);
            mm.drop_value(old_v);
        }
        mm.drop_key(k);
        m
    }
}

/// `Map.get`: the value for `k` (one more reference); a missing key is a runtime error
/// located at the user's call.
///
/// # Safety
/// `m` is a live map cell; `k` a word of its key type (both borrowed).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_map_get(m: *const u8, k: u64) -> u64 {
    // SAFETY: forwarded contract.
    let mm = unsafe { map(m) };
    match mm.entries.get(&mm.key(k)) {
        Some(v) => mm.share(*v, mm.counted_values()),
        None => {
            let shown = if mm.string_keys() {
                String::from_utf8_lossy(mm.key(k).bytes()).into_owned()
            } else {
                (k as i64).to_string()
            };
            let msg =
                crate::strings::new_str(format!("Map.get: key not found: {shown}").as_bytes());
            // SAFETY: a fresh string; a null site means "the user's call".
            unsafe { crate::mesh_rt_panic_at(msg, std::ptr::null()) }
        }
    }
}

/// `Map.has_key`, `Set.contains`.
///
/// # Safety
/// As `mesh_rt_map_get`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_map_has_key(m: *const u8, k: u64) -> u8 {
    // SAFETY: forwarded contract.
    let mm = unsafe { map(m) };
    mm.entries.contains_key(&mm.key(k)) as u8
}

/// `Map.size`, `Set.size`.
///
/// # Safety
/// `m` is a live map cell.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_map_size(m: *const u8) -> i64 {
    // SAFETY: forwarded contract.
    unsafe { map(m) }.entries.len() as i64
}

/// `Map.keys`, `Set.to_list`: the keys in insertion order.
///
/// # Safety
/// `m` is a live map cell.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_map_keys(m: *const u8) -> *mut u8 {
    // SAFETY: forwarded contract.
    let mm = unsafe { map(m) };
    let sk = mm.string_keys();
    words_list(mm.entries.keys().map(|k| mm.share(k.word, sk)), sk)
}

/// `Map.values`: the values in insertion order.
///
/// # Safety
/// `m` is a live map cell.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_map_values(m: *const u8) -> *mut u8 {
    // SAFETY: forwarded contract.
    let mm = unsafe { map(m) };
    let cv = mm.counted_values();
    words_list(mm.entries.values().map(|v| mm.share(*v, cv)), cv)
}

/// `Map.to_list`: `(key, value)` tuples in insertion order.
///
/// # Safety
/// `m` is a live map cell.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_map_to_list(m: *const u8) -> *mut u8 {
    // SAFETY: forwarded contract.
    let mm = unsafe { map(m) };
    unsafe { pairs(mm, mm.entries.iter().collect()) }
}

/// `(key, value)` tuples in the order JSON objects list their keys (spec 06 §2):
/// ascending bytes of the key's text (a string key, or an integer's decimal text).
///
/// # Safety
/// `m` is a live map cell.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_map_json_pairs(m: *const u8) -> *mut u8 {
    // SAFETY: forwarded contract.
    let mm = unsafe { map(m) };
    let mut entries: Vec<_> = mm.entries.iter().collect();
    if mm.string_keys() {
        entries.sort_by(|a, b| a.0.bytes().cmp(b.0.bytes()));
    } else {
        entries.sort_by_key(|e| (e.0.word as i64).to_string());
    }
    unsafe { pairs(mm, entries) }
}

/// A list of `(key, value)` tuples sharing `entries` of `mm`.
unsafe fn pairs(mm: &MeshMap, entries: Vec<(&Key, &u64)>) -> *mut u8 {
    let (sk, cv) = (mm.string_keys(), mm.counted_values());
    let mask = sk as u64 | (cv as u64) << 1;
    let pairs = entries
        .into_iter()
        .map(|(k, v)| obj(0, &[mm.share(k.word, sk), mm.share(*v, cv)], mask) as u64);
    words_list(pairs, true)
}

/// The entries of a map or set as borrowed words (for the distribution layer's
/// encoder, `dist/wire.rs`), in order.
///
/// # Safety
/// `m` is a live map cell; the words live as long as it does.
#[cfg_attr(not(feature = "dist"), allow(dead_code))]
pub(crate) unsafe fn entries(m: *const u8) -> Vec<(u64, u64)> {
    // SAFETY: forwarded contract.
    unsafe { map(m) }
        .entries
        .iter()
        .map(|(k, v)| (k.word, *v))
        .collect()
}
