//! The whole `ldfi` command line on this crate's protocol:
//! `cargo run -p quorum-write -- search --protocol quorum-write --version v1`.

fn main() -> std::process::ExitCode {
    ldfi::cli::main(ldfi::Registry::new().with(quorum_write::QuorumWrite))
}
