//! Row decoding (spec 06 §7): `deriving(Row)` makes `T.from_row(row)`, which the
//! compiler lowers to one `mesh_rt_row_field` per field (`explicate_core/json.rs`,
//! `Row.decode`) and builds the struct from the `Ok` values. Rows are
//! `Map<String, String>` from SQLite or PostgreSQL alike.

use crate::library::obj;
use crate::strings::new_str;

/// Field kinds, as the compiler passes them: the type, plus `OPTION` for `Option<T>`.
pub const STRING: i64 = 0;
pub const INT: i64 = 1;
pub const FLOAT: i64 = 2;
pub const BOOL: i64 = 3;
pub const OPTION: i64 = 4;

use crate::library::err;

fn cannot(text: &str, ty: &str) -> String {
    format!("cannot parse '{text}' as {ty}")
}

/// A value of kind `kind` (without `OPTION`) from its text: the word it is stored as
/// and whether that word is a counted pointer.
fn parse(text: &str, kind: i64) -> Result<(u64, bool), String> {
    let t = text.trim();
    match kind {
        INT => t
            .parse::<i64>()
            .map(|n| (n as u64, false))
            .map_err(|_| cannot(text, "Int")),
        FLOAT => {
            let x = match t {
                "Infinity" | "+Infinity" => Ok(f64::INFINITY),
                "-Infinity" => Ok(f64::NEG_INFINITY),
                // decimal only: Rust would also take "inf" and "NaN"
                _ if t
                    .chars()
                    .any(|c| c.is_ascii_alphabetic() && c != 'e' && c != 'E') =>
                {
                    Err(())
                }
                _ => t.parse::<f64>().map_err(|_| ()),
            };
            x.map(|x| (x.to_bits(), false))
                .map_err(|_| cannot(text, "Float"))
        }
        BOOL => match t.to_ascii_lowercase().as_str() {
            "true" | "t" | "1" | "yes" => Ok((1, false)),
            "false" | "f" | "0" | "no" => Ok((0, false)),
            _ => Err(cannot(text, "Bool")),
        },
        _ => Ok((new_str(text.as_bytes()) as u64, true)),
    }
}

/// The field `name` of `row` decoded as `kind`: `Ok(value)`, or `Err` with the spec's
/// message (`missing column: name`, `cannot parse '…' as Int`, …). `Option` fields
/// take `""` as `None`.
///
/// # Safety
/// `row` is a live `Map<String, String>` and `name` a live string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_row_field(row: *const u8, name: *const u8, kind: i64) -> *mut u8 {
    // SAFETY: forwarded contract.
    let Some(text) = (unsafe { crate::map::string_value(row, name) }) else {
        let name = unsafe { crate::strings::as_str(name) };
        return err(format!("missing column: {name}"));
    };
    let optional = kind & OPTION != 0;
    if optional && text.is_empty() {
        let none = obj(1, &[], 0);
        return obj(0, &[none as u64], 1);
    }
    match parse(text, kind & !OPTION) {
        Ok((word, counted)) => {
            let v = if optional {
                obj(0, &[word], counted as u64) as u64
            } else {
                word
            };
            obj(0, &[v], (optional || counted) as u64)
        }
        Err(e) => err(e),
    }
}
