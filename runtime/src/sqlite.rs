//! SQLite (spec 06 §5) on sqlx: `Sqlite.open/close/execute/query/begin/commit/rollback`.
//! A connection is a foreign cell holding a shared handle (a copy sent to another
//! process is the same connection: SQLite's serialized mode, spec 06 §5). Every call
//! runs through `process::await_future`, so the calling process waits without holding up its
//! worker (sqlx drives SQLite on a thread of its own per connection). Parameters are
//! bound as TEXT; values come back as text (NULL as `""`); errors are SQLite's own
//! messages. Paper: `papers/sqlite.md`.

use crate::library::{err, ok_cell, ok_word, string_list};
use crate::memory::{foreign, foreign_cell, Foreign};
use crate::process::await_future;
use crate::strings::{as_bytes, as_str};
use sqlx::sqlite::{SqliteConnectOptions, SqliteConnection, SqliteRow};
use sqlx::{Column, ConnectOptions, Connection, Row, ValueRef};
use std::sync::Arc;

/// A connection; `None` once closed.
#[derive(Clone)]
pub struct Conn(Arc<tokio::sync::Mutex<Option<SqliteConnection>>>);

impl Foreign for Conn {
    fn deep_copy(&self) -> Self {
        self.clone()
    }
}

/// SQLite's message for a database error (`sqlite3_errmsg`), else sqlx's.
fn message(e: sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(d) => d.message().to_string(),
        e => e.to_string(),
    }
}

/// `Sqlite.open(path)`: opens or creates the database (`":memory:"`: in memory).
///
/// # Safety
/// `path` is a live string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_sqlite_open(path: *const u8) -> *mut u8 {
    let path = unsafe { as_str(path) }.to_string();
    if path.contains('\0') {
        return err("path contains null byte");
    }
    let options = if path == ":memory:" {
        SqliteConnectOptions::new().in_memory(true)
    } else {
        SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
    };
    match await_future(async move { options.connect().await }) {
        Ok(c) => ok_cell(foreign_cell(Conn(Arc::new(tokio::sync::Mutex::new(Some(
            c,
        )))))),
        Err(e) => err(&message(e)),
    }
}

/// # Safety
/// `c` is a live connection cell.
unsafe fn conn(c: *const u8) -> Conn {
    unsafe { foreign::<Conn>(c) }.clone()
}

/// `Sqlite.close(conn)`: later use of the connection is an error (`connection closed`).
///
/// # Safety
/// `c` is a live connection cell.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_sqlite_close(c: *const u8) {
    let c = unsafe { conn(c) };
    await_future(async move {
        if let Some(c) = c.0.lock().await.take() {
            let _ = c.close().await;
        }
    })
}

/// The statement and its parameters, or the spec's error for a NUL byte.
///
/// # Safety
/// `sql` is a live string and `params` a live list of strings.
unsafe fn statement(sql: *const u8, params: *const u8) -> Result<(String, Vec<String>), String> {
    let sql = unsafe { as_bytes(sql) };
    if sql.contains(&0) {
        return Err("SQL contains null byte".into());
    }
    let params = unsafe { string_list(params) };
    if params.iter().any(|p| p.contains('\0')) {
        return Err("parameter contains null byte".into());
    }
    Ok((String::from_utf8_lossy(sql).into_owned(), params))
}

/// Runs `sql` with its parameters bound as text.
async fn run(
    c: Conn,
    sql: String,
    params: Vec<String>,
    rows: bool,
) -> Result<(u64, Vec<SqliteRow>), String> {
    let mut guard = c.0.lock().await;
    let Some(db) = guard.as_mut() else {
        return Err("connection closed".into());
    };
    let mut q = sqlx::query(&sql);
    for p in params {
        q = q.bind(p);
    }
    if rows {
        q.fetch_all(db).await.map(|r| (0, r)).map_err(message)
    } else {
        q.execute(db)
            .await
            .map(|r| (r.rows_affected(), Vec::new()))
            .map_err(message)
    }
}

/// Runs the statement `stmt` on the connection cell `c`, the calling process waiting.
///
/// # Safety
/// `c` is a live connection cell.
unsafe fn perform(
    c: *const u8,
    stmt: Result<(String, Vec<String>), String>,
    rows: bool,
) -> Result<(u64, Vec<SqliteRow>), String> {
    let c = unsafe { conn(c) };
    let (sql, params) = stmt?;
    await_future(run(c, sql, params, rows))
}

/// `Sqlite.execute(conn, sql, params)`: `Ok(rows changed)`.
///
/// # Safety
/// `c` is a live connection cell, `sql` a live string, `params` a live list of strings.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_sqlite_execute(
    c: *const u8,
    sql: *const u8,
    params: *const u8,
) -> *mut u8 {
    match unsafe { perform(c, statement(sql, params), false) } {
        Ok((n, _)) => ok_word(n),
        Err(e) => err(&e),
    }
}

/// A value as text: numbers in SQLite's text form, NULL as `""`.
fn text(row: &SqliteRow, i: usize) -> String {
    match row.try_get_raw(i) {
        Ok(v) if !v.is_null() => row
            .try_get_unchecked::<Vec<u8>, _>(i)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// `Sqlite.query(conn, sql, params)`: `Ok(rows)`, each a map from column name to text.
///
/// # Safety
/// As `mesh_rt_sqlite_execute`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_sqlite_query(
    c: *const u8,
    sql: *const u8,
    params: *const u8,
) -> *mut u8 {
    match unsafe { perform(c, statement(sql, params), true) } {
        Ok((_, rows)) => ok_cell(crate::library::list(
            rows.iter()
                .map(|row| {
                    let pairs: Vec<(String, String)> = row
                        .columns()
                        .iter()
                        .map(|col| (col.name().to_string(), text(row, col.ordinal())))
                        .collect();
                    crate::map::string_map(&pairs)
                })
                .collect(),
            true,
        )),
        Err(e) => err(&e),
    }
}

/// `BEGIN`, `COMMIT` or `ROLLBACK`: `Ok(())`.
unsafe fn plain(c: *const u8, sql: &str) -> *mut u8 {
    match unsafe { perform(c, Ok((sql.to_string(), Vec::new())), false) } {
        Ok(_) => ok_word(0),
        Err(e) => err(&e),
    }
}

/// `Sqlite.begin(conn)`.
///
/// # Safety
/// `c` is a live connection cell (also for `commit` and `rollback`).
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_sqlite_begin(c: *const u8) -> *mut u8 {
    unsafe { plain(c, "BEGIN") }
}

/// `Sqlite.commit(conn)`.
///
/// # Safety
/// As `mesh_rt_sqlite_begin`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_sqlite_commit(c: *const u8) -> *mut u8 {
    unsafe { plain(c, "COMMIT") }
}

/// `Sqlite.rollback(conn)`.
///
/// # Safety
/// As `mesh_rt_sqlite_begin`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn mesh_rt_sqlite_rollback(c: *const u8) -> *mut u8 {
    unsafe { plain(c, "ROLLBACK") }
}
