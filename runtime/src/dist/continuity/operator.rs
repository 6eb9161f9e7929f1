//! What `mesh cluster` asks a node (spec 05 §14) and the JSON it answers with; the CLI
//! adds the target and prints it as JSON or text.

use super::diag::{Entry, CAPACITY};
use super::record::Record;
use super::reg;
use serde_json::{json, Value};

pub fn record_json(r: &Record) -> Value {
    json!({
        "request_key": r.request_key,
        "payload_hash": r.payload_hash,
        "attempt_id": r.attempt_id,
        "phase": r.phase.as_str(),
        "result": r.result.as_str(),
        "ingress_node": r.ingress_node,
        "owner_node": r.owner_node,
        "replica_node": r.replica_node,
        "replication_count": r.replication_count,
        "replica_status": r.replica_status.as_str(),
        "cluster_role": r.cluster_role.as_str(),
        "promotion_epoch": r.promotion_epoch,
        "replication_health": r.replication_health.as_str(),
        "execution_node": r.execution_node,
        "declared_handler_runtime_name": r.declared_handler_runtime_name,
        "routed_remotely": r.routed_remotely,
        "fell_back_locally": r.fell_back_locally,
        "error": r.error,
    })
}

fn entry_json(e: &Entry) -> Value {
    let meta: Vec<Value> = e
        .metadata
        .iter()
        .map(|(k, v)| json!({"key": k, "value": v}))
        .collect();
    json!({
        "sequence": e.sequence,
        "transition": e.transition,
        "request_key": e.request_key,
        "attempt_id": e.attempt_id,
        "owner_node": e.owner_node,
        "replica_node": e.replica_node,
        "execution_node": e.execution_node,
        "cluster_role": e.cluster_role,
        "promotion_epoch": e.promotion_epoch,
        "replication_health": e.replication_health,
        "replica_status": e.replica_status,
        "reason": e.reason,
        "metadata": meta,
    })
}

/// One operator query: `status`, `continuity_lookup` (of `key`), `continuity_list` or
/// `diagnostics` (`limit` 0: all). The answer's JSON, or the rejection's reason.
pub fn answer(kind: &str, key: &str, limit: u32) -> Result<String, String> {
    let limit = (limit > 0).then_some(limit as usize);
    let v = match kind {
        "status" => {
            let (me, _) = super::membership();
            let mut peers = super::super::node()
                .map(|n| n.peer_names())
                .unwrap_or_default();
            peers.sort();
            let mut nodes = peers.clone();
            nodes.push(me.clone());
            nodes.sort();
            let g = reg();
            json!({
                "membership": {"local_node": me, "peer_nodes": peers, "nodes": nodes},
                "authority": {
                    "cluster_role": g.role.as_str(),
                    "promotion_epoch": g.epoch,
                    "replication_health": g.health().as_str(),
                },
            })
        }
        "continuity_lookup" => {
            let g = reg();
            let r = g.records.get(key).ok_or("request_key_not_found")?;
            json!({ "record": record_json(r) })
        }
        "continuity_list" => {
            let g = reg();
            let mut all: Vec<&Record> = g.records.values().collect();
            all.sort_by(|a, b| {
                (&a.request_key, &a.attempt_id).cmp(&(&b.request_key, &b.attempt_id))
            });
            let total = all.len();
            let kept: Vec<Value> = all
                .iter()
                .take(limit.unwrap_or(total))
                .map(|r| record_json(r))
                .collect();
            json!({"total_records": total, "truncated": kept.len() < total, "records": kept})
        }
        "diagnostics" => {
            let g = reg();
            let ring = &g.diags;
            let total = ring.entries.len();
            let skip = limit.map_or(0, |n| total.saturating_sub(n));
            let entries: Vec<Value> = ring.entries.iter().skip(skip).map(entry_json).collect();
            json!({
                "total_entries": total,
                "dropped_entries": ring.dropped,
                "buffer_capacity": CAPACITY,
                "truncated": ring.dropped > 0 || skip > 0,
                "entries": entries,
            })
        }
        other => return Err(format!("unknown_query:{other}")),
    };
    Ok(v.to_string())
}
