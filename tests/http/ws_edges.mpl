# WebSocket edge cases (spec 06 §4): binary frames out (`Ws.send_binary`), `on_close`
# hearing `1000, ""` however a connection ends, and a crashing callback (close 1011,
# then `on_close(conn, 1011, "internal error")`). Used by the e2e test
# `websocket_close_codes_and_binary`.
fn on_connect(_conn :: Int, path :: String, _headers :: Map<String, String>) -> Int do
  println("[ws] connected path=#{path}")
  1
end

fn on_message(conn :: Int, text :: String) do
  if text == "crash" do
    let xs = [1]
    println("unreachable #{List.get(xs, 3)}")
  else
    let n = Ws.send_binary(conn, text)
    println("[ws] sent binary #{String.length(text)} status=#{n}")
  end
end

fn on_close(_conn :: Int, code :: Int, reason :: String) do
  println("[ws] closed code=#{code} reason=#{reason}")
end

actor keep_alive() do
  Timer.sleep(1000)
  keep_alive()
end

fn main() do
  Ws.serve(on_connect, on_message, on_close, Env.get_int("WS_PORT", 9301))
  let _ = spawn(keep_alive)
end
