# The server of the hostile-client suite (driver/tests/hostile.rs): small and large
# bodies, a slow handler, an upload, and every request accessor (path parameters,
# query strings, headers, method, path) so that arbitrary requests reach them all.

fn text(_req :: Request) -> Response do
  HTTP.response(200, "Hello, World!")
end

fn slow(_req :: Request) -> Response do
  Timer.sleep(200)
  HTTP.response(200, "slept")
end

fn upload(req :: Request) -> Response do
  HTTP.response(200, "#{String.length(Request.body(req))}")
end

fn show(v :: Option<String>) -> String do
  case v do
    Some(s) -> "[#{s}]"
    None -> "-"
  end
end

fn inspect(req :: Request) -> Response do
  let parts = [
    Request.method(req),
    Request.path(req),
    show(Request.param(req, "id")),
    show(Request.query(req, "q")),
    show(Request.header(req, "X-Probe")),
    "#{String.length(Request.body(req))}"
  ]
  HTTP.response(200, String.join(parts, " "))
end

# 2^n copies of a 64-byte line.
fn doubled(s :: String, n :: Int) -> String do
  if n == 0 do
    s
  else
    doubled(s <> s, n - 1)
  end
end

fn main() do
  let big = doubled("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n", 16)
  let app = HTTP.router()
    |> HTTP.on_get("/text", text)
    |> HTTP.on_get("/big", fn(_req) -> HTTP.response(200, big) end)
    |> HTTP.on_get("/slow", slow)
    |> HTTP.on_post("/upload", upload)
    |> HTTP.route("/users/:id", inspect)
    |> HTTP.route("/users/:id/items/:item", inspect)
    |> HTTP.route("/files/*", inspect)
    |> HTTP.route("/inspect", inspect)
  HTTP.serve(app, Env.get_int("PORT", 8096))
end
