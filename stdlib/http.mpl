# The HTTP router (spec 06 §1): routes in registration order, middleware, and the
# dispatch that `serve` hands to the runtime (runtime/src/http), which runs it for every
# request in a process of its own. Matching tiers: exact patterns, then patterns with
# `:name` segments (same number of non-empty segments), then `/*` prefixes; a route
# whose method differs is skipped; no match is 404 `Not Found` (after the middleware).

# A route: method ("" for any), tier (0 exact, 1 `:param`, 2 `/*` prefix), the pattern
# (for a prefix route: without its `/*`), the pattern's segments (parameterised routes)
# and the handler. Tiers and segments are worked out once, when the route is added.
pub type Route do
  RouteOf(String, Int, String, List<String>, Fun(Request) -> Response)
end

pub type Router do
  RouterOf(List<Route>, List<Fun(Request, Fun(Request) -> Response) -> Response>)
end

# A router with no routes.
pub fn router() -> Router = RouterOf([], [])

fn add(r :: Router, method :: String, pattern :: String, h :: Fun(Request) -> Response) -> Router do
  case r do
    RouterOf(routes, mws) -> RouterOf(List.append(routes, route_of(method, pattern, h)), mws)
  end
end

# A route for any method.
pub fn route(r :: Router, pattern :: String, h :: Fun(Request) -> Response) -> Router = add(r, "", pattern, h)

pub fn on_get(r :: Router, pattern :: String, h :: Fun(Request) -> Response) -> Router = add(r, "GET", pattern, h)

pub fn on_post(r :: Router, pattern :: String, h :: Fun(Request) -> Response) -> Router = add(r, "POST", pattern, h)

pub fn on_put(r :: Router, pattern :: String, h :: Fun(Request) -> Response) -> Router = add(r, "PUT", pattern, h)

pub fn on_delete(r :: Router, pattern :: String, h :: Fun(Request) -> Response) -> Router = add(r, "DELETE", pattern, h)

pub fn on_patch(r :: Router, pattern :: String, h :: Fun(Request) -> Response) -> Router = add(r, "PATCH", pattern, h)

# Appends a middleware: `fn(request, next) -> Response`, outermost first.
pub fn use(r :: Router, mw :: Fun(Request, Fun(Request) -> Response) -> Response) -> Router do
  case r do
    RouterOf(routes, mws) -> RouterOf(routes, List.append(mws, mw))
  end
end

# `HTTP.clustered(h)` / `HTTP.clustered(N, h)` in a route's handler position become
# `clustered_route("<Module>.h", N, h)` (`lower-cluster`): `h` is registered under its
# runtime name on every node that builds the router, and each request is answered
# through the continuity registry on its placement owner (spec 05 §11.3).
pub fn clustered_route(name :: String, count :: Int, h :: Fun(Request) -> Response) -> Fun(Request) -> Response do
  declare_clustered(name, h)
  fn(req) -> clustered_call(name, count, req) end
end
@extern("mesh_rt_http_declare_clustered") fn declare_clustered(name :: String, h :: Fun(Request) -> Response) -> ()
@extern("mesh_rt_http_clustered_call") fn clustered_call(name :: String, count :: Int, req :: Request) -> Response

# A response with the default headers (`Content-Type: application/json`).
pub fn response(status :: Int, body :: String) -> Response = Response.plain(status, body)

# A response with extra headers (a `Content-Type` among them replaces the default).
pub fn response_with_headers(status :: Int, body :: String, headers :: Map<String, String>) -> Response = Response.make(status, body, headers)

# Serves `r` on `[::]:port` for ever (returns only when it cannot listen).
pub fn serve(r :: Router, port :: Int) = Http.serve_handler(fn(req) -> dispatch(r, req) end, port)

# As `serve`, over TLS 1.2/1.3 with a PEM certificate chain and private key.
pub fn serve_tls(r :: Router, port :: Int, cert :: String, key :: String) = Http.serve_tls_handler(fn(req) -> dispatch(r, req) end, port, cert, key)

fn dispatch(r :: Router, req :: Request) -> Response do
  case r do
    RouterOf(routes, mws) -> through(mws, req, fn(q) -> handle(routes, q) end)
  end
end

fn through(mws :: List<Fun(Request, Fun(Request) -> Response) -> Response>, req :: Request, last :: Fun(Request) -> Response) -> Response do
  case mws do
    mw :: rest -> mw(req, fn(q) -> through(rest, q, last) end)
    _ -> last(req)
  end
end

fn handle(routes :: List<Route>, req :: Request) -> Response do
  let method = Request.method(req)
  let path = Request.path(req)
  case exact(routes, method, path) do
    Some(h) -> h(req)
    None -> case param(routes, method, segments(path)) do
      Some((h, names, values)) -> h(Request.with_params(req, names, values))
      None -> case wild(routes, method, path) do
        Some(h) -> h(req)
        None -> response(404, "Not Found")
      end
    end
  end
end

fn route_of(method :: String, pattern :: String, h :: Fun(Request) -> Response) -> Route do
  if is_wild(pattern) do
    RouteOf(method, 2, String.slice(pattern, 0, String.length(pattern) - 2), [], h)
  else
    if is_param(pattern) do
      RouteOf(method, 1, pattern, segments(pattern), h)
    else
      RouteOf(method, 0, pattern, [], h)
    end
  end
end

fn method_ok(want :: String, got :: String) -> Bool = want == "" || want == got

fn is_wild(p :: String) -> Bool = String.ends_with(p, "/*")

fn is_param(p :: String) -> Bool = String.contains(p, ":")

fn segments(path :: String) -> List<String> = List.filter(String.split(path, "/"), fn(s) -> s != "" end)

fn exact(routes :: List<Route>, method :: String, path :: String) -> Option<Fun(Request) -> Response> do
  case routes do
    RouteOf(m, tier, p, _, h) :: rest -> if tier == 0 && p == path && method_ok(m, method) do
      Some(h)
    else
      exact(rest, method, path)
    end
    _ -> None
  end
end

fn param(routes :: List<Route>, method :: String, segs :: List<String>) -> Option<(Fun(Request) -> Response, List<String>, List<String>)> do
  case routes do
    RouteOf(m, tier, _, pat, h) :: rest -> if tier == 1 && method_ok(m, method) do
      case bind(pat, segs, [], []) do
        Some((names, values)) -> Some((h, names, values))
        None -> param(rest, method, segs)
      end
    else
      param(rest, method, segs)
    end
    _ -> None
  end
end

# Matches pattern segments against path segments, collecting `:name` captures.
fn bind(pat :: List<String>, segs :: List<String>, names :: List<String>, values :: List<String>) -> Option<(List<String>, List<String>)> do
  case (pat, segs) do
    (p :: ps, s :: ss) -> if String.starts_with(p, ":") do
      bind(ps, ss, Cons(String.slice(p, 1, String.length(p)), names), Cons(s, values))
    else
      if p == s do
        bind(ps, ss, names, values)
      else
        None
      end
    end
    (_ :: _, _) -> None
    (_, _ :: _) -> None
    _ -> Some((names, values))
  end
end

fn wild(routes :: List<Route>, method :: String, path :: String) -> Option<Fun(Request) -> Response> do
  case routes do
    RouteOf(m, tier, prefix, _, h) :: rest -> if tier == 2 && method_ok(m, method) && under(prefix, path) do
      Some(h)
    else
      wild(rest, method, path)
    end
    _ -> None
  end
end

fn under(prefix :: String, path :: String) -> Bool = prefix == "" || path == prefix || String.starts_with(path, prefix <> "/")

# Legacy client helpers (spec 06 §3): the body of a 2xx answer, else
# `Err("http status: <code>")` or the transport error.
pub fn get(url :: String) -> Result<String, String> = body_of(Http.send(Http.build(:get, url)))

pub fn post(url :: String, body :: String) -> Result<String, String> = body_of(Http.send(Http.json(Http.build(:post, url), body)))

fn body_of(r :: Result<HttpResponse, String>) -> Result<String, String> do
  case r do
    Ok(resp) -> if resp.status >= 200 && resp.status < 300 do
      Ok(resp.body)
    else
      Err("http status: #{resp.status}")
    end
    Err(e) -> Err(e)
  end
end
