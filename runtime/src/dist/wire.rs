//! Messages by value (spec 05 §6): the Mesh Term Format (STF), written and read under
//! the direction of a *schema* — the message type as the compiler describes it
//! (`passes/src/explicate_core/wire.rs` generates it from the type; decision 50). The
//! codec is table-driven, as upb's and Go's protobuf parsers are: one walker in the
//! runtime, one small description per type in the program, so a message type costs a
//! string, not an encoder and a decoder of generated code.
//!
//! Schema grammar (one character per constructor, `;` ends names and counts):
//!
//! ```text
//! s := i | f | b | s | u | p              Int, Float, Bool, String, Unit, Pid
//!    | L s | O s | R s s | E s | M s s     List, Option, Result, Set, Map (key, value)
//!    | T n; s…                            tuple of n
//!    | S name; n; (field; s)…             struct
//!    | U name; n; (variant; k; s…)…       sum type (k fields per variant)
//!    | ^ k;                               the k-th enclosing S/U (recursive types)
//!    | F | X name;                        a function, an opaque value: not sendable
//! ```
//!
//! The decoder trusts nothing: it checks every tag against the receiver's schema
//! (names, field names, variant numbers, arities), bounds strings (16 MiB), counts
//! (1,000,000, and never more than the bytes left) and depth (256), and frees what it
//! built when it fails. It never panics (a property test feeds it arbitrary bytes).

use crate::library::{obj, words_list};
use crate::memory::mesh_rt_drop;
use crate::strings::{as_bytes, new_str};
use std::sync::Arc;

pub const VERSION: u8 = 1;
const MAX_STRING: usize = 16 << 20;
const MAX_COUNT: usize = 1_000_000;
const MAX_DEPTH: usize = 256;

/// A parsed schema.
#[derive(Debug, PartialEq)]
pub enum Schema {
    Int,
    Float,
    Bool,
    Str,
    Unit,
    Pid,
    List(Box<Schema>),
    Option(Box<Schema>),
    Result(Box<Schema>, Box<Schema>),
    Set(Box<Schema>),
    Map(Box<Schema>, Box<Schema>),
    Tuple(Vec<Schema>),
    Struct(String, Vec<(String, Schema)>),
    Sum(String, Vec<(String, Vec<Schema>)>),
    /// The k-th enclosing struct or sum.
    Back(usize),
    /// A function value or an opaque runtime value: not sendable.
    Unsendable(String),
}

impl Schema {
    /// Values of this type are counted pointers.
    pub fn counted(&self) -> bool {
        !matches!(
            self,
            Schema::Int | Schema::Float | Schema::Bool | Schema::Unit | Schema::Pid
        )
    }

    /// Parses the compiler's description; `None` when malformed.
    pub fn parse(text: &str) -> Option<Schema> {
        let mut p = Parser {
            s: text.as_bytes(),
            i: 0,
        };
        let s = p.schema(0)?;
        (p.i == p.s.len()).then_some(s)
    }
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn next(&mut self) -> Option<u8> {
        let c = *self.s.get(self.i)?;
        self.i += 1;
        Some(c)
    }

    fn word(&mut self) -> Option<String> {
        let start = self.i;
        while *self.s.get(self.i)? != b';' {
            self.i += 1;
        }
        let w = std::str::from_utf8(&self.s[start..self.i])
            .ok()?
            .to_string();
        self.i += 1;
        Some(w)
    }

    fn count(&mut self) -> Option<usize> {
        let n: usize = self.word()?.parse().ok()?;
        (n <= 4096).then_some(n)
    }

    fn schema(&mut self, depth: usize) -> Option<Schema> {
        if depth > MAX_DEPTH {
            return None;
        }
        let d = depth + 1;
        Some(match self.next()? {
            b'i' => Schema::Int,
            b'f' => Schema::Float,
            b'b' => Schema::Bool,
            b's' => Schema::Str,
            b'u' => Schema::Unit,
            b'p' => Schema::Pid,
            b'L' => Schema::List(Box::new(self.schema(d)?)),
            b'O' => Schema::Option(Box::new(self.schema(d)?)),
            b'E' => Schema::Set(Box::new(self.schema(d)?)),
            b'R' => Schema::Result(Box::new(self.schema(d)?), Box::new(self.schema(d)?)),
            b'M' => Schema::Map(Box::new(self.schema(d)?), Box::new(self.schema(d)?)),
            b'T' => {
                let n = self.count()?;
                Schema::Tuple((0..n).map(|_| self.schema(d)).collect::<Option<_>>()?)
            }
            b'S' => {
                let name = self.word()?;
                let n = self.count()?;
                let fields = (0..n)
                    .map(|_| Some((self.word()?, self.schema(d)?)))
                    .collect::<Option<_>>()?;
                Schema::Struct(name, fields)
            }
            b'U' => {
                let name = self.word()?;
                let n = self.count()?;
                let variants = (0..n)
                    .map(|_| {
                        let v = self.word()?;
                        let k = self.count()?;
                        Some((v, (0..k).map(|_| self.schema(d)).collect::<Option<_>>()?))
                    })
                    .collect::<Option<_>>()?;
                Schema::Sum(name, variants)
            }
            b'^' => Schema::Back(self.count()?),
            b'F' => Schema::Unsendable("a function".into()),
            b'X' => Schema::Unsendable(format!("a `{}`", self.word()?)),
            _ => return None,
        })
    }
}

/// Schemas by the address of the compiler's (immortal) description string.
static PARSED: std::sync::LazyLock<dashmap::DashMap<usize, Option<Arc<Schema>>>> =
    std::sync::LazyLock::new(Default::default);

/// The schema a type descriptor (`name` U+001F `schema`, see `descriptor`) carries.
///
/// # Safety
/// `desc` is null or a live string cell that is never freed (a literal).
pub unsafe fn schema_of(desc: *const u8) -> Option<Arc<Schema>> {
    if desc.is_null() {
        return None;
    }
    if let Some(s) = PARSED.get(&(desc as usize)) {
        return s.clone();
    }
    // SAFETY: forwarded contract.
    let text = std::str::from_utf8(unsafe { as_bytes(desc) }).ok()?;
    let s = descriptor(text).1.and_then(Schema::parse).map(Arc::new);
    PARSED.insert(desc as usize, s.clone());
    s
}

/// A type descriptor's two parts: the type's name and its schema (absent when the
/// compiler did not know the type).
pub fn descriptor(text: &str) -> (&str, Option<&str>) {
    match text.split_once('\u{1f}') {
        Some((name, schema)) => (name, Some(schema)),
        None => (text, None),
    }
}

/// How pids cross: the encoder names the node that owns a pid, the decoder turns a
/// node name back into a pid valid here.
pub trait Pids {
    /// (owning node's name, local id) of a pid of this node or of a peer.
    fn name(&self, pid: i64) -> Option<(String, u64)>;
    /// The pid here of local id `id` on node `node`.
    fn pid(&self, node: &str, id: u64) -> Option<i64>;
}

/// Encodes `word` (a counted pointer when the schema says so) as STF, version byte
/// first.
///
/// # Safety
/// `word` is a live value of the type `schema` describes.
pub unsafe fn encode(word: u64, schema: &Schema, pids: &dyn Pids) -> Result<Vec<u8>, String> {
    let mut out = vec![VERSION];
    let mut stack = Vec::new();
    // SAFETY: forwarded contract.
    unsafe { put(&mut out, word, schema, &mut stack, pids)? };
    Ok(out)
}

/// # Safety
/// The slots of live cells, read as the compiler lays them out (`library.rs`).
unsafe fn slot(p: u64, i: usize) -> u64 {
    // SAFETY: forwarded contract.
    unsafe { *(p as *const u64).add(2 + i) }
}

/// # Safety
/// `p` is a live object.
unsafe fn tag(p: u64) -> u64 {
    // SAFETY: forwarded contract.
    unsafe { *(p as *const u64) & 0xFFFF_FFFF }
}

fn name16(out: &mut Vec<u8>, s: &str) -> Result<(), String> {
    let n = u16::try_from(s.len()).map_err(|_| "a name longer than 65535 bytes".to_string())?;
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(s.as_bytes());
    Ok(())
}

fn count32(out: &mut Vec<u8>, n: usize) -> Result<(), String> {
    if n > MAX_COUNT {
        return Err(format!(
            "a collection of {n} elements (at most {MAX_COUNT} cross a node)"
        ));
    }
    out.extend_from_slice(&(n as u32).to_le_bytes());
    Ok(())
}

/// # Safety
/// As `encode`; `stack` holds the enclosing structs and sums.
unsafe fn put<'s>(
    out: &mut Vec<u8>,
    w: u64,
    schema: &'s Schema,
    stack: &mut Vec<&'s Schema>,
    pids: &dyn Pids,
) -> Result<(), String> {
    if stack.len() > MAX_DEPTH {
        return Err(format!("a value nested deeper than {MAX_DEPTH} levels"));
    }
    // SAFETY (whole body): the value has the schema's type, so its cells have the
    // compiler's layout for it.
    unsafe {
        match schema {
            Schema::Int => {
                out.push(1);
                out.extend_from_slice(&(w as i64).to_le_bytes());
            }
            Schema::Float => {
                out.push(2);
                out.extend_from_slice(&w.to_le_bytes());
            }
            Schema::Bool => out.push(if w & 1 != 0 { 3 } else { 4 }),
            Schema::Unit => out.push(6),
            Schema::Str => {
                let b = as_bytes(w as *const u8);
                out.push(5);
                out.extend_from_slice(&(b.len() as u32).to_le_bytes());
                out.extend_from_slice(b);
            }
            Schema::Pid => {
                let Some((node, id)) = pids.name(w as i64) else {
                    return Err(format!("a pid of a node that is gone ({w})"));
                };
                out.push(30);
                name16(out, &node)?;
                out.extend_from_slice(&id.to_le_bytes());
            }
            Schema::List(e) => {
                let mut items = Vec::new();
                let mut l = w;
                while tag(l) == 1 {
                    items.push(slot(l, 0));
                    l = slot(l, 1);
                }
                out.push(10);
                count32(out, items.len())?;
                for x in items {
                    put(out, x, e, stack, pids)?;
                }
            }
            Schema::Set(e) | Schema::Map(e, _) => {
                let entries = crate::map::entries(w as *const u8);
                let is_map = matches!(schema, Schema::Map(..));
                out.push(if is_map { 11 } else { 12 });
                out.push(matches!(**e, Schema::Str) as u8);
                count32(out, entries.len())?;
                for (k, v) in entries {
                    put(out, k, e, stack, pids)?;
                    if let Schema::Map(_, vs) = schema {
                        put(out, v, vs, stack, pids)?;
                    }
                }
            }
            Schema::Option(x) => {
                if tag(w) == 0 {
                    out.push(40);
                    put(out, slot(w, 0), x, stack, pids)?;
                } else {
                    out.push(41);
                }
            }
            Schema::Result(a, b) => {
                let (t, s) = if tag(w) == 0 { (42, a) } else { (43, b) };
                out.push(t);
                put(out, slot(w, 0), s, stack, pids)?;
            }
            Schema::Tuple(ts) => {
                out.push(13);
                out.push(ts.len() as u8);
                for (i, t) in ts.iter().enumerate() {
                    put(out, slot(w, i), t, stack, pids)?;
                }
            }
            Schema::Struct(name, fields) => {
                out.push(20);
                name16(out, name)?;
                out.extend_from_slice(&(fields.len() as u16).to_le_bytes());
                stack.push(schema);
                for (i, (f, t)) in fields.iter().enumerate() {
                    name16(out, f)?;
                    put(out, slot(w, i), t, stack, pids)?;
                }
                stack.pop();
            }
            Schema::Sum(name, variants) => {
                let v = tag(w) as usize;
                let Some((_, fields)) = variants.get(v) else {
                    return Err(format!("a `{name}` value with variant {v}"));
                };
                out.push(21);
                name16(out, name)?;
                out.push(v as u8);
                out.extend_from_slice(&(fields.len() as u16).to_le_bytes());
                stack.push(schema);
                for (i, t) in fields.iter().enumerate() {
                    put(out, slot(w, i), t, stack, pids)?;
                }
                stack.pop();
            }
            Schema::Back(k) => {
                let Some(s) = stack.len().checked_sub(k + 1).map(|i| stack[i]) else {
                    return Err("a malformed message type".into());
                };
                put(out, w, s, stack, pids)?;
            }
            Schema::Unsendable(what) => {
                return Err(format!("{what} cannot be sent to another node"));
            }
        }
    }
    Ok(())
}

/// Decodes an STF message (version byte first) into new cells of the type `schema`
/// describes: the word, which is a counted pointer when `schema.counted()`.
pub fn decode(bytes: &[u8], schema: &Schema, pids: &dyn Pids) -> Result<u64, String> {
    let mut r = Reader { b: bytes, i: 0 };
    if r.u8()? != VERSION {
        return Err("unknown message format version".into());
    }
    let mut stack = Vec::new();
    let w = r.value(schema, &mut stack, pids)?;
    if r.i != bytes.len() {
        release(w, schema);
        return Err("trailing bytes after the message".into());
    }
    Ok(w)
}

/// Frees a decoded value.
fn release(w: u64, schema: &Schema) {
    if schema.counted() {
        // SAFETY: `w` is a cell the decoder made and nobody else holds.
        unsafe { mesh_rt_drop(w as *mut u8) };
    }
}

/// Decoded values held while a container is built: freed if decoding fails.
struct Held {
    words: Vec<u64>,
    counted: Vec<bool>,
}

impl Held {
    fn new() -> Held {
        Held {
            words: Vec::new(),
            counted: Vec::new(),
        }
    }
    fn push(&mut self, w: u64, counted: bool) {
        self.words.push(w);
        self.counted.push(counted);
    }
    fn mask(&self) -> u64 {
        self.counted
            .iter()
            .enumerate()
            .fold(0, |m, (i, c)| m | ((*c as u64) << i))
    }
    /// The words, which the caller now owns.
    fn take(mut self) -> Vec<u64> {
        self.counted.clear();
        std::mem::take(&mut self.words)
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        for (w, c) in self.words.iter().zip(&self.counted) {
            if *c {
                // SAFETY: decoded cells nobody else holds.
                unsafe { mesh_rt_drop(*w as *mut u8) };
            }
        }
    }
}

struct Reader<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .i
            .checked_add(n)
            .filter(|e| *e <= self.b.len())
            .ok_or("a message cut short")?;
        let s = &self.b[self.i..end];
        self.i = end;
        Ok(s)
    }
    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }
    fn u16(&mut self) -> Result<u16, String> {
        Ok(u16::from_le_bytes(
            self.take(2)?.try_into().unwrap_or_default(),
        ))
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().unwrap_or_default(),
        ))
    }
    fn u64(&mut self) -> Result<u64, String> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().unwrap_or_default(),
        ))
    }
    fn name(&mut self) -> Result<&'a str, String> {
        let n = self.u16()? as usize;
        std::str::from_utf8(self.take(n)?).map_err(|_| "a name that is not UTF-8".into())
    }
    /// A count of elements, each at least one byte: never more than the bytes left.
    fn count(&mut self) -> Result<usize, String> {
        let n = self.u32()? as usize;
        if n > MAX_COUNT || n > self.b.len() - self.i {
            return Err(format!("a collection of {n} elements"));
        }
        Ok(n)
    }
    fn expect(&mut self, t: u8, what: &str) -> Result<(), String> {
        let got = self.u8()?;
        if got != t {
            return Err(format!("expected {what}, found tag {got}"));
        }
        Ok(())
    }

    fn value<'s>(
        &mut self,
        schema: &'s Schema,
        stack: &mut Vec<&'s Schema>,
        pids: &dyn Pids,
    ) -> Result<u64, String> {
        if stack.len() > MAX_DEPTH {
            return Err(format!("a value nested deeper than {MAX_DEPTH} levels"));
        }
        Ok(match schema {
            Schema::Int => {
                self.expect(1, "an Int")?;
                self.u64()?
            }
            Schema::Float => {
                self.expect(2, "a Float")?;
                self.u64()?
            }
            Schema::Bool => match self.u8()? {
                3 => 1,
                4 => 0,
                t => return Err(format!("expected a Bool, found tag {t}")),
            },
            Schema::Unit => {
                self.expect(6, "()")?;
                0
            }
            Schema::Str => {
                self.expect(5, "a String")?;
                let n = self.u32()? as usize;
                if n > MAX_STRING {
                    return Err(format!("a string of {n} bytes"));
                }
                let b = self.take(n)?;
                if std::str::from_utf8(b).is_err() {
                    return Err("a string that is not UTF-8".into());
                }
                new_str(b) as u64
            }
            Schema::Pid => {
                self.expect(30, "a Pid")?;
                let node = self.name()?;
                let id = self.u64()?;
                pids.pid(node, id).unwrap_or(0) as u64
            }
            Schema::List(e) => {
                self.expect(10, "a List")?;
                let n = self.count()?;
                let mut held = Held::new();
                for _ in 0..n {
                    let x = self.value(e, stack, pids)?;
                    held.push(x, e.counted());
                }
                words_list(held.take().into_iter(), e.counted()) as u64
            }
            Schema::Set(e) | Schema::Map(e, _) => {
                let is_map = matches!(schema, Schema::Map(..));
                self.expect(if is_map { 11 } else { 12 }, "a Map or Set")?;
                let string_keys = self.u8()? != 0;
                if string_keys != matches!(**e, Schema::Str) {
                    return Err("map keys of another type".into());
                }
                let n = self.count()?;
                let vs = match schema {
                    Schema::Map(_, v) => Some(&**v),
                    _ => None,
                };
                let flags = (string_keys as i64 * crate::map::STRING_KEYS)
                    | (vs.is_some_and(Schema::counted) as i64 * crate::map::COUNTED_VALUES);
                let mut m = crate::map::mesh_rt_map_new(flags);
                for _ in 0..n {
                    let k = match self.value(e, stack, pids) {
                        Ok(k) => k,
                        Err(err) => {
                            release(m as u64, &Schema::Str);
                            return Err(err);
                        }
                    };
                    let v = match vs.map(|v| self.value(v, stack, pids)) {
                        Some(Err(err)) => {
                            release(k, e);
                            release(m as u64, &Schema::Str);
                            return Err(err);
                        }
                        Some(Ok(v)) => v,
                        None => 0,
                    };
                    // SAFETY: a map of these flags owning the key and value.
                    m = unsafe {
                        if is_map {
                            crate::map::mesh_rt_map_put(m, k, v)
                        } else {
                            crate::map::mesh_rt_set_add(m, k)
                        }
                    };
                }
                m as u64
            }
            Schema::Option(x) => match self.u8()? {
                40 => {
                    let v = self.value(x, stack, pids)?;
                    obj(0, &[v], x.counted() as u64) as u64
                }
                41 => obj(1, &[], 0) as u64,
                t => return Err(format!("expected an Option, found tag {t}")),
            },
            Schema::Result(a, b) => {
                let (t, s) = match self.u8()? {
                    42 => (0, a),
                    43 => (1, b),
                    t => return Err(format!("expected a Result, found tag {t}")),
                };
                let v = self.value(s, stack, pids)?;
                obj(t, &[v], s.counted() as u64) as u64
            }
            Schema::Tuple(ts) => {
                self.expect(13, "a tuple")?;
                if self.u8()? as usize != ts.len() {
                    return Err("a tuple of another size".into());
                }
                let mut held = Held::new();
                for t in ts {
                    let v = self.value(t, stack, pids)?;
                    held.push(v, t.counted());
                }
                let mask = held.mask();
                obj(0, &held.take(), mask) as u64
            }
            Schema::Struct(name, fields) => {
                self.expect(20, "a struct")?;
                if self.name()? != name || self.u16()? as usize != fields.len() {
                    return Err(format!("expected a `{name}`"));
                }
                stack.push(schema);
                let mut held = Held::new();
                for (f, t) in fields {
                    if self.name()? != f {
                        return Err(format!("expected the field `{f}` of `{name}`"));
                    }
                    let v = self.value(t, stack, pids)?;
                    held.push(v, t.counted());
                }
                stack.pop();
                let mask = held.mask();
                obj(0, &held.take(), mask) as u64
            }
            Schema::Sum(name, variants) => {
                self.expect(21, "a sum value")?;
                if self.name()? != name {
                    return Err(format!("expected a `{name}`"));
                }
                let v = self.u8()? as usize;
                let n = self.u16()? as usize;
                let Some((_, fields)) = variants.get(v).filter(|(_, f)| f.len() == n) else {
                    return Err(format!("a `{name}` variant that does not exist"));
                };
                stack.push(schema);
                let mut held = Held::new();
                for t in fields {
                    let x = self.value(t, stack, pids)?;
                    held.push(x, t.counted());
                }
                stack.pop();
                let mask = held.mask();
                obj(v as u64, &held.take(), mask) as u64
            }
            Schema::Back(k) => {
                let Some(s) = stack.len().checked_sub(k + 1).map(|i| stack[i]) else {
                    return Err("a malformed message type".into());
                };
                self.value(s, stack, pids)?
            }
            Schema::Unsendable(what) => {
                return Err(format!("{what} cannot come from another node"))
            }
        })
    }
}

#[cfg(test)]
mod tests;
