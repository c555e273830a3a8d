use std::process::ExitCode;

fn main() -> ExitCode {
    tune_allocator();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("gatehouse: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(gatehouse::run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One line naming what to fix; the logger may not be up yet, so plain stderr.
            eprintln!("gatehouse: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Each argon2 hash allocates 19 MiB on whichever blocking-pool thread runs it. glibc raises its
/// mmap threshold after the first such block is freed, so later blocks land in per-thread arenas
/// and stay there: a few hundred MiB after a burst of logins. A fixed threshold keeps big blocks
/// mmapped (returned to the OS when the hash ends), and two arenas bound the rest.
fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only changes allocator tuning; it is called before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}
