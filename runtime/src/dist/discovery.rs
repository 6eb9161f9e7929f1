//! DNS discovery (spec 05 §4): while `MESH_DISCOVERY_SEED` is set, a started node
//! resolves `(seed, MESH_CLUSTER_PORT)` every `MESH_DISCOVERY_INTERVAL_MS` (first pass at
//! once) and connects to every address that is not itself, not a duplicate and not a
//! connected peer's, as `discovery@<ip>:<port>`; the handshake gives the real name. A
//! seed may list several names separated by commas, each resolved (decision 53: how
//! tests on one machine give several peer addresses).

use super::Node;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::time::Duration;

pub fn start(n: &'static Node, seed: String) {
    let port = std::env::var("MESH_CLUSTER_PORT")
        .ok()
        .and_then(|p| p.trim().parse::<u16>().ok())
        .filter(|p| *p > 0)
        .unwrap_or(super::bootstrap::CLUSTER_PORT);
    let every = std::env::var("MESH_DISCOVERY_INTERVAL_MS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|v| *v > 0)
        .unwrap_or(5000);
    n.rt.spawn(async move {
        loop {
            pass(n, &seed, port).await;
            tokio::time::sleep(Duration::from_millis(every)).await;
        }
    });
}

/// The socket addresses a node name stands for.
async fn addrs_of(name: &str) -> Vec<SocketAddr> {
    let Ok(parsed) = super::name::parse(name) else {
        return Vec::new();
    };
    match tokio::net::lookup_host(parsed.addr()).await {
        Ok(a) => a.collect(),
        Err(_) => Vec::new(),
    }
}

async fn pass(n: &'static Node, seed: &str, port: u16) {
    let mut resolved = Vec::new();
    let mut last_error = None;
    for host in seed.split(',').map(str::trim).filter(|h| !h.is_empty()) {
        match tokio::net::lookup_host((host, port)).await {
            Ok(a) => resolved.extend(a),
            Err(e) => last_error = Some(format!("{host}: {e}")),
        }
    }
    let me: HashSet<SocketAddr> = addrs_of(&n.name).await.into_iter().collect();
    let mut connected = HashSet::new();
    for peer in n.peer_names() {
        connected.extend(addrs_of(&peer).await);
    }
    let mut seen = HashSet::new();
    let (mut accepted, mut rejected) = (Vec::new(), Vec::new());
    for a in &resolved {
        let why = if !seen.insert(*a) {
            "duplicate"
        } else if me.contains(a) {
            "self"
        } else if connected.contains(a) {
            "already_connected"
        } else {
            accepted.push(*a);
            continue;
        };
        rejected.push(format!("{a}:{why}"));
    }
    let list = |v: &[String]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(",")
        }
    };
    let targets: Vec<String> = accepted.iter().map(|a| format!("discovery@{a}")).collect();
    tracing::info!(
        "mesh discovery: provider=dns seed={seed} cluster_port={port} resolved={} accepted={} accepted_targets={} rejected_targets={} last_error={}",
        resolved.len(),
        accepted.len(),
        list(&targets),
        list(&rejected),
        last_error.as_deref().unwrap_or("none")
    );
    for t in targets {
        tokio::spawn(super::session::connect(n, t));
    }
}
