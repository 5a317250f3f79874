//! The outside crate's own `ldfi` command line.

fn main() -> std::process::ExitCode {
    ldfi::cli::main(ldfi::Registry::new().with(handoff::Handoff))
}
