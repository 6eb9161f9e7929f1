# HTTP.clustered's static rules (spec 05 §11.1) and Continuity.promote (§12.3).
from Nope import remote_handler

pub fn handle(_req :: Request) -> Response do
  HTTP.response(200, "ok")
end

fn hidden(_req :: Request) -> Response do
  HTTP.response(200, "hidden")
end

pub fn wrong(x :: Int) -> Int do
  x
end

fn main() do
  let app = HTTP.router()
    |> HTTP.on_get("/a", HTTP.clustered(1, handle))
    |> HTTP.on_get("/b", HTTP.clustered(2, handle))
    |> HTTP.on_get("/c", HTTP.clustered(fn(r) -> handle(r) end))
    |> HTTP.on_get("/d", HTTP.clustered(hidden))
    |> HTTP.on_get("/e", HTTP.clustered(0, handle))
    |> HTTP.on_get("/f", HTTP.clustered(remote_handler))
    |> HTTP.on_get("/g", HTTP.clustered(wrong))
    |> HTTP.on_get("/h", HTTP.clustered(1, 2, handle))
  let h = HTTP.clustered(handle)
  Continuity.promote()
  HTTP.serve(app, 8080)
end
