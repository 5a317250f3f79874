//! gRPC status codes, and the answers the proxy gives itself.

use crate::body::ChanBody;
use http::{HeaderMap, HeaderValue, Response};

/// The gRPC status codes the proxy answers with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Code {
    /// 0.
    Ok = 0,
    /// 1: the caller went away.
    Cancelled = 1,
    /// 3: malformed or undecodable message.
    InvalidArgument = 3,
    /// 4.
    DeadlineExceeded = 4,
    /// 7: refused by a rule or model.
    PermissionDenied = 7,
    /// 8: over the size limit.
    ResourceExhausted = 8,
    /// 12: unknown service or method.
    Unimplemented = 12,
    /// 13.
    Internal = 13,
    /// 14: upstream unreachable, dropped by a fault, or killed.
    Unavailable = 14,
}

impl Code {
    /// The code named `s` (`UNAVAILABLE`, `unavailable`, or `14`).
    pub fn parse(s: &str) -> Option<Code> {
        const ALL: [Code; 9] = [
            Code::Ok,
            Code::Cancelled,
            Code::InvalidArgument,
            Code::DeadlineExceeded,
            Code::PermissionDenied,
            Code::ResourceExhausted,
            Code::Unimplemented,
            Code::Internal,
            Code::Unavailable,
        ];
        ALL.into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(s) || (*c as u8).to_string() == s)
    }

    /// Its canonical name.
    pub fn name(self) -> &'static str {
        match self {
            Code::Ok => "OK",
            Code::Cancelled => "CANCELLED",
            Code::InvalidArgument => "INVALID_ARGUMENT",
            Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
            Code::PermissionDenied => "PERMISSION_DENIED",
            Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
            Code::Unimplemented => "UNIMPLEMENTED",
            Code::Internal => "INTERNAL",
            Code::Unavailable => "UNAVAILABLE",
        }
    }
}

/// The `grpc-status` / `grpc-message` pair (message percent-encoded).
pub fn headers(code: Code, message: &str, into: &mut HeaderMap) {
    into.insert("grpc-status", HeaderValue::from(code as u8 as u16));
    if let Ok(v) = HeaderValue::from_str(&percent_encode(message)) {
        into.insert("grpc-message", v);
    }
}

/// Trailers carrying `code` and `message`.
pub fn trailers(code: Code, message: &str) -> HeaderMap {
    let mut t = HeaderMap::new();
    headers(code, message, &mut t);
    t
}

/// A trailers-only answer: HTTP 200, the status in the headers, no body.
pub fn answer(code: Code, message: &str) -> Response<ChanBody> {
    let mut r = Response::new(ChanBody::empty());
    let h = r.headers_mut();
    h.insert("content-type", HeaderValue::from_static("application/grpc"));
    headers(code, message, h);
    r
}

/// The status of a header map (trailers, or a trailers-only answer):
/// (code number, decoded message), if it has one.
pub fn of(h: &HeaderMap) -> Option<(u32, String)> {
    let code = h.get("grpc-status")?.to_str().ok()?.parse().ok()?;
    let msg = h
        .get("grpc-message")
        .and_then(|v| v.to_str().ok())
        .map(percent_decode)
        .unwrap_or_default();
    Some((code, msg))
}

/// gRPC's percent-encoding of `grpc-message`.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if (0x20..0x7f).contains(&b) && b != b'%' {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_messages_round_trip() {
        assert_eq!(Code::parse("unavailable"), Some(Code::Unavailable));
        assert_eq!(Code::parse("7"), Some(Code::PermissionDenied));
        assert_eq!(Code::parse("NOPE"), None);
        let t = trailers(Code::PermissionDenied, "refused by `I2`: 100% é\n");
        assert_eq!(of(&t), Some((7, "refused by `I2`: 100% é\n".to_string())));
    }
}
