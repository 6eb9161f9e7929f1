# Http.stream against the program's own server: a 40,000-byte body arrives in pieces
# of at most 8 KiB, in order, in a process of its own; a second stream stops itself
# after its first piece; a failed request gives handle 0. Used by the e2e test
# `http_client_example`.

fn big(_req :: Request) -> Response do
  HTTP.response(200, String.join(List.map(List.range(0, 4000), fn(_) -> "abcdefghij" end), ""))
end

service Tally do
  fn init() -> (Int, Int) do
    (0, 0)
  end

  call add(n :: Int) :: Int do |state|
    case state do
      (pieces, bytes) -> ((pieces + 1, bytes + n), pieces + 1)
    end
  end

  call total() :: (Int, Int) do |state|
    (state, state)
  end
end

actor probe(base :: String) do
  Timer.sleep(200)
  let tally = Tally.start()
  let h = Http.stream(Http.build(:get, base <> "/big"), fn(piece) ->
    let _ = Tally.add(tally, String.length(piece))
    if String.length(piece) > 8192 do "stop" else "more" end
  end)
  println("handle: ${h > 0}")
  Timer.sleep(500)
  case Tally.total(tally) do
    (pieces, bytes) -> println("streamed ${bytes} bytes, more than 4 pieces: ${pieces > 4}")
  end
  let once = Tally.start()
  let h2 = Http.stream(Http.build(:get, base <> "/big"), fn(piece) ->
    let _ = Tally.add(once, String.length(piece))
    "stop"
  end)
  Timer.sleep(300)
  Http.cancel(h2)
  case Tally.total(once) do
    (pieces, _) -> println("stopped after ${pieces} piece")
  end
  println("failed: ${Http.stream(Http.build(:get, "http://127.0.0.1:1/"), fn(p) -> p end)}")
  println("done")
end

fn main() do
  let port = Env.get_int("PORT", 8098)
  spawn(probe, "http://127.0.0.1:#{port}")
  HTTP.serve(HTTP.router() |> HTTP.on_get("/big", big), port)
end
