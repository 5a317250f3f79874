//! Compiles `proto/dataplane.proto` with the pure-Rust `protox` (no system
//! `protoc`) and generates the tonic client and server code.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = protox::compile(["proto/dataplane.proto"], ["proto"])?;
    tonic_prost_build::configure().compile_fds(files)?;
    println!("cargo:rerun-if-changed=proto/dataplane.proto");
    Ok(())
}
