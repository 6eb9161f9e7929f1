# The Ws module (spec 06 §4): WebSockets on tokio-tungstenite (runtime/src/http/ws.rs).

@extern("mesh_rt_ws_serve") pub fn serve(on_connect :: Fun(Int, String, Map<String, String>) -> Int, on_message :: Fun(Int, String) -> (), on_close :: Fun(Int, Int, String) -> (), port :: Int) -> ()
@extern("mesh_rt_ws_serve_tls") pub fn serve_tls(on_connect :: Fun(Int, String, Map<String, String>) -> Int, on_message :: Fun(Int, String) -> (), on_close :: Fun(Int, Int, String) -> (), port :: Int, cert :: String, key :: String) -> ()
@extern("mesh_rt_ws_send") pub fn send(conn :: Int, text :: String) -> Int
@extern("mesh_rt_ws_send_binary") pub fn send_binary(conn :: Int, bytes :: String) -> Int
@extern("mesh_rt_ws_join") pub fn join(conn :: Int, room :: String) -> Int
@extern("mesh_rt_ws_leave") pub fn leave(conn :: Int, room :: String) -> Int
@extern("mesh_rt_ws_broadcast_all") pub fn broadcast(room :: String, text :: String) -> Int
@extern("mesh_rt_ws_broadcast") pub fn broadcast_except(room :: String, text :: String, except :: Int) -> Int
