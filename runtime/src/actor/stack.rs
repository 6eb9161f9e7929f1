//! Actor stacks. A million idle actors must fit in memory, and every guard page is a
//! separate kernel mapping (Linux allows 65,530 per process by default), so stacks
//! have no guard pages: they are carved, 64 at a time, from one `MAP_NORESERVE`
//! mapping each (pages are committed only when touched), and the compiler checks the
//! stack pointer against the running actor's limit at the entry of every function
//! that calls (`insert-yield-points`; the limit keeps `MARGIN` bytes for runtime code).
//! Stacks of ended actors go back to a pool. Paper: `papers/actors.md`.

use corosensei::stack::{Stack, StackPointer};
use std::sync::Mutex;

/// Bytes of one actor stack (virtual; only touched pages use memory).
pub const STACK_SIZE: usize = 512 * 1024;
/// Bytes kept free below the compiler's limit for runtime functions (printing,
/// copying, the scheduler's own frames).
pub const MARGIN: usize = 64 * 1024;
const PER_CHUNK: usize = 64;

static FREE: Mutex<Vec<usize>> = Mutex::new(Vec::new());

/// One actor stack: `[bottom, bottom + STACK_SIZE)`.
pub struct PoolStack {
    bottom: usize,
}

impl PoolStack {
    /// The lowest address Mesh code may use (the compiler's stack check).
    pub fn check_limit(&self) -> usize {
        self.bottom + MARGIN
    }
}

// SAFETY: the memory is ours, mapped read-write, aligned; overflow is caught by the
// compiler's stack checks (see the module comment) instead of a guard page.
unsafe impl Stack for PoolStack {
    fn base(&self) -> StackPointer {
        StackPointer::new(self.bottom + STACK_SIZE).unwrap()
    }
    fn limit(&self) -> StackPointer {
        StackPointer::new(self.bottom).unwrap()
    }
}

/// A stack from the pool, mapping a new chunk when it is empty.
pub fn take() -> PoolStack {
    let mut free = FREE.lock().unwrap_or_else(|e| e.into_inner());
    if free.is_empty() {
        // SAFETY: a fresh anonymous mapping; checked below.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                STACK_SIZE * PER_CHUNK,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            eprintln!("error: out of memory (cannot map actor stacks)");
            std::process::exit(1);
        }
        let base = p as usize;
        free.extend((0..PER_CHUNK).rev().map(|i| base + i * STACK_SIZE));
    }
    PoolStack {
        bottom: free.pop().unwrap(),
    }
}

/// Gives a stack back to the pool.
pub fn give(s: PoolStack) {
    FREE.lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(s.bottom);
}
