//! The wire protocol's frames (spec 05 §5): `u32 length (LE) || payload`, payload byte
//! 0 the message tag; a builder (`Frame`) and a reader that checks every length against
//! what is left (`In`). Handshake frames are limited to 4 KiB, later ones to 16 MiB.

use tokio::io::AsyncReadExt;

pub const SEND: u8 = 0x10;
pub const REG_SEND: u8 = 0x11;
pub const PEER_LIST: u8 = 0x12;
pub const LINK: u8 = 0x13;
pub const UNLINK: u8 = 0x14;
pub const EXIT: u8 = 0x15;
pub const MONITOR: u8 = 0x16;
pub const MONITOR_EXIT: u8 = 0x18;
pub const SPAWN: u8 = 0x19;
pub const SPAWN_REPLY: u8 = 0x1A;
pub const GLOBAL_REGISTER: u8 = 0x1B;
pub const GLOBAL_UNREGISTER: u8 = 0x1C;
pub const GLOBAL_SYNC: u8 = 0x1D;
/// Service calls across nodes (Mesh's own; spec 05 has none): `CALL` u64 caller, u64
/// service (local ids), u64 call id; `REPLY` u64 caller, u64 call id, u8 status (0: the
/// reply's descriptor and STF follow; 1: a reason).
pub const CALL: u8 = 0x30;
pub const REPLY: u8 = 0x31;
/// Transient connections (spec 05 §11.3, §14): one query, one reply. `HTTP_ROUTE_QUERY`:
/// runtime name, the record, the encoded request; its reply: u8 status (0: the encoded
/// response follows; 1: a reason). `OPERATOR_QUERY`: kind, request key, limit (u32; 0:
/// none); its reply: u8 status (0: JSON follows; 1: the rejection's reason).
pub const HTTP_ROUTE_QUERY: u8 = 0x50;
pub const HTTP_ROUTE_REPLY: u8 = 0x51;
pub const OPERATOR_QUERY: u8 = 0x52;
pub const OPERATOR_REPLY: u8 = 0x53;
/// The names transient clients hello with.
pub const ROUTE_CLIENT: &str = "mesh-http-route@127.0.0.1:1";
pub const OPERATOR_CLIENT: &str = "mesh-operator-query@127.0.0.1:1";
pub const PING: u8 = 0xF0;
pub const PONG: u8 = 0xF1;

pub const HANDSHAKE_LIMIT: usize = 4 << 10;
pub const FRAME_LIMIT: usize = 16 << 20;

pub fn framed(payload: Vec<u8>) -> Vec<u8> {
    let mut f = Vec::with_capacity(payload.len() + 4);
    f.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    f.extend_from_slice(&payload);
    f
}

/// A payload built in place after its length word.
pub struct Frame(pub Vec<u8>);

impl Frame {
    pub fn new(tag: u8) -> Frame {
        Frame(vec![0, 0, 0, 0, tag])
    }
    pub fn u8(mut self, v: u8) -> Frame {
        self.0.push(v);
        self
    }
    pub fn u16(mut self, v: u16) -> Frame {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn u32(mut self, v: u32) -> Frame {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn u64(mut self, v: u64) -> Frame {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    pub fn str16(self, s: &str) -> Frame {
        let b = &s.as_bytes()[..s.len().min(u16::MAX as usize)];
        let mut f = self.u16(b.len() as u16);
        f.0.extend_from_slice(b);
        f
    }
    pub fn bytes32(self, b: &[u8]) -> Frame {
        let mut f = self.u32(b.len() as u32);
        f.0.extend_from_slice(b);
        f
    }
    pub fn done(mut self) -> Vec<u8> {
        let n = (self.0.len() - 4) as u32;
        self.0[..4].copy_from_slice(&n.to_le_bytes());
        self.0
    }
}

/// Reads what a peer sent, checking every length against what is left.
pub struct In<'a> {
    pub b: &'a [u8],
    pub i: usize,
}

impl<'a> In<'a> {
    pub fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.i.checked_add(n).filter(|e| *e <= self.b.len())?;
        let s = &self.b[self.i..end];
        self.i = end;
        Some(s)
    }
    pub fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    pub fn u16(&mut self) -> Option<u16> {
        Some(u16::from_le_bytes(self.take(2)?.try_into().ok()?))
    }
    pub fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    pub fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    pub fn str16(&mut self) -> Option<&'a str> {
        let n = self.u16()? as usize;
        std::str::from_utf8(self.take(n)?).ok()
    }
    pub fn bytes32(&mut self) -> Option<&'a [u8]> {
        let n = self.u32()? as usize;
        self.take(n)
    }
    pub fn rest(&mut self) -> &'a [u8] {
        let s = &self.b[self.i..];
        self.i = self.b.len();
        s
    }
}

/// Reads one frame's payload (at most `limit` bytes).
pub async fn read_frame<R: AsyncReadExt + Unpin>(
    r: &mut R,
    limit: usize,
) -> Result<Vec<u8>, String> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len).await.map_err(io_why)?;
    let n = u32::from_le_bytes(len) as usize;
    if n == 0 || n > limit {
        return Err(format!("a frame of {n} bytes"));
    }
    let mut buf = vec![0u8; n];
    r.read_exact(&mut buf).await.map_err(io_why)?;
    Ok(buf)
}

/// A read error in words a log reader knows (rustls calls a plain close "unexpected EOF").
pub fn io_why(e: std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => "connection closed".into(),
        std::io::ErrorKind::ConnectionReset => "connection reset".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests;
