# spec 07 §1.1: GET /text and GET /json, each handler returning
# `HTTP.response(200, <constant string>)` (so /text, like the reference's, answers with
# the default JSON content type and no trailing newline).
fn text(_req :: Request) -> Response do
  HTTP.response(200, "Hello, World!")
end

fn json_hello(_req :: Request) -> Response do
  HTTP.response(200, "{\"message\":\"Hello, World!\"}")
end

fn main() do
  let app = HTTP.router()
    |> HTTP.on_get("/text", text)
    |> HTTP.on_get("/json", json_hello)
  HTTP.serve(app, Env.get_int("PORT", 3000))
end
