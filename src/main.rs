use std::process::ExitCode;

use gatehouse::cli::{self, Command};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match cli::parse(&args) {
        Ok(Command::Help) => {
            print!("{}", cli::USAGE);
            return ExitCode::SUCCESS;
        }
        Ok(command) => command,
        Err(message) => {
            eprint!("gatehouse: {message}\n\n{}", cli::USAGE);
            return ExitCode::from(2);
        }
    };
    tune_allocator();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("gatehouse: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    let done = match command {
        Command::Serve => runtime.block_on(gatehouse::run()),
        keys => runtime.block_on(cli::keys(keys)).map(|out| print!("{out}")),
    };
    match done {
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
