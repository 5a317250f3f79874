//! gRPC messages as the enforcement checker's events, read through a
//! descriptor set with `prost-reflect`. The mapping of a message to an event
//! is the generic proxy's own ([`ldfi_rpc::event::of`]: the method's name is
//! the kind, the direction request or response, fields by name, nested ones
//! with dots, a plain proto3 field always present so `ok = false` is seen):
//! the simulation feeds its checker through the very function the proxy
//! uses — one spec file, one meaning.

use ldfi_enforce::{Dir, MsgEvent};
use prost_reflect::{DescriptorPool, DynamicMessage, MethodDescriptor};

/// Decodes messages of the services of a descriptor set.
#[derive(Clone, Debug)]
pub struct Decoder {
    pool: DescriptorPool,
}

impl Decoder {
    /// The forum's services ([`crate::DESCRIPTOR_SET`]).
    pub fn forum() -> Decoder {
        Decoder::from_set(crate::DESCRIPTOR_SET).expect("the embedded descriptor set decodes")
    }

    /// The services of an encoded `FileDescriptorSet`.
    pub fn from_set(bytes: &[u8]) -> Result<Decoder, String> {
        DescriptorPool::decode(bytes)
            .map(|pool| Decoder { pool })
            .map_err(|e| format!("descriptor set: {e}"))
    }

    /// The method of a gRPC path `/package.Service/Method`.
    pub fn method(&self, path: &str) -> Option<MethodDescriptor> {
        let (service, method) = path.strip_prefix('/')?.split_once('/')?;
        self.pool
            .get_service_by_name(service)?
            .methods()
            .find(|m| m.name() == method)
    }

    /// The message `bytes` (one message, unframed) of `method` in
    /// direction `dir`, from `src` to `dst`, as a checker event.
    pub fn event(
        &self,
        src: &str,
        dst: &str,
        method: &MethodDescriptor,
        dir: Dir,
        bytes: &[u8],
    ) -> Result<MsgEvent, String> {
        let desc = match dir {
            Dir::Request => method.input(),
            Dir::Response => method.output(),
        };
        let msg = DynamicMessage::decode(desc, bytes)
            .map_err(|e| format!("{} {dir}: {e}", method.full_name()))?;
        Ok(ldfi_rpc::event::of(src, dst, dir, method.name(), &msg))
    }
}

/// The one message of a unary gRPC body: its 5-byte frame header
/// (compressed flag, big-endian length) stripped.
pub fn unframe(body: &[u8]) -> Result<&[u8], String> {
    if body.len() < 5 {
        return Err(format!(
            "a gRPC frame of {} bytes (needs 5 or more)",
            body.len()
        ));
    }
    if body[0] != 0 {
        return Err("a compressed gRPC message (not supported)".into());
    }
    let len = u32::from_be_bytes([body[1], body[2], body[3], body[4]]) as usize;
    body.get(5..5 + len).ok_or_else(|| {
        format!(
            "a gRPC frame claiming {len} bytes, {} present",
            body.len() - 5
        )
    })
}

/// A readable label of an event, as a trace shows it: the method, with
/// `Response` appended for a response, and its fields.
pub fn label(ev: &MsgEvent) -> String {
    let suffix = if ev.dir == Dir::Response {
        "Response"
    } else {
        ""
    };
    let fields: Vec<String> = ev.fields.iter().map(|(n, v)| format!("{n}: {v}")).collect();
    format!("{}{suffix} {{ {} }}", ev.kind, fields.join(", "))
}
