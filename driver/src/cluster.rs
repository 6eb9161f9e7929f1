//! `mesh cluster status | continuity | diagnostics` (spec 05 §14; `meshc` is the same
//! program): one transient TLS connection to a node's cluster port, authenticated with
//! the cookie as `mesh-operator-query@127.0.0.1:1`, one query, the reply printed as
//! JSON (`--json`, 2-space indent) or text. It never joins the cluster.

use mesh_wire::frame::{read_frame, Frame, In, FRAME_LIMIT, OPERATOR_CLIENT, OPERATOR_QUERY};
use serde_json::Value;
use std::time::Duration;

pub struct Query {
    pub target: String,
    /// `status`, `continuity_lookup`, `continuity_list` or `diagnostics`.
    pub kind: &'static str,
    pub key: String,
    pub limit: Option<u32>,
    pub cookie: Option<String>,
    pub timeout_ms: u64,
    pub json: bool,
}

/// The cookie: `--cookie`, else `MESH_CLUSTER_COOKIE`.
fn cookie(flag: Option<String>) -> Result<String, String> {
    match flag {
        Some(c) if c.trim().is_empty() => Err("meshc cluster: --cookie must not be blank".into()),
        Some(c) => Ok(c),
        None => match std::env::var("MESH_CLUSTER_COOKIE") {
            Ok(c) if c.trim().is_empty() => {
                Err("meshc cluster: MESH_CLUSTER_COOKIE must not be blank".into())
            }
            Ok(c) => Ok(c.trim().to_string()),
            Err(_) => Err(
                "meshc cluster: MESH_CLUSTER_COOKIE is required unless --cookie is provided".into(),
            ),
        },
    }
}

enum Failure {
    Unavailable(String),
    Rejected(String),
    Decode(String),
}

async fn ask(q: &Query, cookie: &str) -> Result<Value, Failure> {
    let t = mesh_wire::name::parse(&q.target)
        .map_err(|why| Failure::Unavailable(format!("invalid target: {why}")))?;
    let addr = t.addr();
    let sock = tokio::net::TcpStream::connect(&addr)
        .await
        .map_err(|e| Failure::Unavailable(format!("connect to {addr} failed: {e}")))?;
    let _ = sock.set_nodelay(true);
    let tls = tokio_rustls::TlsConnector::from(std::sync::Arc::new(
        mesh_wire::handshake::client_config(),
    ));
    let sni = rustls::pki_types::ServerName::try_from("mesh-node").expect("a DNS name");
    let handshake =
        |why: String| Failure::Unavailable(format!("handshake with {addr} failed: {why}"));
    let mut s = tls
        .connect(sni, sock)
        .await
        .map_err(|e| handshake(e.to_string()))?;
    mesh_wire::handshake::client(&mut s, OPERATOR_CLIENT, cookie.as_bytes())
        .await
        .map_err(handshake)?;
    let f = Frame::new(OPERATOR_QUERY)
        .str16(q.kind)
        .str16(&q.key)
        .u32(q.limit.unwrap_or(0))
        .done();
    use tokio::io::AsyncWriteExt;
    s.write_all(&f)
        .await
        .map_err(|e| Failure::Unavailable(e.to_string()))?;
    s.flush()
        .await
        .map_err(|e| Failure::Unavailable(e.to_string()))?;
    let reply = read_frame(&mut s, FRAME_LIMIT)
        .await
        .map_err(|why| Failure::Unavailable(format!("the node closed the connection: {why}")))?;
    let mut r = In { b: &reply, i: 0 };
    let _tag = r.u8();
    match r.u8() {
        Some(0) => {
            let body = r
                .bytes32()
                .ok_or(Failure::Decode("truncated reply".into()))?;
            serde_json::from_slice(body).map_err(|e| Failure::Decode(e.to_string()))
        }
        Some(_) => Err(Failure::Rejected(
            r.str16().unwrap_or("malformed reply").to_string(),
        )),
        None => Err(Failure::Decode("empty reply".into())),
    }
}

/// Runs the query and prints the answer; the exit status.
pub fn run(q: Query) -> Result<i32, String> {
    let fail = |m: String| Err(format!("error: {m}"));
    if q.kind == "continuity_lookup" && q.limit.is_some() {
        return fail(
            "meshc cluster continuity does not accept --limit when request_key is provided".into(),
        );
    }
    let cookie = match cookie(q.cookie.clone()) {
        Ok(c) => c,
        Err(m) => return fail(m),
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let what = format!("operator query {} target {}", q.kind, q.target);
    let answer = rt.block_on(async {
        tokio::time::timeout(Duration::from_millis(q.timeout_ms), ask(&q, &cookie)).await
    });
    let mut v = match answer {
        Err(_) => return fail(format!("{what} timed out after {}ms", q.timeout_ms)),
        Ok(Err(Failure::Unavailable(why))) => return fail(format!("{what} unavailable: {why}")),
        Ok(Err(Failure::Rejected(why))) => return fail(format!("{what} rejected: {why}")),
        Ok(Err(Failure::Decode(why))) => return fail(format!("{what} decode failed: {why}")),
        Ok(Ok(v)) => v,
    };
    if let Value::Object(m) = &mut v {
        m.insert("target".into(), Value::String(q.target.clone()));
    }
    if q.json {
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        print!("{}", text(q.kind, &v));
    }
    Ok(0)
}

fn word(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn list(out: &mut String, v: &Value) {
    match v.as_array() {
        Some(a) if !a.is_empty() => {
            for x in a {
                out.push_str(&format!("  - {}\n", word(x)));
            }
        }
        _ => out.push_str("  - (none)\n"),
    }
}

/// The text forms of §14.1–§14.3.
fn text(kind: &str, v: &Value) -> String {
    let mut out = String::new();
    let line = |out: &mut String, k: &str, x: &Value| out.push_str(&format!("{k}: {}\n", word(x)));
    match kind {
        "status" => {
            line(&mut out, "target", &v["target"]);
            let m = &v["membership"];
            line(&mut out, "local_node", &m["local_node"]);
            out.push_str("peer_nodes:\n");
            list(&mut out, &m["peer_nodes"]);
            out.push_str("nodes:\n");
            list(&mut out, &m["nodes"]);
            for k in ["cluster_role", "promotion_epoch", "replication_health"] {
                line(&mut out, k, &v["authority"][k]);
            }
        }
        "continuity_lookup" => {
            let r = &v["record"];
            for k in [
                "request_key",
                "attempt_id",
                "phase",
                "result",
                "ingress_node",
                "owner_node",
                "replica_node",
                "replication_count",
                "execution_node",
                "declared_handler_runtime_name",
                "replica_status",
                "cluster_role",
                "promotion_epoch",
                "replication_health",
                "routed_remotely",
                "fell_back_locally",
                "error",
            ] {
                line(&mut out, k, &r[k]);
            }
        }
        "continuity_list" => {
            for k in ["target", "total_records", "truncated"] {
                line(&mut out, k, &v[k]);
            }
            let records = v["records"].as_array().cloned().unwrap_or_default();
            if records.is_empty() {
                out.push_str("records: (none)\n");
            } else {
                out.push_str("records:\n");
                for r in &records {
                    let f = |k: &str| word(&r[k]);
                    out.push_str(&format!(
                        "- request_key={} attempt_id={} phase={} result={} owner={} replica={} replication_count={} execution={} declared_handler_runtime_name={} replica_status={} cluster_role={} promotion_epoch={} replication_health={} error={}\n",
                        f("request_key"), f("attempt_id"), f("phase"), f("result"), f("owner_node"), f("replica_node"),
                        f("replication_count"), f("execution_node"), f("declared_handler_runtime_name"), f("replica_status"),
                        f("cluster_role"), f("promotion_epoch"), f("replication_health"), f("error")
                    ));
                }
            }
        }
        _ => {
            for k in [
                "target",
                "total_entries",
                "dropped_entries",
                "buffer_capacity",
                "truncated",
            ] {
                line(&mut out, k, &v[k]);
            }
            for e in v["entries"].as_array().cloned().unwrap_or_default() {
                let f = |k: &str| word(&e[k]);
                out.push_str(&format!(
                    "- seq={} transition={} request_key={} attempt_id={} owner={} replica={} execution={} cluster_role={} promotion_epoch={} replication_health={} replica_status={} reason={}\n",
                    f("sequence"), f("transition"), f("request_key"), f("attempt_id"), f("owner_node"), f("replica_node"),
                    f("execution_node"), f("cluster_role"), f("promotion_epoch"), f("replication_health"), f("replica_status"), f("reason")
                ));
                for m in e["metadata"].as_array().cloned().unwrap_or_default() {
                    out.push_str(&format!("    {}={}\n", word(&m["key"]), word(&m["value"])));
                }
            }
        }
    }
    out
}
