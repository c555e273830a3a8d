use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    match gatehouse::run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // One line naming what to fix; the logger may not be up yet, so plain stderr.
            eprintln!("gatehouse: {error}");
            ExitCode::FAILURE
        }
    }
}
