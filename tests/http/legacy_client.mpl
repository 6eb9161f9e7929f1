# The legacy client helpers HTTP.get / HTTP.post, and a client pool (Http.client /
# send_with / client_close), against the program's own server: used by the e2e test
# `http_client_example`.

fn hello(_req :: Request) -> Response do
  HTTP.response(200, "hi")
end

fn missing(_req :: Request) -> Response do
  HTTP.response(404, "no")
end

fn echo(req :: Request) -> Response do
  HTTP.response(200, Request.body(req))
end

# A handler that is itself a client (its process waits for the answer).
fn via(_req :: Request) -> Response do
  case HTTP.get("http://127.0.0.1:#{Env.get_int("PORT", 8097)}/hello") do
    Ok(body) -> HTTP.response(200, "via " <> body)
    Err(e) -> HTTP.response(502, e)
  end
end

fn show(label :: String, r :: Result<String, String>) do
  case r do
    Ok(body) -> println("#{label}: ok #{body}")
    Err(e) -> println("#{label}: error #{e}")
  end
end

actor probe(base :: String) do
  Timer.sleep(200)
  show("get", HTTP.get(base <> "/hello"))
  show("get 404", HTTP.get(base <> "/missing"))
  show("post", HTTP.post(base <> "/echo", "{\"a\":1}"))
  show("handler get", HTTP.get(base <> "/via"))
  let client = Http.client()
  let statuses = List.map(List.range(0, 20), fn(i) ->
    case Http.send_with(client, Http.build(:get, base <> "/hello")) do
      Ok(r) -> r.status
      Err(_) -> 0
    end
  end)
  println("pool: ${List.length(List.filter(statuses, fn(s) -> s == 200 end))} of 20")
  Http.client_close(client)
  case Http.send_with(client, Http.build(:get, base <> "/hello")) do
    Ok(_) -> println("closed pool: answered")
    Err(e) -> println("closed pool: ${e}")
  end
  println("done")
end

fn main() do
  let port = Env.get_int("PORT", 8097)
  spawn(probe, "http://127.0.0.1:#{port}")
  let app = HTTP.router()
    |> HTTP.on_get("/hello", hello)
    |> HTTP.on_get("/missing", missing)
    |> HTTP.on_post("/echo", echo)
    |> HTTP.on_get("/via", via)
  HTTP.serve(app, port)
end
