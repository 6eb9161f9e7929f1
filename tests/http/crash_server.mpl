# A server whose handlers crash, sleep and echo: used by the e2e test `http_servers`
# (a crash answers 500 and ends only its request; sleeping handlers do not hold up
# the others; bad requests get 4xx or a closed connection, never a crash).

fn boom(_req :: Request) -> Response do
  let xs = [1, 2]
  HTTP.response(200, "#{List.get(xs, 5)}")
end

fn health(_req :: Request) -> Response do
  HTTP.response(200, json { status: "ok" })
end

fn slow(_req :: Request) -> Response do
  Timer.sleep(300)
  HTTP.response(200, "slept")
end

fn size(req :: Request) -> Response do
  HTTP.response(200, "#{String.length(Request.body(req))}")
end

fn main() do
  let app = HTTP.router()
    |> HTTP.on_get("/crash", boom)
    |> HTTP.on_get("/health", health)
    |> HTTP.on_get("/slow", slow)
    |> HTTP.on_post("/size", size)
    |> HTTP.route("/files/*", health)
  HTTP.serve(app, Env.get_int("PORT", 8095))
end
