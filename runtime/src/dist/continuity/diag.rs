//! The diagnostics ring (spec 05 §14.3): the last 128 runtime transitions of this node,
//! numbered from 1, as `mesh cluster diagnostics` shows them.

use super::record::Record;
use std::collections::VecDeque;

pub const CAPACITY: usize = 128;

#[derive(Clone, Debug, Default)]
pub struct Entry {
    pub sequence: u64,
    pub transition: String,
    pub request_key: Option<String>,
    pub attempt_id: Option<String>,
    pub owner_node: Option<String>,
    pub replica_node: Option<String>,
    pub execution_node: Option<String>,
    pub cluster_role: Option<String>,
    pub promotion_epoch: Option<u64>,
    pub replication_health: Option<String>,
    pub replica_status: Option<String>,
    pub reason: Option<String>,
    pub metadata: Vec<(String, String)>,
}

impl Entry {
    pub fn new(transition: &str) -> Entry {
        Entry {
            transition: transition.to_string(),
            ..Entry::default()
        }
    }

    /// An entry about `r`, with the metadata every continuity entry carries.
    pub fn of(transition: &str, r: &Record) -> Entry {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
        Entry {
            transition: transition.to_string(),
            request_key: Some(r.request_key.clone()),
            attempt_id: Some(r.attempt_id.clone()),
            owner_node: some(&r.owner_node),
            replica_node: some(&r.replica_node),
            execution_node: some(&r.execution_node),
            cluster_role: Some(r.cluster_role.as_str().into()),
            promotion_epoch: Some(r.promotion_epoch),
            replication_health: Some(r.replication_health.as_str().into()),
            replica_status: Some(r.replica_status.as_str().into()),
            reason: some(&r.error),
            metadata: vec![
                ("phase".into(), r.phase.as_str().into()),
                ("result".into(), r.result.as_str().into()),
                ("replication_count".into(), r.replication_count.to_string()),
            ],
            ..Entry::default()
        }
    }

    pub fn reason(mut self, why: impl Into<String>) -> Entry {
        self.reason = Some(why.into());
        self
    }

    pub fn meta(mut self, key: &str, value: impl Into<String>) -> Entry {
        self.metadata.push((key.to_string(), value.into()));
        self
    }
}

#[derive(Default)]
pub struct Ring {
    pub entries: VecDeque<Entry>,
    pub next: u64,
    pub dropped: u64,
}

impl Ring {
    pub fn push(&mut self, mut e: Entry) {
        self.next += 1;
        e.sequence = self.next;
        if self.entries.len() == CAPACITY {
            self.entries.pop_front();
            self.dropped += 1;
        }
        self.entries.push_back(e);
    }
}
