# The Sqlite module (spec 06 §5) on sqlx: parameters bound as text, values back as text;
# a call suspends only the calling process.

@extern("mesh_rt_sqlite_open") pub fn open(path :: String) -> Result<SqliteConn, String>
@extern("mesh_rt_sqlite_close") pub fn close(conn :: SqliteConn) -> ()
@extern("mesh_rt_sqlite_execute") pub fn execute(conn :: SqliteConn, sql :: String, params :: List<String>) -> Result<Int, String>
@extern("mesh_rt_sqlite_query") pub fn query(conn :: SqliteConn, sql :: String, params :: List<String>) -> Result<List<Map<String, String>>, String>
@extern("mesh_rt_sqlite_begin") pub fn begin(conn :: SqliteConn) -> Result<(), String>
@extern("mesh_rt_sqlite_commit") pub fn commit(conn :: SqliteConn) -> Result<(), String>
@extern("mesh_rt_sqlite_rollback") pub fn rollback(conn :: SqliteConn) -> Result<(), String>
