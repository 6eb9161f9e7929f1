# The Http module (spec 06 §3): the HTTP client (runtime/src/http/client.rs, on reqwest),
# and the server loop the router hands its dispatch to (runtime/src/http).

@extern("mesh_rt_http_build") pub fn build(method :: Atom, url :: String) -> Int
@extern("mesh_rt_http_header") pub fn header(req :: Int, name :: String, value :: String) -> Int
@extern("mesh_rt_http_query") pub fn query(req :: Int, name :: String, value :: String) -> Int
@extern("mesh_rt_http_body") pub fn body(req :: Int, text :: String) -> Int
@extern("mesh_rt_http_json") pub fn json(req :: Int, text :: String) -> Int
@extern("mesh_rt_http_timeout") pub fn timeout(req :: Int, ms :: Int) -> Int
# Any status is `Ok`; transport errors are `Err`.
@extern("mesh_rt_http_send") pub fn send(req :: Int) -> Result<HttpResponse, String>
@extern("mesh_rt_http_client") pub fn client() -> Int
@extern("mesh_rt_http_send_with") pub fn send_with(client :: Int, req :: Int) -> Result<HttpResponse, String>
@extern("mesh_rt_http_client_close") pub fn client_close(client :: Int) -> ()
# The body in pieces of at most 8 KiB to `f`, in a process of its own (decision 40).
@extern("mesh_rt_http_stream") pub fn stream(req :: Int, f :: Fun(String) -> String) -> Int
@extern("mesh_rt_http_stream") pub fn stream_bytes(req :: Int, f :: Fun(String) -> String) -> Int
@extern("mesh_rt_http_cancel") pub fn cancel(handle :: Int) -> ()
@extern("mesh_rt_http_serve") pub fn serve_handler(handler :: Fun(Request) -> Response, port :: Int) -> ()
@extern("mesh_rt_https_serve") pub fn serve_tls_handler(handler :: Fun(Request) -> Response, port :: Int, cert :: String, key :: String) -> ()
