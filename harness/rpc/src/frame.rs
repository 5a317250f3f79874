//! gRPC length-prefixed messages (1 byte compressed flag, 4 bytes
//! big-endian length, the message), read one at a time from an HTTP/2 body
//! however its data frames split them.

use bytes::{Buf, Bytes, BytesMut};
use http::HeaderMap;
use http_body::Body;
use http_body_util::BodyExt;

/// The prefix before every message.
pub const PREFIX: usize = 5;

/// What a body yields next.
#[derive(Debug)]
pub enum Item {
    /// One message: the whole frame (prefix included, to forward as is)
    /// and its payload.
    Message {
        /// Prefix and payload.
        frame: Bytes,
        /// The payload alone.
        payload: Bytes,
    },
    /// The trailers (a response's `grpc-status`).
    Trailers(HeaderMap),
    /// The end of the body.
    End,
}

/// Why a body could not be read as gRPC messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrameError {
    /// A message longer than the limit (its declared length).
    TooLarge(usize),
    /// A compressed message (the proxy cannot check what it cannot decode).
    Compressed,
    /// A flag byte other than 0 or 1.
    BadFlag(u8),
    /// The body ended inside a message.
    Truncated,
    /// The peer went away mid-body (reset, disconnect).
    Disconnected(String),
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FrameError::TooLarge(n) => write!(f, "message of {n} bytes is over the size limit"),
            FrameError::Compressed => f.write_str("compressed message (not checkable)"),
            FrameError::BadFlag(b) => write!(f, "malformed frame: flag byte {b}"),
            FrameError::Truncated => f.write_str("malformed frame: body ends inside a message"),
            FrameError::Disconnected(why) => write!(f, "peer disconnected: {why}"),
        }
    }
}

/// Reads messages from body `B`, at most `max` bytes each.
pub struct Reader<B> {
    body: B,
    buf: BytesMut,
    max: usize,
    ended: bool,
}

impl<B> Reader<B>
where
    B: Body<Data = Bytes> + Unpin,
    B::Error: std::fmt::Display,
{
    /// A reader of `body`.
    pub fn new(body: B, max: usize) -> Reader<B> {
        Reader {
            body,
            buf: BytesMut::new(),
            max,
            ended: false,
        }
    }

    /// The next message, the trailers, or the end.
    pub async fn next(&mut self) -> Result<Item, FrameError> {
        loop {
            if let Some(item) = self.split()? {
                return Ok(item);
            }
            if self.ended {
                return if self.buf.is_empty() {
                    Ok(Item::End)
                } else {
                    Err(FrameError::Truncated)
                };
            }
            match self.body.frame().await {
                None => self.ended = true,
                Some(Err(e)) => return Err(FrameError::Disconnected(e.to_string())),
                Some(Ok(frame)) => match frame.into_data() {
                    Ok(data) => self.buf.extend_from_slice(&data),
                    Err(frame) => {
                        if let Ok(trailers) = frame.into_trailers() {
                            if !self.buf.is_empty() {
                                return Err(FrameError::Truncated);
                            }
                            self.ended = true;
                            return Ok(Item::Trailers(trailers));
                        }
                    }
                },
            }
        }
    }

    /// Whether nothing is left to read: no buffered bytes, and the body at
    /// its end (a unary request after its one message).
    pub fn finished(&self) -> bool {
        self.buf.is_empty() && (self.ended || self.body.is_end_stream())
    }

    /// A whole message from the buffer, if there is one.
    fn split(&mut self) -> Result<Option<Item>, FrameError> {
        if self.buf.len() < PREFIX {
            return Ok(None);
        }
        match self.buf[0] {
            0 => {}
            1 => return Err(FrameError::Compressed),
            b => return Err(FrameError::BadFlag(b)),
        }
        let len = (&self.buf[1..PREFIX]).get_u32() as usize;
        if len > self.max {
            return Err(FrameError::TooLarge(len));
        }
        if self.buf.len() < PREFIX + len {
            return Ok(None);
        }
        let frame = self.buf.split_to(PREFIX + len).freeze();
        let payload = frame.slice(PREFIX..);
        Ok(Some(Item::Message { frame, payload }))
    }
}

/// A message with its prefix.
pub fn encode(payload: &[u8]) -> Bytes {
    let mut out = BytesMut::with_capacity(PREFIX + payload.len());
    out.extend_from_slice(&[0]);
    out.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    out.extend_from_slice(payload);
    out.freeze()
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::Full;

    fn reader(bytes: Vec<u8>, max: usize) -> Reader<Full<Bytes>> {
        Reader::new(Full::new(Bytes::from(bytes)), max)
    }

    #[tokio::test]
    async fn messages_limits_and_malformed_frames() {
        let mut two = encode(b"ab").to_vec();
        two.extend_from_slice(&encode(b""));
        let mut r = reader(two, 10);
        assert!(
            matches!(r.next().await, Ok(Item::Message { payload, .. }) if &payload[..] == b"ab")
        );
        assert!(matches!(r.next().await, Ok(Item::Message { payload, .. }) if payload.is_empty()));
        assert!(matches!(r.next().await, Ok(Item::End)));
        assert_eq!(
            reader(encode(&[7; 11]).to_vec(), 10).next().await.err(),
            Some(FrameError::TooLarge(11))
        );
        assert_eq!(
            reader(vec![9, 0, 0, 0, 0], 10).next().await.err(),
            Some(FrameError::BadFlag(9))
        );
        assert_eq!(
            reader(vec![1, 0, 0, 0, 0], 10).next().await.err(),
            Some(FrameError::Compressed)
        );
        assert_eq!(
            reader(vec![0, 0, 0, 0, 3, 1], 10).next().await.err(),
            Some(FrameError::Truncated)
        );
    }
}
