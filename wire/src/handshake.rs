//! The cookie handshake (spec 05 §5), over a TLS stream: (1) the connecting side says
//! its name; (2) the acceptor says its name and a 32-byte challenge `a`; (3) the
//! connecting side answers HMAC-SHA256(cookie, a) and its own challenge `b`; (4) the
//! acceptor answers HMAC-SHA256(cookie, b). Both compare in constant time. Handshake
//! frames are limited to 4 KiB. Certificates are not verified (`NoVerify`): the cookie
//! authenticates.

use crate::frame::{read_frame, Frame, In, HANDSHAKE_LIMIT};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};

pub fn hmac(cookie: &[u8], challenge: &[u8]) -> [u8; 32] {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(cookie).expect("HMAC takes any key");
    m.update(challenge);
    m.finalize().into_bytes().into()
}

pub fn verify(cookie: &[u8], challenge: &[u8], mac: &[u8]) -> bool {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(cookie).expect("HMAC takes any key");
    m.update(challenge);
    // constant time (`subtle`, inside `hmac`)
    m.verify_slice(mac).is_ok()
}

fn challenge() -> [u8; 32] {
    let mut c = [0u8; 32];
    c[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    c[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    c
}

pub fn hello(tag: u8, name: &str) -> Frame {
    Frame::new(tag).str16(name).u8(1)
}

/// The peer's advertised name in a hello (`tag`), validated.
pub fn peer_name(payload: &[u8], tag: u8) -> Result<(String, In<'_>), String> {
    let mut r = In { b: payload, i: 0 };
    if r.u8() != Some(tag) {
        return Err("unexpected handshake message".into());
    }
    let name = r.str16().ok_or("malformed handshake")?.to_string();
    crate::name::parse(&name).map_err(|why| format!("invalid node name {name:?}: {why}"))?;
    r.u8().ok_or("malformed handshake")?;
    Ok((name, r))
}

fn io(e: std::io::Error) -> String {
    e.to_string()
}

/// The connecting side, as `as_name`: the acceptor's name.
pub async fn client<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    as_name: &str,
    cookie: &[u8],
) -> Result<String, String> {
    s.write_all(&hello(1, as_name).done()).await.map_err(io)?;
    s.flush().await.map_err(io)?;
    let m2 = read_frame(s, HANDSHAKE_LIMIT).await?;
    let (name, mut r) = peer_name(&m2, 2)?;
    let a = r.take(32).ok_or("malformed handshake")?;
    let b = challenge();
    let mut m3 = Frame::new(3);
    m3.0.extend_from_slice(&hmac(cookie, a));
    m3.0.extend_from_slice(&b);
    s.write_all(&m3.done()).await.map_err(io)?;
    s.flush().await.map_err(io)?;
    let m4 = read_frame(s, HANDSHAKE_LIMIT)
        .await
        .map_err(|_| "the peer closed the connection (is the cookie the same?)".to_string())?;
    let mut r = In { b: &m4, i: 0 };
    let (Some(4), Some(mac)) = (r.u8(), r.take(32)) else {
        return Err("malformed handshake".to_string());
    };
    if !verify(cookie, &b, mac) {
        return Err(format!(
            "cookie mismatch: authentication failed from {name}"
        ));
    }
    Ok(name)
}

/// The accepting side, named `my_name`: the connecting side's name.
pub async fn server<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    my_name: &str,
    cookie: &[u8],
) -> Result<String, String> {
    let m1 = read_frame(s, HANDSHAKE_LIMIT).await?;
    let (name, _) = peer_name(&m1, 1)?;
    let a = challenge();
    let mut m2 = hello(2, my_name);
    m2.0.extend_from_slice(&a);
    s.write_all(&m2.done()).await.map_err(io)?;
    let m3 = read_frame(s, HANDSHAKE_LIMIT).await?;
    let mut r = In { b: &m3, i: 0 };
    let (Some(3), Some(mac), Some(b)) = (r.u8(), r.take(32), r.take(32)) else {
        return Err(format!("malformed handshake from {name}"));
    };
    if !verify(cookie, &a, mac) {
        return Err(format!(
            "cookie mismatch: authentication failed from {name}"
        ));
    }
    let mut m4 = Frame::new(4);
    m4.0.extend_from_slice(&hmac(cookie, b));
    s.write_all(&m4.done()).await.map_err(io)?;
    s.flush().await.map_err(io)?;
    Ok(name)
}

/// A TLS client configuration that accepts any certificate (spec 05 §5).
pub fn client_config() -> rustls::ClientConfig {
    let _ = rustls::crypto::ring::default_provider().install_default();
    rustls::ClientConfig::builder()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(NoVerify))
        .with_no_client_auth()
}

/// Peers' certificates are not verified: the cookie authenticates.
#[derive(Debug)]
struct NoVerify;

impl rustls::client::danger::ServerCertVerifier for NoVerify {
    fn verify_server_cert(
        &self,
        _: &rustls::pki_types::CertificateDer<'_>,
        _: &[rustls::pki_types::CertificateDer<'_>],
        _: &rustls::pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &rustls::pki_types::CertificateDer<'_>,
        d: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(m, c, d, &supported())
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &rustls::pki_types::CertificateDer<'_>,
        d: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(m, c, d, &supported())
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        supported().supported_schemes()
    }
}

fn supported() -> rustls::crypto::WebPkiSupportedAlgorithms {
    rustls::crypto::ring::default_provider().signature_verification_algorithms
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(
        client_cookie: &'static [u8],
        server_cookie: &'static [u8],
    ) -> (Result<String, String>, Result<String, String>) {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        rt.block_on(async {
            let (mut a, mut b) = tokio::io::duplex(1 << 16);
            // each side closes its end when done, as a dropped connection does
            let c = async move { client(&mut a, "a@127.0.0.1:1", client_cookie).await };
            let s = async move { server(&mut b, "b@127.0.0.1:2", server_cookie).await };
            tokio::join!(c, s)
        })
    }

    #[test]
    fn hellos_carry_valid_names_only() {
        let f = hello(1, "a@127.0.0.1:9").done();
        assert_eq!(peer_name(&f[4..], 1).unwrap().0, "a@127.0.0.1:9");
        assert!(peer_name(&f[4..], 2).is_err());
        let bad = hello(1, "not a name").done();
        assert!(peer_name(&bad[4..], 1).is_err());
        assert!(verify(
            b"cookie",
            b"challenge",
            &hmac(b"cookie", b"challenge")
        ));
        assert!(!verify(
            b"other",
            b"challenge",
            &hmac(b"cookie", b"challenge")
        ));
        assert!(!verify(b"cookie", b"challenge", &[0; 31]));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_handshake_messages_are_refused_not_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300), tag in 0u8..6) {
            let _ = peer_name(&bytes, tag);
            let _ = verify(b"k", &bytes, &bytes);
        }
    }

    #[test]
    fn the_same_cookie_authenticates_both_sides() {
        let (c, s) = both(b"secret", b"secret");
        assert_eq!(c.unwrap(), "b@127.0.0.1:2");
        assert_eq!(s.unwrap(), "a@127.0.0.1:1");
    }

    #[test]
    fn a_wrong_cookie_is_refused_by_the_acceptor() {
        let (_, s) = both(b"wrong", b"secret");
        assert!(s.unwrap_err().contains("cookie mismatch"));
    }
}
