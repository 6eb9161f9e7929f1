# spec 07 §1: GET /text and GET /json with constant bodies.
fn text(_req :: Request) -> Response do
  HTTP.response_with_headers(200, "Hello, World!\n", %{"Content-Type" => "text/plain"})
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
