//! Declared handlers and startup work (spec 05 §10.2–§10.3, §12.2): every `@cluster`
//! function is registered at the start of `main` under its runtime name; after `main`
//! returns (or when `HTTP.serve` starts listening) each runs once per cluster under the
//! key `startup::<name>`, on the owner that placement picks. Declared work is submitted,
//! dispatched, and recovered after a promotion here.

use super::record::{Phase, Record, Role};
use super::{membership, peer, place, reg, Decision, Entry, Step, Submit};
use crate::process;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

/// Runtime name → (the wrapper, an immortal closure; replication count), in order.
static HANDLERS: LazyLock<Mutex<Vec<(String, usize, i64)>>> = LazyLock::new(Default::default);

fn log(line: std::fmt::Arguments<'_>) {
    super::super::session::init_logs();
    tracing::info!("[mesh-rt startup] {line}");
}

fn handler(name: &str) -> Option<(usize, i64)> {
    let h = HANDLERS.lock().unwrap();
    h.iter().find(|(n, ..)| n == name).map(|(_, t, c)| (*t, *c))
}

/// `@cluster` registration (generated at the start of `main`).
pub fn register(name: &str, count: i64, thunk: usize) {
    let key = format!("startup::{name}");
    log(format_args!(
        "transition=startup_registered runtime_name={name} request_key={key}"
    ));
    let e = Entry::new("startup_registered").meta("runtime_name", name);
    let mut e = e;
    e.request_key = Some(key);
    reg().diag(e);
    let _ = crate::system::ON_LISTEN.set(trigger);
    let mut h = HANDLERS.lock().unwrap();
    if !h.iter().any(|(n, ..)| n == name) {
        h.push((name.to_string(), thunk, count));
    }
}

fn sleep(ms: u64) {
    process::await_future(tokio::time::sleep(Duration::from_millis(ms)));
}

/// The (key, attempt) each process running declared work runs, by pid.
static RUNNING: LazyLock<Mutex<Vec<(process::Pid, String, String)>>> =
    LazyLock::new(Default::default);

/// The key and attempt the calling process runs (`("", "")` outside declared work).
pub fn running() -> (String, String) {
    let me = process::current_pid();
    let r = RUNNING.lock().unwrap();
    r.iter()
        .find(|(p, ..)| *p == me)
        .map(|(_, k, a)| (k.clone(), a.clone()))
        .unwrap_or_default()
}

/// Runs the wrapper of `name` in the calling process, then completes the attempt.
fn run_inline(thunk: usize, key: &str, attempt: &str) -> Option<Record> {
    let me = process::current_pid();
    RUNNING
        .lock()
        .unwrap()
        .push((me, key.to_string(), attempt.to_string()));
    // SAFETY: registered wrappers are immortal zero-argument closures giving a word.
    unsafe { process::call_thunk(thunk as *mut u8) };
    RUNNING.lock().unwrap().retain(|(p, ..)| *p != me);
    reg().complete(key, attempt, &membership().0).ok()
}

/// This node is the owner: run declared work `name` for `key`'s attempt in a new process.
pub fn run_here(name: &str, key: &str, attempt: &str) {
    let Some((thunk, _)) = handler(name) else {
        let why = format!("declared_handler_not_registered:{name}");
        let _ = reg().reject(key, attempt, &why);
        return;
    };
    let (key, attempt) = (key.to_string(), attempt.to_string());
    process::spawn_rust(false, move || {
        run_inline(thunk, &key, &attempt);
    });
}

/// Runs `r`'s work on its owner (here or there); a failure rejects the attempt.
fn dispatch(r: &Record) {
    let name = &r.declared_handler_runtime_name;
    if r.owner_node == membership().0 {
        run_here(name, &r.request_key, &r.attempt_id);
    } else if let Err(why) = peer::dispatch_to(&r.owner_node, name, &r.request_key, &r.attempt_id) {
        let _ = reg().reject(&r.request_key, &r.attempt_id, &why);
    }
}

/// Places and submits declared work (`required`: the replicas it needs); waits for the
/// replica's prepare when there is one.
fn submit(
    name: &str,
    key: &str,
    hash: &str,
    count: i64,
    required: i64,
) -> Result<Decision, String> {
    let (me, members) = membership();
    let (owner, replica) = place(key, &members);
    let s = Submit {
        key: key.into(),
        hash: hash.into(),
        ingress: me.clone(),
        routed_remotely: owner != me,
        fell_back_locally: owner == me,
        owner,
        replica,
        count,
        required,
        runtime_name: name.into(),
    };
    let step = reg().submit(&s)?;
    finish(step)
}

/// A submission's last step: the prepare, when the record needs its replica.
pub fn finish(step: Step) -> Result<Decision, String> {
    let rec = match step {
        Step::Done(d) => return Ok(d),
        Step::Prepare(rec) => rec,
    };
    let answer = process::await_future(peer::prepare(rec.clone()));
    let mut g = reg();
    let (outcome, record) = match answer {
        Ok(()) => ("created", g.acknowledge(&rec.request_key, &rec.attempt_id)),
        Err(why) => {
            let kind = match why.as_str() {
                "replica_prepare_timeout" => "prepare_timeout",
                "replica_required_unavailable" => "prepare_disconnected",
                _ => "prepare_write_failed",
            };
            g.diag(Entry::of(kind, &rec).reason(why.clone()));
            (
                "rejected",
                g.reject(&rec.request_key, &rec.attempt_id, &why),
            )
        }
    };
    Ok(Decision {
        outcome,
        conflict_reason: String::new(),
        record: record.unwrap_or(rec),
    })
}

/// `Continuity.submit_declared_work`: the declaration's count, dispatched when created.
pub fn submit_declared(
    name: &str,
    key: &str,
    hash: &str,
    required: i64,
) -> Result<Decision, String> {
    if required < 0 {
        return Err("invalid_required_replica_count".into());
    }
    let Some((_, count)) = handler(name) else {
        return Err(format!("declared_handler_not_registered:{name}"));
    };
    let d = submit(name, key, hash, count, (count - 1).max(0))?;
    if d.outcome == "created" {
        dispatch(&d.record);
    }
    Ok(d)
}

/// After `main` returns or when `HTTP.serve` listens, once per process.
pub fn trigger() {
    static DONE: AtomicBool = AtomicBool::new(false);
    let all: Vec<(String, usize, i64)> = HANDLERS.lock().unwrap().clone();
    if all.is_empty() || DONE.swap(true, Ordering::SeqCst) {
        return;
    }
    if super::super::node().is_some() {
        log(format_args!(
            "transition=startup_keepalive registration_count={}",
            all.len()
        ));
        let e = Entry::new("startup_keepalive").meta("registration_count", all.len().to_string());
        reg().diag(e);
        process::spawn_rust(false, process::hold);
    }
    for (name, thunk, count) in all {
        process::spawn_rust(false, move || startup(&name, thunk, count));
    }
}

/// §10.2 steps 3–4: the required replicas once membership has settled, or why not.
fn converge() -> Result<(i64, Vec<String>), &'static str> {
    if super::super::node().is_none() {
        return Ok((0, membership().1));
    }
    let (mut seen, mut last, mut same) = (false, Vec::new(), 0);
    for _ in 0..40 {
        let m = membership().1;
        seen |= m.len() > 1;
        same = if m == last { same + 1 } else { 1 };
        last = m;
        if seen && same >= 3 {
            return Ok((1, last));
        }
        sleep(50);
    }
    if seen {
        Err("startup_convergence_timeout")
    } else {
        Ok((0, last))
    }
}

fn startup(name: &str, thunk: usize, count: i64) {
    let key = format!("startup::{name}");
    let (role, epoch) = {
        let g = reg();
        (g.role, g.epoch)
    };
    let diag = |t: &str| {
        let mut e = Entry::new(t).meta("runtime_name", name);
        e.request_key = Some(key.clone());
        e
    };
    if role == Role::Standby {
        log(format_args!(
            "transition=startup_skipped runtime_name={name} request_key={key} cluster_role=standby promotion_epoch={epoch} reason=startup_skipped:standby_authority"
        ));
        reg().diag(diag("startup_skipped").reason("startup_skipped:standby_authority"));
        return;
    }
    let rejected = |why: &str| {
        log(format_args!(
            "transition=startup_rejected runtime_name={name} request_key={key} reason={why}"
        ));
        reg().diag(diag("startup_rejected").reason(why));
    };
    let (required, members) = match converge() {
        Ok(x) => x,
        Err(why) => {
            reg().diag(diag("startup_convergence_timeout").reason(why));
            return rejected(why);
        }
    };
    let required = required.min(count - 1);
    log(format_args!(
        "transition=startup_trigger runtime_name={name} request_key={key} required_replicas={required} membership={}",
        members.join(",")
    ));
    reg().diag(diag("startup_trigger").meta("required_replicas", required.to_string()));
    let d = match submit(
        name,
        &key,
        &format!("startup-payload::{name}"),
        count,
        required,
    ) {
        Ok(d) => d,
        Err(why) => return rejected(&why),
    };
    let rec = d.record;
    match d.outcome {
        "created" => {}
        "duplicate" => return wait_completed(name, &key, &rec.attempt_id),
        _ => return rejected(&rec.error),
    }
    if required > 0 {
        let ms = std::env::var("MESH_STARTUP_WORK_DELAY_MS")
            .ok()
            .and_then(|v| v.trim().parse::<i64>().ok())
            .filter(|v| *v > 0)
            .unwrap_or(2500);
        log(format_args!(
            "transition=startup_dispatch_window runtime_name={name} request_key={key} pending_window_ms={ms} ownership=language_owned"
        ));
        reg().diag(diag("startup_dispatch_window").meta("pending_window_ms", ms.to_string()));
        sleep(ms as u64);
        let now = reg().records.get(&key).cloned();
        if now.as_ref().is_none_or(|r| r.attempt_id != rec.attempt_id) {
            log(format_args!(
                "transition=startup_fenced runtime_name={name} request_key={key} attempt_id={}",
                rec.attempt_id
            ));
            reg().diag(diag("startup_fenced"));
            return;
        }
    }
    if rec.owner_node == membership().0 {
        if run_inline(thunk, &key, &rec.attempt_id).is_some() {
            completed(name, &key, &rec.attempt_id);
        }
    } else {
        dispatch(&rec);
        wait_completed(name, &key, &rec.attempt_id);
    }
}

/// Waits until `key`'s record is completed (logging it) or has moved on.
fn wait_completed(name: &str, key: &str, attempt: &str) {
    loop {
        let now = reg().records.get(key).cloned();
        match now {
            Some(r) if r.phase == Phase::Completed => return completed(name, key, &r.attempt_id),
            Some(r) if r.phase == Phase::Submitted && r.attempt_id == attempt => sleep(50),
            _ => return,
        }
    }
}

fn completed(name: &str, key: &str, attempt: &str) {
    let exec = reg()
        .records
        .get(key)
        .map(|r| r.execution_node.clone())
        .unwrap_or_default();
    log(format_args!(
        "transition=startup_completed runtime_name={name} request_key={key} attempt_id={attempt} execution_node={exec}"
    ));
    let mut e = Entry::new("startup_completed").meta("runtime_name", name);
    e.request_key = Some(key.to_string());
    e.attempt_id = Some(attempt.to_string());
    e.execution_node = Some(exec);
    reg().diag(e);
}

/// §12.2: after a promotion, resubmit a lost owner's declared work and run it.
pub fn recover(r: Record) {
    process::spawn_rust(false, move || {
        let name = r.declared_handler_runtime_name.clone();
        let no = |why: String| {
            super::log(format_args!(
                "transition=automatic_recovery_rejected request_key={} attempt_id={} reason={why}",
                r.request_key, r.attempt_id
            ));
            let e = Entry::of("automatic_recovery_rejected", &r).reason(why);
            reg().diag(e);
        };
        if name.is_empty() {
            return no("automatic_recovery_rejected:missing_handler_metadata".into());
        }
        let Some((_, count)) = handler(&name) else {
            return no(format!("declared_handler_not_registered:{name}"));
        };
        let required = if r.request_key.starts_with("startup::") {
            0
        } else {
            count - 1
        };
        match submit(&name, &r.request_key, &r.payload_hash, count, required) {
            Ok(d) if d.outcome == "created" => {
                super::log(format_args!(
                    "transition=automatic_recovery request_key={} previous_attempt_id={} next_attempt_id={} runtime_name={name}",
                    r.request_key, r.attempt_id, d.record.attempt_id
                ));
                let e = Entry::of("automatic_recovery", &d.record)
                    .meta("previous_attempt_id", r.attempt_id.clone())
                    .meta("runtime_name", name.clone());
                reg().diag(e);
                dispatch(&d.record);
            }
            Ok(d) => no(if d.record.error.is_empty() {
                d.outcome.to_string()
            } else {
                d.record.error
            }),
            Err(why) => no(why),
        }
    });
}
