//! The node protocol of spec 05 §5, shared by the runtime's distribution layer and the
//! operator CLI (`mesh cluster`): length-prefixed frames, node names, and the
//! four-message HMAC-SHA256 cookie handshake over a TLS stream whose certificate is not
//! verified (the cookie authenticates).

pub mod frame;
pub mod handshake;
pub mod name;
