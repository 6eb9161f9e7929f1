//! `core`: a small explicit expression language that codegen consumes.
//!
//! From `mono`: removes patterns, `case`, string interpolation, operators, modules and
//! user types; adds explicit primitive operations, heap objects (`Alloc`, `Load`,
//! `Tag`), uniquely named locals, fully qualified function names and tail-call marks. Invariants: every local is bound before use and bound
//! once; every call names a function of the program with matching arity and types;
//! `tail` marks only calls in tail position; every node's type matches its operation.

pub mod interp;
mod print;
mod validate;
pub mod vars;

use crate::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CTy {
    Int,
    Float,
    Bool,
    Str,
    Unit,
    /// A pointer to a reference-counted heap object (structs, tuples, sum values,
    /// closures): `{i64 header (tag, count), i64 pointer mask, i64 slots[n]}`.
    Obj,
    /// A pointer that is not reference counted: code addresses, and runtime-owned values
    /// (compiled regexes, parsed JSON).
    Raw,
}

impl CTy {
    /// Values of this type are pointers to reference-counted cells.
    pub fn is_counted(self) -> bool {
        matches!(self, CTy::Str | CTy::Obj)
    }

    pub fn name(self) -> &'static str {
        match self {
            CTy::Int => "Int",
            CTy::Float => "Float",
            CTy::Bool => "Bool",
            CTy::Str => "String",
            CTy::Unit => "()",
            CTy::Obj => "Obj",
            CTy::Raw => "Raw",
        }
    }
}

/// Library functions implemented in the runtime (spec 03): Mesh name, runtime symbol,
/// parameter types, result type. `Obj` results are built by the runtime in the
/// compiler's object layout (`Option`, `List`).
pub const RUNTIME_LIBRARY: &[(&str, &str, &[CTy], CTy)] = &[
    ("String.length", "mesh_rt_str_length", &[CTy::Str], CTy::Int),
    (
        "String.slice",
        "mesh_rt_str_slice",
        &[CTy::Str, CTy::Int, CTy::Int],
        CTy::Str,
    ),
    (
        "String.contains",
        "mesh_rt_str_contains",
        &[CTy::Str, CTy::Str],
        CTy::Bool,
    ),
    (
        "String.starts_with",
        "mesh_rt_str_starts_with",
        &[CTy::Str, CTy::Str],
        CTy::Bool,
    ),
    (
        "String.ends_with",
        "mesh_rt_str_ends_with",
        &[CTy::Str, CTy::Str],
        CTy::Bool,
    ),
    ("String.trim", "mesh_rt_str_trim", &[CTy::Str], CTy::Str),
    (
        "String.to_upper",
        "mesh_rt_str_to_upper",
        &[CTy::Str],
        CTy::Str,
    ),
    (
        "String.to_lower",
        "mesh_rt_str_to_lower",
        &[CTy::Str],
        CTy::Str,
    ),
    (
        "String.replace",
        "mesh_rt_str_replace",
        &[CTy::Str, CTy::Str, CTy::Str],
        CTy::Str,
    ),
    (
        "String.split",
        "mesh_rt_str_split",
        &[CTy::Str, CTy::Str],
        CTy::Obj,
    ),
    (
        "String.join",
        "mesh_rt_str_join",
        &[CTy::Obj, CTy::Str],
        CTy::Str,
    ),
    ("String.to_int", "mesh_rt_str_to_int", &[CTy::Str], CTy::Obj),
    (
        "String.to_float",
        "mesh_rt_str_to_float",
        &[CTy::Str],
        CTy::Obj,
    ),
    (
        "Float.to_int",
        "mesh_rt_float_to_int",
        &[CTy::Float],
        CTy::Int,
    ),
    (
        "Math.pow",
        "mesh_rt_math_pow",
        &[CTy::Float, CTy::Float],
        CTy::Float,
    ),
    ("Math.sqrt", "mesh_rt_math_sqrt", &[CTy::Float], CTy::Float),
    ("Math.floor", "mesh_rt_math_floor", &[CTy::Float], CTy::Int),
    ("Math.ceil", "mesh_rt_math_ceil", &[CTy::Float], CTy::Int),
    ("Math.round", "mesh_rt_math_round", &[CTy::Float], CTy::Int),
    (
        "Base64.encode",
        "mesh_rt_base64_encode",
        &[CTy::Str],
        CTy::Str,
    ),
    (
        "Base64.decode",
        "mesh_rt_base64_decode",
        &[CTy::Str],
        CTy::Obj,
    ),
    (
        "Base64.encode_url",
        "mesh_rt_base64_encode_url",
        &[CTy::Str],
        CTy::Str,
    ),
    (
        "Base64.decode_url",
        "mesh_rt_base64_decode_url",
        &[CTy::Str],
        CTy::Obj,
    ),
    ("Hex.encode", "mesh_rt_hex_encode", &[CTy::Str], CTy::Str),
    ("Hex.decode", "mesh_rt_hex_decode", &[CTy::Str], CTy::Obj),
    ("Crypto.sha256", "mesh_rt_sha256", &[CTy::Str], CTy::Str),
    ("Crypto.sha512", "mesh_rt_sha512", &[CTy::Str], CTy::Str),
    (
        "Crypto.hmac_sha256",
        "mesh_rt_hmac_sha256",
        &[CTy::Str, CTy::Str],
        CTy::Str,
    ),
    (
        "Crypto.hmac_sha512",
        "mesh_rt_hmac_sha512",
        &[CTy::Str, CTy::Str],
        CTy::Str,
    ),
    (
        "Crypto.secure_compare",
        "mesh_rt_secure_compare",
        &[CTy::Str, CTy::Str],
        CTy::Bool,
    ),
    ("Crypto.uuid4", "mesh_rt_uuid4", &[], CTy::Str),
    (
        "Regex.compile",
        "mesh_rt_regex_compile",
        &[CTy::Str],
        CTy::Obj,
    ),
    (
        "Regex.is_match",
        "mesh_rt_regex_is_match",
        &[CTy::Obj, CTy::Str],
        CTy::Bool,
    ),
    (
        "Regex.replace",
        "mesh_rt_regex_replace",
        &[CTy::Obj, CTy::Str, CTy::Str],
        CTy::Str,
    ),
    (
        "Regex.split",
        "mesh_rt_regex_split",
        &[CTy::Obj, CTy::Str],
        CTy::Obj,
    ),
    (
        "Regex.captures",
        "mesh_rt_regex_captures",
        &[CTy::Obj, CTy::Str],
        CTy::Obj,
    ),
    (
        "Regex.literal",
        "mesh_rt_regex_literal",
        &[CTy::Str, CTy::Str],
        CTy::Obj,
    ),
    ("Json.quote", "mesh_rt_json_quote", &[CTy::Str], CTy::Str),
    ("Json.float", "mesh_rt_json_float", &[CTy::Float], CTy::Str),
    (
        "Json.parse_value",
        "mesh_rt_json_parse",
        &[CTy::Str],
        CTy::Obj,
    ),
    ("Json.parse", "mesh_rt_json_parse", &[CTy::Str], CTy::Obj),
    ("Json.text", "mesh_rt_json_text", &[CTy::Obj], CTy::Str),
    (
        "Json.field",
        "mesh_rt_json_field",
        &[CTy::Obj, CTy::Str],
        CTy::Obj,
    ),
    ("Json.as_int", "mesh_rt_json_as_int", &[CTy::Obj], CTy::Obj),
    (
        "Json.as_float",
        "mesh_rt_json_as_float",
        &[CTy::Obj],
        CTy::Obj,
    ),
    (
        "Json.as_string",
        "mesh_rt_json_as_string",
        &[CTy::Obj],
        CTy::Obj,
    ),
    (
        "Json.as_bool",
        "mesh_rt_json_as_bool",
        &[CTy::Obj],
        CTy::Obj,
    ),
    (
        "Json.as_array",
        "mesh_rt_json_as_array",
        &[CTy::Obj],
        CTy::Obj,
    ),
    (
        "Json.is_null",
        "mesh_rt_json_is_null",
        &[CTy::Obj],
        CTy::Bool,
    ),
    (
        "DateTime.from_iso8601",
        "mesh_rt_dt_from_iso8601",
        &[CTy::Str],
        CTy::Obj,
    ),
    (
        "DateTime.to_iso8601",
        "mesh_rt_dt_to_iso8601",
        &[CTy::Int],
        CTy::Str,
    ),
    (
        "DateTime.from_unix_ms",
        "mesh_rt_dt_from_unix_ms",
        &[CTy::Int],
        CTy::Obj,
    ),
    (
        "DateTime.from_unix_secs",
        "mesh_rt_dt_from_unix_secs",
        &[CTy::Int],
        CTy::Obj,
    ),
    (
        "DateTime.add",
        "mesh_rt_dt_add",
        &[CTy::Int, CTy::Int, CTy::Str],
        CTy::Int,
    ),
    (
        "DateTime.diff",
        "mesh_rt_dt_diff",
        &[CTy::Int, CTy::Int, CTy::Str],
        CTy::Float,
    ),
    ("DateTime.utc_now", "mesh_rt_dt_utc_now", &[], CTy::Int),
    ("IO.eprintln", "mesh_rt_eprintln", &[CTy::Str], CTy::Unit),
    ("IO.read_line", "mesh_rt_read_line", &[], CTy::Obj),
    (
        "Env.get",
        "mesh_rt_env_get",
        &[CTy::Str, CTy::Str],
        CTy::Str,
    ),
    (
        "Env.get_int",
        "mesh_rt_env_get_int",
        &[CTy::Str, CTy::Int],
        CTy::Int,
    ),
    ("Env.args", "mesh_rt_env_args", &[], CTy::Obj),
    ("File.read", "mesh_rt_file_read", &[CTy::Str], CTy::Obj),
    (
        "File.write",
        "mesh_rt_file_write",
        &[CTy::Str, CTy::Str],
        CTy::Obj,
    ),
    (
        "File.append",
        "mesh_rt_file_append",
        &[CTy::Str, CTy::Str],
        CTy::Obj,
    ),
    ("File.exists", "mesh_rt_file_exists", &[CTy::Str], CTy::Bool),
    ("File.delete", "mesh_rt_file_delete", &[CTy::Str], CTy::Obj),
    ("Timer.sleep", "mesh_rt_sleep", &[CTy::Int], CTy::Unit),
    (
        "Json.get",
        "mesh_rt_json_get",
        &[CTy::Str, CTy::Str],
        CTy::Str,
    ),
    (
        "Json.get_nested",
        "mesh_rt_json_get_nested",
        &[CTy::Str, CTy::Str, CTy::Str],
        CTy::Str,
    ),
    ("Hash.string", "mesh_rt_hash_str", &[CTy::Str], CTy::Int),
    // reuse tokens (`reuse-cells`); the names cannot be written in Mesh
    ("%reuse.drop", "mesh_rt_drop_reuse", &[CTy::Obj], CTy::Raw),
    ("%reuse.free", "mesh_rt_free_reuse", &[CTy::Raw], CTy::Unit),
    // holes (`tail-mod-cons`): a null field, filled once by `set_slot(cell, slot, v)`
    ("%hole", "mesh_rt_hole", &[], CTy::Obj),
    (
        "%set_slot",
        "mesh_rt_set_slot",
        &[CTy::Obj, CTy::Int, CTy::Obj],
        CTy::Unit,
    ),
    // drop specialisation (`specialise-drops`): the Int is the bit set of moved slots
    (
        "%reuse.drop_moved",
        "mesh_rt_drop_reuse_moved",
        &[CTy::Obj, CTy::Int],
        CTy::Raw,
    ),
    (
        "%drop.moved",
        "mesh_rt_drop_moved",
        &[CTy::Obj, CTy::Int],
        CTy::Unit,
    ),
    ("Hash.float", "mesh_rt_hash_float", &[CTy::Float], CTy::Int),
    // processes (runtime/src/actor)
    (
        "Process.register",
        "mesh_rt_register",
        &[CTy::Str, CTy::Int],
        CTy::Int,
    ),
    ("Process.whereis", "mesh_rt_whereis", &[CTy::Str], CTy::Int),
    ("%self", "mesh_rt_self", &[], CTy::Int),
    // HTTP (runtime/src/http)
    (
        "Request.method",
        "mesh_rt_req_method",
        &[CTy::Obj],
        CTy::Str,
    ),
    ("Request.path", "mesh_rt_req_path", &[CTy::Obj], CTy::Str),
    ("Request.body", "mesh_rt_req_body", &[CTy::Obj], CTy::Str),
    (
        "Request.header",
        "mesh_rt_req_header",
        &[CTy::Obj, CTy::Str],
        CTy::Obj,
    ),
    (
        "Request.query",
        "mesh_rt_req_query",
        &[CTy::Obj, CTy::Str],
        CTy::Obj,
    ),
    (
        "Request.param",
        "mesh_rt_req_param",
        &[CTy::Obj, CTy::Str],
        CTy::Obj,
    ),
    (
        "Request.with_params",
        "mesh_rt_req_with_params",
        &[CTy::Obj, CTy::Obj, CTy::Obj],
        CTy::Obj,
    ),
    (
        "Response.make",
        "mesh_rt_response",
        &[CTy::Int, CTy::Str, CTy::Obj],
        CTy::Obj,
    ),
    (
        "Response.plain",
        "mesh_rt_response_plain",
        &[CTy::Int, CTy::Str],
        CTy::Obj,
    ),
    (
        "Response.status",
        "mesh_rt_response_status",
        &[CTy::Obj],
        CTy::Int,
    ),
    (
        "Response.body",
        "mesh_rt_response_body",
        &[CTy::Obj],
        CTy::Str,
    ),
    (
        "Http.build",
        "mesh_rt_http_build",
        &[CTy::Str, CTy::Str],
        CTy::Int,
    ),
    (
        "Http.header",
        "mesh_rt_http_header",
        &[CTy::Int, CTy::Str, CTy::Str],
        CTy::Int,
    ),
    (
        "Http.query",
        "mesh_rt_http_query",
        &[CTy::Int, CTy::Str, CTy::Str],
        CTy::Int,
    ),
    (
        "Http.body",
        "mesh_rt_http_body",
        &[CTy::Int, CTy::Str],
        CTy::Int,
    ),
    (
        "Http.json",
        "mesh_rt_http_json",
        &[CTy::Int, CTy::Str],
        CTy::Int,
    ),
    (
        "Http.timeout",
        "mesh_rt_http_timeout",
        &[CTy::Int, CTy::Int],
        CTy::Int,
    ),
    ("Http.send", "mesh_rt_http_send", &[CTy::Int], CTy::Obj),
    ("Http.client", "mesh_rt_http_client", &[], CTy::Int),
    (
        "Http.send_with",
        "mesh_rt_http_send_with",
        &[CTy::Int, CTy::Int],
        CTy::Obj,
    ),
    (
        "Http.client_close",
        "mesh_rt_http_client_close",
        &[CTy::Int],
        CTy::Unit,
    ),
    (
        "Http.stream",
        "mesh_rt_http_stream",
        &[CTy::Int, CTy::Obj],
        CTy::Int,
    ),
    (
        "Http.stream_bytes",
        "mesh_rt_http_stream",
        &[CTy::Int, CTy::Obj],
        CTy::Int,
    ),
    ("Http.cancel", "mesh_rt_http_cancel", &[CTy::Int], CTy::Unit),
    // `mesh test` (spec 03 §17; runtime/src/testing.rs)
    ("Testing.fail", "mesh_rt_test_fail", &[CTy::Str], CTy::Unit),
    ("Testing.failures", "mesh_rt_test_failures", &[], CTy::Int),
    (
        "Testing.truncate",
        "mesh_rt_test_truncate",
        &[CTy::Int],
        CTy::Unit,
    ),
    (
        "Testing.report",
        "mesh_rt_test_report",
        &[CTy::Str],
        CTy::Unit,
    ),
    ("Testing.summary", "mesh_rt_test_summary", &[], CTy::Unit),
    // SQLite (spec 06 §5) and row decoding (§7)
    ("Sqlite.open", "mesh_rt_sqlite_open", &[CTy::Str], CTy::Obj),
    (
        "Sqlite.close",
        "mesh_rt_sqlite_close",
        &[CTy::Obj],
        CTy::Unit,
    ),
    (
        "Sqlite.execute",
        "mesh_rt_sqlite_execute",
        &[CTy::Obj, CTy::Str, CTy::Obj],
        CTy::Obj,
    ),
    (
        "Sqlite.query",
        "mesh_rt_sqlite_query",
        &[CTy::Obj, CTy::Str, CTy::Obj],
        CTy::Obj,
    ),
    (
        "Sqlite.begin",
        "mesh_rt_sqlite_begin",
        &[CTy::Obj],
        CTy::Obj,
    ),
    (
        "Sqlite.commit",
        "mesh_rt_sqlite_commit",
        &[CTy::Obj],
        CTy::Obj,
    ),
    (
        "Sqlite.rollback",
        "mesh_rt_sqlite_rollback",
        &[CTy::Obj],
        CTy::Obj,
    ),
    (
        "Row.field",
        "mesh_rt_row_field",
        &[CTy::Obj, CTy::Str, CTy::Int],
        CTy::Obj,
    ),
    (
        "Ws.serve",
        "mesh_rt_ws_serve",
        &[CTy::Obj, CTy::Obj, CTy::Obj, CTy::Int],
        CTy::Unit,
    ),
    (
        "Ws.serve_tls",
        "mesh_rt_ws_serve_tls",
        &[CTy::Obj, CTy::Obj, CTy::Obj, CTy::Int, CTy::Str, CTy::Str],
        CTy::Unit,
    ),
    (
        "Ws.send",
        "mesh_rt_ws_send",
        &[CTy::Int, CTy::Str],
        CTy::Int,
    ),
    (
        "Ws.send_binary",
        "mesh_rt_ws_send_binary",
        &[CTy::Int, CTy::Str],
        CTy::Int,
    ),
    (
        "Ws.join",
        "mesh_rt_ws_join",
        &[CTy::Int, CTy::Str],
        CTy::Int,
    ),
    (
        "Ws.leave",
        "mesh_rt_ws_leave",
        &[CTy::Int, CTy::Str],
        CTy::Int,
    ),
    (
        "Ws.broadcast",
        "mesh_rt_ws_broadcast_all",
        &[CTy::Str, CTy::Str],
        CTy::Int,
    ),
    (
        "Ws.broadcast_except",
        "mesh_rt_ws_broadcast",
        &[CTy::Str, CTy::Str, CTy::Int],
        CTy::Int,
    ),
    (
        "Http.serve_tls_handler",
        "mesh_rt_https_serve",
        &[CTy::Obj, CTy::Int, CTy::Str, CTy::Str],
        CTy::Unit,
    ),
    (
        "Http.serve_handler",
        "mesh_rt_http_serve",
        &[CTy::Obj, CTy::Int],
        CTy::Unit,
    ),
    (
        "Process.sup_new",
        "mesh_rt_sup_new",
        &[CTy::Int, CTy::Int, CTy::Int],
        CTy::Int,
    ),
    (
        "Process.sup_child",
        "mesh_rt_sup_child",
        &[CTy::Int, CTy::Str, CTy::Obj, CTy::Int, CTy::Int],
        CTy::Unit,
    ),
    (
        "Process.sup_start",
        "mesh_rt_sup_start",
        &[CTy::Int],
        CTy::Int,
    ),
    ("Prelude.link", "mesh_rt_link", &[CTy::Int], CTy::Unit),
    ("Process.monitor", "mesh_rt_monitor", &[CTy::Int], CTy::Int),
    (
        "Process.demonitor",
        "mesh_rt_demonitor",
        &[CTy::Int],
        CTy::Int,
    ),
    (
        "Process.trap_exits",
        "mesh_rt_trap_exits",
        &[CTy::Bool],
        CTy::Unit,
    ),
    ("Process.on_exit", "mesh_rt_on_exit", &[CTy::Obj], CTy::Unit),
    (
        "%pid.to_string",
        "mesh_rt_pid_to_str",
        &[CTy::Int],
        CTy::Str,
    ),
    // the preemption and stack check (`insert-yield-points`; codegen inlines the test)
    ("%check", "mesh_rt_check", &[], CTy::Unit),
];

/// A parameter or result of a collection function: a value of one type, or any value
/// passed as a 64-bit word (map keys and values: an `Int`, a `Float`'s bits, a `Bool`, a
/// pointer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RtTy {
    Is(CTy),
    Word,
}

use RtTy::{Is, Word};

/// Maps and sets in the runtime (runtime/src/map.rs), and `List.sort`: Mesh name,
/// runtime symbol, parameters, result, and whether the function *owns* its arguments
/// (updates reuse a map or list held only once). `Map.new`/`Set.new` are lowered to `mesh_rt_map_new(flags)`.
pub const COLLECTION_LIBRARY: &[(&str, &str, &[RtTy], RtTy, bool)] = &[
    (
        "Map.new",
        "mesh_rt_map_new",
        &[Is(CTy::Int)],
        Is(CTy::Obj),
        false,
    ),
    (
        "Map.put",
        "mesh_rt_map_put",
        &[Is(CTy::Obj), Word, Word],
        Is(CTy::Obj),
        true,
    ),
    (
        "Map.delete",
        "mesh_rt_map_delete",
        &[Is(CTy::Obj), Word],
        Is(CTy::Obj),
        true,
    ),
    (
        "Map.get",
        "mesh_rt_map_get",
        &[Is(CTy::Obj), Word],
        Word,
        false,
    ),
    (
        "Map.has_key",
        "mesh_rt_map_has_key",
        &[Is(CTy::Obj), Word],
        Is(CTy::Bool),
        false,
    ),
    (
        "Map.size",
        "mesh_rt_map_size",
        &[Is(CTy::Obj)],
        Is(CTy::Int),
        false,
    ),
    (
        "Map.keys",
        "mesh_rt_map_keys",
        &[Is(CTy::Obj)],
        Is(CTy::Obj),
        false,
    ),
    (
        "Map.values",
        "mesh_rt_map_values",
        &[Is(CTy::Obj)],
        Is(CTy::Obj),
        false,
    ),
    (
        "Map.to_list",
        "mesh_rt_map_to_list",
        &[Is(CTy::Obj)],
        Is(CTy::Obj),
        false,
    ),
    (
        "Map.json_pairs",
        "mesh_rt_map_json_pairs",
        &[Is(CTy::Obj)],
        Is(CTy::Obj),
        false,
    ),
    // the comparator closure and the element kind (runtime/src/library.rs `SORT_*`)
    (
        "List.sort",
        "mesh_rt_list_sort",
        &[Is(CTy::Obj), Is(CTy::Obj), Is(CTy::Int)],
        Is(CTy::Obj),
        true,
    ),
    (
        "Set.add",
        "mesh_rt_set_add",
        &[Is(CTy::Obj), Word],
        Is(CTy::Obj),
        true,
    ),
    (
        "Set.remove",
        "mesh_rt_map_delete",
        &[Is(CTy::Obj), Word],
        Is(CTy::Obj),
        true,
    ),
    (
        "Set.contains",
        "mesh_rt_map_has_key",
        &[Is(CTy::Obj), Word],
        Is(CTy::Bool),
        false,
    ),
    (
        "Set.size",
        "mesh_rt_map_size",
        &[Is(CTy::Obj)],
        Is(CTy::Int),
        false,
    ),
    (
        "Set.to_list",
        "mesh_rt_map_keys",
        &[Is(CTy::Obj)],
        Is(CTy::Obj),
        false,
    ),
    // processes (runtime/src/actor): messages cross as words, with a last argument
    // saying whether the word is a counted pointer (the runtime deep-copies those)
    (
        "Process.spawn",
        "mesh_rt_spawn",
        &[Is(CTy::Obj)],
        Is(CTy::Int),
        false,
    ),
    (
        "Prelude.send",
        "mesh_rt_send",
        &[Is(CTy::Int), Word, Is(CTy::Int)],
        Is(CTy::Unit),
        false,
    ),
    (
        "Timer.send_after",
        "mesh_rt_send_after",
        &[Is(CTy::Int), Is(CTy::Int), Word, Is(CTy::Int)],
        Is(CTy::Unit),
        false,
    ),
    (
        "Process.receive",
        "mesh_rt_receive",
        &[Is(CTy::Int), Is(CTy::Int)],
        Is(CTy::Obj),
        false,
    ),
    // the matcher closure and the message kind (runtime/src/library.rs `SORT_*`)
    (
        "Process.receive_matching",
        "mesh_rt_receive_matching",
        &[Is(CTy::Int), Is(CTy::Obj), Is(CTy::Int)],
        Is(CTy::Obj),
        false,
    ),
    // the matcher closure over `Received<M>`, whether messages are counted
    (
        "Process.receive_signal",
        "mesh_rt_receive_signal",
        &[Is(CTy::Int), Is(CTy::Obj), Is(CTy::Int)],
        Is(CTy::Obj),
        false,
    ),
    (
        "Process.call_id",
        "mesh_rt_call_id",
        &[Is(CTy::Int)],
        Is(CTy::Int),
        false,
    ),
    (
        "Process.reply",
        "mesh_rt_reply",
        &[Is(CTy::Int), Word, Is(CTy::Int)],
        Is(CTy::Unit),
        false,
    ),
    (
        "Process.job",
        "mesh_rt_job",
        &[Is(CTy::Obj), Is(CTy::Obj)],
        Is(CTy::Int),
        false,
    ),
    (
        "Process.finish_job",
        "mesh_rt_finish_job",
        &[Word, Is(CTy::Int)],
        Is(CTy::Unit),
        false,
    ),
    (
        "Process.await_job",
        "mesh_rt_await_job",
        &[Is(CTy::Int), Is(CTy::Int), Is(CTy::Int)],
        Is(CTy::Obj),
        false,
    ),
    (
        "Process.await_reply",
        "mesh_rt_await_reply",
        &[Is(CTy::Int), Is(CTy::Int)],
        Word,
        false,
    ),
];

/// Runtime functions that report a failure at the user's call (reading the location
/// generated code stores in `mesh_rt_site` before calling them).
pub fn fails_at_call_site(symbol: &str) -> bool {
    matches!(symbol, "mesh_rt_map_get" | "mesh_rt_await_reply")
}

/// The signature of a runtime function by symbol: parameters, result, owns arguments.
pub fn runtime_sig(symbol: &str) -> Option<(Vec<RtTy>, RtTy, bool)> {
    if let Some((_, _, ps, r)) = RUNTIME_LIBRARY.iter().find(|x| x.1 == symbol) {
        return Some((ps.iter().map(|t| Is(*t)).collect(), Is(*r), false));
    }
    COLLECTION_LIBRARY
        .iter()
        .find(|x| x.1 == symbol)
        .map(|(_, _, ps, r, owns)| (ps.to_vec(), *r, *owns))
}

/// The runtime symbol implementing a Mesh library function, if the runtime does.
pub fn runtime_symbol(name: &str) -> Option<&'static str> {
    RUNTIME_LIBRARY
        .iter()
        .find(|e| e.0 == name)
        .map(|e| e.1)
        .or_else(|| COLLECTION_LIBRARY.iter().find(|e| e.0 == name).map(|e| e.1))
}

#[derive(Clone, Debug, PartialEq)]
pub struct Program {
    pub fns: Vec<Fn>,
    /// Name of the function the program starts with (`Main.main`).
    pub entry: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Fn {
    pub name: String,
    pub params: Vec<(String, CTy)>,
    pub ret: CTy,
    pub body: Expr,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub ty: CTy,
    pub span: Span,
}

/// The explicit environment of a converted lambda.
#[derive(Clone, Debug, PartialEq)]
pub struct ClosureEnv {
    /// The closure object, the lifted function's first parameter.
    pub param: String,
    /// The captured locals: the values stored in the object after the code pointer.
    pub captured: Vec<(String, CTy)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// Primitive operations; their operand and result types are fixed (see `Prim::sig`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Prim {
    IAdd,
    ISub,
    IMul,
    /// Truncating division; traps on a zero divisor.
    IDiv,
    /// Remainder with the dividend's sign; traps on a zero divisor.
    IRem,
    INeg,
    FAdd,
    FSub,
    FMul,
    FDiv,
    FRem,
    FNeg,
    ICmp(Cmp),
    FCmp(Cmp),
    BCmp(Cmp),
    SCmp(Cmp),
    BNot,
    StrConcat,
    IntToStr,
    IntToFloat,
    FloatToStr,
    BoolToStr,
    Print,
    Println,
    /// A runtime error with a computed message (the caller follows it with `Fail`).
    Panic,
}

impl Prim {
    /// (operand types, result type).
    pub fn sig(self) -> (&'static [CTy], CTy) {
        use CTy::*;
        use Prim::*;
        match self {
            IAdd | ISub | IMul | IDiv | IRem => (&[Int, Int], Int),
            INeg => (&[Int], Int),
            FAdd | FSub | FMul | FDiv | FRem => (&[Float, Float], Float),
            FNeg => (&[Float], Float),
            ICmp(_) => (&[Int, Int], Bool),
            FCmp(_) => (&[Float, Float], Bool),
            BCmp(_) => (&[Bool, Bool], Bool),
            SCmp(_) => (&[Str, Str], Bool),
            BNot => (&[Bool], Bool),
            StrConcat => (&[Str, Str], Str),
            IntToStr => (&[Int], Str),
            IntToFloat => (&[Int], Float),
            FloatToStr => (&[Float], Str),
            BoolToStr => (&[Bool], Str),
            Print | Println | Panic => (&[Str], Unit),
        }
    }

    pub fn name(self) -> String {
        format!("{self:?}")
            .to_lowercase()
            .replace(['(', ')'], ".")
            .trim_end_matches('.')
            .to_string()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    Unit,
    Var(String),
    /// `let name = value in body`.
    Let(String, Box<Expr>, Box<Expr>),
    /// Evaluate the first for its effects, then the second.
    Seq(Box<Expr>, Box<Expr>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    Call {
        func: String,
        args: Vec<Expr>,
        tail: bool,
    },
    Prim(Prim, Vec<Expr>),
    /// A runtime failure (no clause matched): prints the message and exits non-zero.
    Fail(String),
    /// A new heap object with this tag and these slot values (an `Obj`).
    Alloc {
        tag: u32,
        fields: Vec<Expr>,
    },
    /// Like `Alloc`, in the cell of reuse token `token` (a `Raw` local made by
    /// `mesh_rt_drop_reuse`) when it has one big enough (`reuse-cells`); `fits`: the
    /// token's cell is known to have at least as many slots (no run-time size check).
    Reuse {
        token: String,
        tag: u32,
        fields: Vec<Expr>,
        fits: bool,
    },
    /// Slot `index` of an object; the node's type says how to read the slot.
    Load(Box<Expr>, u32),
    /// The tag of an object (an `Int`).
    Tag(Box<Expr>),
    /// Leaves the function with this value (`return`, `?`); has any type.
    Return(Box<Expr>),
    /// A loop with block arguments: `params` start as `inits`; `Recur` jumps back with
    /// new values, `Exit` (or the body finishing) leaves with the loop's value.
    Loop {
        label: String,
        params: Vec<(String, CTy)>,
        inits: Vec<Expr>,
        body: Box<Expr>,
    },
    /// Next iteration of the enclosing loop `label`; has any type.
    Recur {
        label: String,
        args: Vec<Expr>,
    },
    /// Leaves loop `label` with a value; has any type.
    Exit {
        label: String,
        value: Box<Expr>,
    },
    /// A call of a runtime-library function (`RUNTIME_LIBRARY`), by runtime symbol.
    Runtime(String, Vec<Expr>),
    /// One more reference to a counted local (inserted by `insert-rc`); its value.
    Dup(String),
    /// Gives back the reference held by a counted local, then evaluates the body.
    Drop(String, Box<Expr>),
    /// An anonymous function (an `Obj`: a closure). Before `convert-closures` its body
    /// may use the enclosing function's locals; after it, `env` names the closure
    /// object parameter and `captured` the locals copied into it (in slot order after
    /// the code), which the body reads from the environment. `lift-lambdas` removes it.
    Lambda {
        params: Vec<(String, CTy)>,
        ret: CTy,
        body: Box<Expr>,
        env: Option<ClosureEnv>,
    },
    /// The code address of a function (an `Obj`-sized word), stored in closures.
    FnRef(String),
    /// Calls a closure object: its slot 0 holds the code, which takes the closure
    /// itself (its environment) followed by the arguments.
    CallClosure {
        closure: Box<Expr>,
        args: Vec<Expr>,
        tail: bool,
    },
}

impl Expr {
    /// A local or a literal: evaluating it has no effect and costs nothing.
    pub fn is_atom(&self) -> bool {
        matches!(
            self.kind,
            ExprKind::Var(_)
                | ExprKind::Int(_)
                | ExprKind::Float(_)
                | ExprKind::Bool(_)
                | ExprKind::Str(_)
                | ExprKind::Unit
        )
    }
}

impl crate::Ir for Program {
    const LANG: &'static str = "core";
    fn print(&self) -> String {
        print::print(self)
    }
    fn validate(&self) -> Result<(), Vec<String>> {
        validate::validate(self)
    }
}
