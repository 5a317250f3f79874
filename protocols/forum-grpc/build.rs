//! Compiles `proto/forum.proto` with the pure-Rust `protox` (no system
//! `protoc`), generates the tonic clients and servers, and writes the
//! descriptor set (`forum.bin`) the crate embeds for `prost-reflect` and
//! the generic proxy.

use prost::Message;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = protox::compile(["proto/forum.proto"], ["proto"])?;
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out.join("forum.bin"), files.encode_to_vec())?;
    tonic_prost_build::configure().compile_fds(files)?;
    println!("cargo:rerun-if-changed=proto/forum.proto");
    Ok(())
}
