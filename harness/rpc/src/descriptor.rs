//! The services the proxy knows: a binary `FileDescriptorSet` (as written
//! by `protoc --descriptor_set_out` or `protox`), or `.proto` files compiled
//! at runtime; and the route of every method path to its upstream.

use crate::error::RpcError;
use prost_reflect::{DescriptorPool, MethodDescriptor};
use std::collections::BTreeMap;
use std::path::Path;

/// Loads the services of `path`: a `.proto` file (compiled with `protox`,
/// imports resolved from its directory) or a binary descriptor set.
pub fn load(path: &Path) -> Result<DescriptorPool, RpcError> {
    let bad = |why: String| RpcError::input(format!("--descriptor {}", path.display()), why);
    if path.extension().is_some_and(|e| e == "proto") {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        let dir = dir.unwrap_or(Path::new("."));
        let set = protox::compile([path], [dir]).map_err(|e| bad(e.to_string()))?;
        return DescriptorPool::from_file_descriptor_set(set).map_err(|e| bad(e.to_string()));
    }
    let bytes = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    let pool = DescriptorPool::decode(bytes.as_slice())
        .map_err(|e| bad(format!("not a FileDescriptorSet: {e}")))?;
    if pool.services().next().is_none() {
        return Err(bad("describes no service".into()));
    }
    Ok(pool)
}

/// Where calls of one method go.
#[derive(Clone, Debug)]
pub struct Route {
    /// The method (its input and output message types).
    pub method: MethodDescriptor,
    /// The upstream's index in the proxy's upstream list.
    pub upstream: usize,
}

/// Method path (`/pkg.Service/Method`) → route.
pub type Routes = BTreeMap<String, Route>;

/// Routes every method of `pool` to an upstream: with one upstream, all of
/// them; otherwise a service `pkg.Name` (or `pkg.NameService`) goes to the
/// upstream named `name` (case-insensitive). Methods of services no
/// upstream serves get no route (the proxy answers `UNIMPLEMENTED`).
pub fn routes(pool: &DescriptorPool, upstreams: &[String]) -> Routes {
    let mut out = Routes::new();
    for svc in pool.services() {
        let short = svc.name().to_ascii_lowercase();
        let short = short.strip_suffix("service").unwrap_or(&short).to_string();
        let upstream = if upstreams.len() == 1 {
            Some(0)
        } else {
            upstreams
                .iter()
                .position(|u| u.eq_ignore_ascii_case(svc.name()) || u.to_ascii_lowercase() == short)
        };
        let Some(upstream) = upstream else { continue };
        for method in svc.methods() {
            let path = format!("/{}/{}", svc.full_name(), method.name());
            out.insert(path, Route { method, upstream });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_by_service_name_and_loads_proto_files() {
        let pool = crate::demo::pool();
        let r = routes(&pool, &["kv".into(), "auth".into()]);
        assert_eq!(r["/ldfi.demo.v1.Kv/Insert"].upstream, 0);
        assert_eq!(r["/ldfi.demo.v1.Auth/Authenticate"].upstream, 1);
        assert!(!r.contains_key("/ldfi.demo.v1.Kv/Nope"));
        let only_kv = routes(&pool, &["kv".into(), "other".into()]);
        assert!(!only_kv.contains_key("/ldfi.demo.v1.Auth/Authenticate"));
        let proto = Path::new(env!("CARGO_MANIFEST_DIR")).join("proto/demo.proto");
        let compiled = load(&proto).expect("compiles at runtime");
        assert!(compiled.get_service_by_name("ldfi.demo.v1.Kv").is_some());
        let e = load(Path::new("/nonexistent.fds")).expect_err("missing");
        assert!(
            e.to_string().starts_with("--descriptor /nonexistent.fds"),
            "{e}"
        );
    }
}
