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
/// itself uses (saved registers, return addresses, and corosensei's frames between
/// `suspend` and the switch: a few hundred bytes optimised, several kilobytes in an
/// unoptimised build, whose frames are not inlined).
pub const SWITCH_SLACK: usize = if cfg!(debug_assertions) { 8192 } else { 256 };

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

/// Whether the program runs under valgrind (asked once, with valgrind's
/// `RUNNING_ON_VALGRIND` client request, a no-op instruction sequence otherwise).
pub fn on_valgrind() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| client_request(0x1001, 0, 0) != 0)
}

/// A valgrind client request (valgrind.h's `VALGRIND_DO_CLIENT_REQUEST_EXPR` for
/// amd64): outside valgrind the rotates leave `rdi` as it was and the exchange does
/// nothing, so the result is the default, 0.
fn client_request(code: u64, a1: u64, a2: u64) -> u64 {
    let args: [u64; 6] = [code, a1, a2, 0, 0, 0];
    let mut result: u64 = 0;
    // SAFETY: the magic sequence reads `args` through rax and writes rdx only.
    unsafe {
        std::arch::asm!(
            "rol rdi, 3",
            "rol rdi, 13",
            "rol rdi, 61",
            "rol rdi, 51",
            "xchg rbx, rbx",
            in("rax") args.as_ptr(),
            inout("rdx") result,
            inout("rdi") 0u64 => _,
            options(nostack),
        );
    }
    result
}

/// Under valgrind, marks a part of a worker's stack that the scheduler copies as
/// addressable and defined: the bytes a suspension saves below its recorded stack
/// pointer (the switch's own pushes and the slack below them, `SWITCH_SLACK`), and the
/// bytes a resume writes back. Valgrind does not follow the stack switches and would
/// report those copies as invalid accesses below a stack pointer.
pub fn note_copied(from: usize, len: usize) {
    if on_valgrind() {
        // memcheck's VG_USERREQ__MAKE_MEM_DEFINED ('M' 'C' base + 2)
        client_request(0x4d43_0002, from as u64, len as u64);
    }
}
