//! `Node.start_from_env()` (spec 05 §3): the runtime-owned bootstrap. It reads the
//! environment, decides standalone or cluster, validates fail-closed with the spec's
//! messages, and starts the node (which starts DNS discovery, `discovery.rs`).

use crate::library::{err, obj};
use crate::strings::new_str;

/// What the environment asks for.
#[derive(Debug, PartialEq)]
pub enum Plan {
    Standalone {
        port: u16,
    },
    Cluster {
        name: String,
        cookie: String,
        port: u16,
        seed: String,
    },
}

/// The default cluster port.
pub const CLUSTER_PORT: u16 = 4370;

/// Reads a variable: `None` when unset, an error when it is not UTF-8.
fn var(name: &str) -> Result<Option<String>, String> {
    match std::env::var_os(name) {
        None => Ok(None),
        Some(v) => v
            .into_string()
            .map(Some)
            .map_err(|_| format!("{name} must be valid UTF-8")),
    }
}

/// The plan from an environment (`get` reads one variable) and the system hostname
/// (asked for only on the hostname identity path).
pub fn plan(
    get: &dyn Fn(&str) -> Result<Option<String>, String>,
    hostname: &dyn Fn() -> Result<String, String>,
) -> Result<Plan, String> {
    let trimmed = |n: &str| -> Result<String, String> {
        Ok(get(n)?.map(|v| v.trim().to_string()).unwrap_or_default())
    };
    let port = match trimmed("MESH_CLUSTER_PORT")?.as_str() {
        "" => CLUSTER_PORT,
        p => p
            .parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or("Invalid MESH_CLUSTER_PORT: expected a positive integer")?,
    };
    super::continuity::authority(&|k: &str| trimmed(k).unwrap_or_default())?;
    let cookie = trimmed("MESH_CLUSTER_COOKIE")?;
    let seed = trimmed("MESH_DISCOVERY_SEED")?;
    let node_name = trimmed("MESH_NODE_NAME")?;
    let node_host = trimmed("MESH_NODE_HOST")?;
    const FLY: [&str; 4] = [
        "FLY_APP_NAME",
        "FLY_REGION",
        "FLY_MACHINE_ID",
        "FLY_PRIVATE_IP",
    ];
    let mut fly = Vec::new();
    for v in FLY {
        fly.push(get(v)?.unwrap_or_default());
    }
    let any_fly = fly.iter().any(|v| !v.is_empty());
    if cookie.is_empty() {
        if !seed.is_empty() || !node_name.is_empty() || !node_host.is_empty() || any_fly {
            return Err(
                "MESH_CLUSTER_COOKIE is required when discovery or identity env is set".into(),
            );
        }
        return Ok(Plan::Standalone { port });
    }
    if seed.is_empty() {
        return Err("Missing required environment variable MESH_DISCOVERY_SEED".into());
    }
    let name = if !node_name.is_empty() {
        check_node_name(&node_name, port)
            .map_err(|why| format!("Invalid MESH_NODE_NAME: {why}"))?;
        node_name
    } else if any_fly {
        if fly.iter().any(|v| v.trim().is_empty()) {
            return Err("Invalid cluster identity: Fly cluster identity requires FLY_APP_NAME, FLY_REGION, FLY_MACHINE_ID, and FLY_PRIVATE_IP".into());
        }
        let f: Vec<&str> = fly.iter().map(|v| v.trim()).collect();
        format!("{}-{}-{}@{}:{port}", f[0], f[1], f[2], bracketed(f[3]))
    } else {
        let base = hostname().map_err(|why| format!("Invalid cluster identity: {why}"))?;
        let base = base.trim();
        if base.is_empty() || base.contains(['@', ' ']) {
            return Err(format!(
                "Invalid cluster identity: the hostname {base:?} cannot name a node"
            ));
        }
        let host = if node_host.is_empty() {
            base
        } else {
            node_host.as_str()
        };
        format!("{base}@{}:{port}", bracketed(host))
    };
    Ok(Plan::Cluster {
        name,
        cookie,
        port,
        seed,
    })
}

fn bracketed(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

/// `MESH_NODE_NAME`'s rules (spec 05 §3.2, 4.1), each with its message.
fn check_node_name(v: &str, cluster_port: u16) -> Result<(), &'static str> {
    if v.contains(' ') {
        return Err("value cannot contain spaces");
    }
    let mut parts = v.split('@');
    let (Some(name), Some(rest), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err("expected name@host:port");
    };
    if name.trim().is_empty() {
        return Err("node name cannot be blank");
    }
    let (host, port) = if let Some(r) = rest.strip_prefix('[') {
        let Some((addr, after)) = r.split_once(']') else {
            return Err("IPv6 host must use [addr]:port");
        };
        let Some(port) = after.strip_prefix(':') else {
            return Err("IPv6 host must use [addr]:port");
        };
        if addr.contains(['[', ']']) {
            return Err("host is invalid");
        }
        (addr, port)
    } else {
        if rest.contains(['[', ']']) {
            return Err("host is invalid");
        }
        let hp: Vec<&str> = rest.split(':').collect();
        if hp.len() != 2 {
            return Err("expected name@host:port");
        }
        (hp[0], hp[1])
    };
    if host.trim().is_empty() {
        return Err("host cannot be blank");
    }
    let port = port
        .parse::<u16>()
        .ok()
        .filter(|p| *p > 0)
        .ok_or("port must be a positive integer")?;
    if port != cluster_port {
        return Err("port must match MESH_CLUSTER_PORT");
    }
    Ok(())
}

fn system_hostname() -> Result<String, String> {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is writable for its length.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return Err("the system hostname is unavailable".into());
    }
    let end = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    String::from_utf8(buf[..end].to_vec()).map_err(|_| "the system hostname is not UTF-8".into())
}

/// The prelude's `BootstrapStatus { mode, node_name, cluster_port, discovery_seed }`.
fn status(mode: &str, name: &str, port: u16, seed: &str) -> *mut u8 {
    obj(
        0,
        &[
            new_str(mode.as_bytes()) as u64,
            new_str(name.as_bytes()) as u64,
            port as u64,
            new_str(seed.as_bytes()) as u64,
        ],
        0b1011,
    )
}

/// `Node.start_from_env()`: `Ok(BootstrapStatus)` or `Err(reason)`.
#[unsafe(no_mangle)]
pub extern "C" fn mesh_rt_node_start_from_env() -> *mut u8 {
    match plan(&var, &system_hostname) {
        Err(why) => err(why),
        Ok(Plan::Standalone { port }) => obj(0, &[status("standalone", "", port, "") as u64], 1),
        Ok(Plan::Cluster {
            name,
            cookie,
            port,
            seed,
        }) => match super::session::start(&name, &cookie) {
            0 => obj(0, &[status("cluster", &name, port, &seed) as u64], 1),
            code => {
                let why = match code {
                    -1 => "node already started".to_string(),
                    -2 => "listener bind failed".to_string(),
                    -3 => "invalid node name or cookie".to_string(),
                    n => format!("unexpected start code={n}"),
                };
                err(format!("mesh bootstrap start failed node={name}: {why}"))
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(env: &[(&str, &str)]) -> Result<Plan, String> {
        let get = |k: &str| {
            Ok(env
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string()))
        };
        plan(&get, &|| Ok("box1".to_string()))
    }

    #[test]
    fn every_message_of_section_3() {
        let e = |env: &[(&str, &str)]| run(env).unwrap_err();
        assert_eq!(run(&[]), Ok(Plan::Standalone { port: 4370 }));
        assert_eq!(
            e(&[("MESH_NODE_HOST", "10.0.0.5")]),
            "MESH_CLUSTER_COOKIE is required when discovery or identity env is set"
        );
        assert_eq!(
            e(&[("MESH_CLUSTER_COOKIE", "c")]),
            "Missing required environment variable MESH_DISCOVERY_SEED"
        );
        let base = [
            ("MESH_CLUSTER_COOKIE", "c"),
            ("MESH_DISCOVERY_SEED", "localhost"),
        ];
        let with = |extra: &[(&'static str, &'static str)]| {
            let mut v = base.to_vec();
            v.extend_from_slice(extra);
            run(&v)
        };
        assert_eq!(
            with(&[("MESH_CLUSTER_PORT", "abc")]).unwrap_err(),
            "Invalid MESH_CLUSTER_PORT: expected a positive integer"
        );
        for (name, why) in [
            ("a@127.0.0.1:4999", "port must match MESH_CLUSTER_PORT"),
            ("a@[::1]", "IPv6 host must use [addr]:port"),
            ("a@::1:4370", "expected name@host:port"),
            ("a b@h:4370", "value cannot contain spaces"),
            ("a@b@h:4370", "expected name@host:port"),
            ("@h:4370", "node name cannot be blank"),
            ("a@:4370", "host cannot be blank"),
            ("a@h]:4370", "host is invalid"),
            ("a@h:0", "port must be a positive integer"),
        ] {
            assert_eq!(
                with(&[("MESH_NODE_NAME", name)]).unwrap_err(),
                format!("Invalid MESH_NODE_NAME: {why}"),
                "{name}"
            );
        }
        assert_eq!(
            with(&[("FLY_APP_NAME", "x")]).unwrap_err(),
            "Invalid cluster identity: Fly cluster identity requires FLY_APP_NAME, FLY_REGION, FLY_MACHINE_ID, and FLY_PRIVATE_IP"
        );
        let Ok(Plan::Cluster { name, .. }) = with(&[
            ("FLY_APP_NAME", "mesh-app"),
            ("FLY_REGION", "iad"),
            ("FLY_MACHINE_ID", "m1"),
            ("FLY_PRIVATE_IP", "fdaa:0:1::10"),
        ]) else {
            panic!()
        };
        assert_eq!(name, "mesh-app-iad-m1@[fdaa:0:1::10]:4370");
        let Ok(Plan::Cluster { name, port, .. }) = with(&[("MESH_CLUSTER_PORT", " 4400 ")]) else {
            panic!()
        };
        assert_eq!((name.as_str(), port), ("box1@box1:4400", 4400));
        let Ok(Plan::Cluster { name, .. }) = with(&[("MESH_NODE_NAME", "standby@[::1]:4370")])
        else {
            panic!()
        };
        assert_eq!(name, "standby@[::1]:4370");
    }
}
