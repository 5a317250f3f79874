//! Compiles `proto/demo.proto` (the demo service of the proxy's tests and
//! benchmark) with the pure-Rust `protox`, generates its tonic code, and
//! writes its descriptor set to `OUT_DIR/demo.fds` (embedded by the crate).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = protox::compile(["proto/demo.proto"], ["proto"])?;
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR")?);
    std::fs::write(out.join("demo.fds"), prost::Message::encode_to_vec(&files))?;
    tonic_prost_build::configure().compile_fds(files)?;
    println!("cargo:rerun-if-changed=proto/demo.proto");
    Ok(())
}
