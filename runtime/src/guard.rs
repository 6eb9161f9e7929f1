//! Turning a fault into a clear error. Deep recursion that is not in tail position can
//! exhaust the stack; the kernel then raises SIGSEGV at the guard page. A handler running
//! on its own signal stack reports it as a Mesh runtime error (exit 1) instead of a bare
//! "Segmentation fault": a fault within the main stack's reserved range is a stack
//! overflow; any other fault is reported as an internal error (a compiler or runtime
//! bug), never silently.

use std::sync::atomic::{AtomicUsize, Ordering};

/// The main stack's highest address (approximately: a local of `main`) and its size limit.
static STACK_TOP: AtomicUsize = AtomicUsize::new(0);
static STACK_SIZE: AtomicUsize = AtomicUsize::new(8 << 20);

const OVERFLOW: &[u8] = b"error: stack overflow: recursion too deep (only calls in tail position run in constant stack)\n";
const INTERNAL: &[u8] = b"error: internal error: invalid memory access (a bug in the Mesh compiler or runtime; please report it)\n";

extern "C" fn on_fault(_sig: i32, info: *mut libc::siginfo_t, _ctx: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers; only
    // async-signal-safe calls (write, _exit) follow.
    unsafe {
        let addr = (*info).si_addr() as usize;
        let top = STACK_TOP.load(Ordering::Relaxed);
        let size = STACK_SIZE.load(Ordering::Relaxed);
        // the stack grows down from `top`; allow some slack below the limit (guard gap)
        let overflow = top != 0 && addr <= top && addr + size + (1 << 20) >= top;
        let msg = if overflow { OVERFLOW } else { INTERNAL };
        libc::write(2, msg.as_ptr() as *const libc::c_void, msg.len());
        libc::_exit(1);
    }
}

/// Installs the handler for SIGSEGV and SIGBUS; `top` is an address near the top of the
/// main thread's stack.
pub fn install(top: usize) {
    STACK_TOP.store(top, Ordering::Relaxed);
    // SAFETY: plain libc calls with valid arguments; the alternate stack is leaked so
    // it lives as long as the process.
    unsafe {
        let mut lim: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(libc::RLIMIT_STACK, &mut lim) == 0 && lim.rlim_cur != libc::RLIM_INFINITY
        {
            STACK_SIZE.store(lim.rlim_cur as usize, Ordering::Relaxed);
        }
        alt_stack();
        let mut sa: libc::sigaction = std::mem::zeroed();
        sa.sa_sigaction = on_fault as *const () as usize;
        sa.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
        libc::sigemptyset(&mut sa.sa_mask);
        libc::sigaction(libc::SIGSEGV, &sa, std::ptr::null_mut());
        libc::sigaction(libc::SIGBUS, &sa, std::ptr::null_mut());
    }
}

/// Gives the calling thread its own signal stack (the fault handler runs there); every
/// thread that runs Mesh code calls it.
pub fn alt_stack() {
    let size = 64 * 1024;
    let mem = Box::leak(vec![0u8; size].into_boxed_slice());
    let ss = libc::stack_t {
        ss_sp: mem.as_mut_ptr() as *mut libc::c_void,
        ss_flags: 0,
        ss_size: size,
    };
    // SAFETY: the alternate stack is leaked, so it lives as long as the thread.
    unsafe { libc::sigaltstack(&ss, std::ptr::null_mut()) };
}
