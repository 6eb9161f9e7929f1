# WebSockets over TLS (spec 06 §4 `Ws.serve_tls`): used by the e2e test
# `websocket_pings_and_tls`.
fn on_connect(_conn :: Int, path :: String, _headers :: Map<String, String>) -> Int do
  println("[wss] connected path=#{path}")
  1
end

fn on_message(conn :: Int, text :: String) do
  let _ = Ws.send(conn, "secure echo: " <> text)
end

fn on_close(_conn :: Int, code :: Int, reason :: String) do
  println("[wss] closed code=#{code} reason=#{reason}")
end

actor keep_alive() do
  Timer.sleep(1000)
  keep_alive()
end

fn main() do
  Ws.serve_tls(on_connect, on_message, on_close, Env.get_int("PORT", 9443), Env.get("CERT", "cert.pem"), Env.get("KEY", "key.pem"))
  let _ = spawn(keep_alive)
end
