# HTTPS (spec 06 §1.1 `HTTP.serve_tls`): used by the e2e test `https_server`.
fn hello(_req :: Request) -> Response do
  HTTP.response(200, json { secure: true })
end

fn main() do
  let app = HTTP.router() |> HTTP.on_get("/", hello)
  HTTP.serve_tls(app, Env.get_int("PORT", 8443), Env.get("CERT", "cert.pem"), Env.get("KEY", "key.pem"))
end
