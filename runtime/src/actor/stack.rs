//! Actor stacks: one shared stack per worker, with each process's used part copied out
//! when it suspends and back in when it resumes ("stack copying", as in the shared
//! stacks of Tencent's libco or Lua's C coroutines). A process only runs on its worker,
//! always at the same addresses, so pointers into its stack stay valid. An idle actor
//! then costs the bytes it actually used (about a kilobyte for an actor waiting in a
//! `receive`) instead of a page-granular stack of its own, and there are no per-actor
//! mappings (Linux allows 65,530 per process). The shared region is 8 MiB, committed
//! only where touched; there is no guard page: the compiler checks the stack pointer
//! against the limit at the entry of every function that calls another
//! (`insert-yield-points`), keeping `MARGIN` bytes for runtime code. Paper:
//! `papers/actors.md`.

use corosensei::stack::{Stack, StackPointer};
use std::cell::Cell;

/// Bytes of a worker's shared stack (virtual; only touched pages use memory).
pub const STACK_SIZE: usize = 8 << 20;
/// Bytes kept free below the compiler's limit for runtime functions (printing,
/// copying, the scheduler's own frames).
pub const MARGIN: usize = 64 * 1024;
/// Bytes below the recorded stack pointer of a suspension that the context switch
/// itself uses (saved registers, return addresses).
pub const SWITCH_SLACK: usize = 256;

thread_local! {
    static REGION: Cell<usize> = const { Cell::new(0) };
}

/// This worker's shared stack (a `Copy` handle; the region lives as long as the thread).
#[derive(Clone, Copy)]
pub struct SharedStack {
    bottom: usize,
}

impl SharedStack {
    pub fn of_this_thread() -> SharedStack {
        let mut bottom = REGION.with(|r| r.get());
        if bottom == 0 {
            // SAFETY: a fresh anonymous mapping; checked below.
            let p = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    STACK_SIZE,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
                    -1,
                    0,
                )
            };
            if p == libc::MAP_FAILED {
                crate::elog!("error: out of memory (cannot map a worker's stack)");
                std::process::exit(1);
            }
            bottom = p as usize;
            REGION.with(|r| r.set(bottom));
        }
        SharedStack { bottom }
    }

    /// The lowest address Mesh code may use (the compiler's stack check).
    pub fn check_limit(&self) -> usize {
        self.bottom + MARGIN
    }

    /// The lowest address of the region.
    pub fn bottom_limit(&self) -> usize {
        self.bottom
    }

    /// The highest address (the stack grows down from it).
    pub fn top(&self) -> usize {
        self.bottom + STACK_SIZE
    }
}

// SAFETY: the memory is mapped read-write and aligned; overflow is caught by the
// compiler's stack checks (see the module comment) instead of a guard page; the
// scheduler copies each process's part in before it runs and out after it suspends.
unsafe impl Stack for SharedStack {
    fn base(&self) -> StackPointer {
        StackPointer::new(self.top()).unwrap()
    }
    fn limit(&self) -> StackPointer {
        StackPointer::new(self.bottom).unwrap()
    }
}

/// The stack pointer of the caller (approximately: this frame's).
#[inline(always)]
pub fn current_sp() -> usize {
    let sp: usize;
    // SAFETY: reads a register.
    unsafe {
        std::arch::asm!("mov {}, rsp", out(reg) sp, options(nomem, nostack, preserves_flags))
    };
    sp
}
