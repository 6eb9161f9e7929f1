//! Node names (spec 05 §1): `NAME@HOST[:PORT]`, the node's identity and its listen
//! address at once.

/// The port of a name that gives none.
pub const DEFAULT_PORT: u16 = 9000;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeName {
    pub name: String,
    /// The host as written, without brackets.
    pub host: String,
    pub port: u16,
}

impl NodeName {
    /// `host:port` to bind or connect to (IPv6 literals bracketed).
    pub fn addr(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// Parses a node name; the reason when it is not one.
pub fn parse(text: &str) -> Result<NodeName, &'static str> {
    if text.contains(' ') {
        return Err("a node name cannot contain spaces");
    }
    let Some((name, rest)) = text.split_once('@') else {
        return Err("expected name@host[:port]");
    };
    if name.is_empty() {
        return Err("the node name is empty");
    }
    if rest.contains('@') {
        return Err("expected name@host[:port]");
    }
    let (host, port) = if let Some(r) = rest.strip_prefix('[') {
        let Some((host, after)) = r.split_once(']') else {
            return Err("an IPv6 host must be written [addr]:port");
        };
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').ok_or("the host is invalid")?),
        };
        (host, port)
    } else if rest.matches(':').count() > 1 {
        // an unbracketed IPv6 literal, without a port
        (rest, None)
    } else {
        match rest.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        }
    };
    if host.is_empty() || host.contains(['[', ']']) {
        return Err("the host is invalid");
    }
    let port = match port {
        None => DEFAULT_PORT,
        Some(p) => match p.parse::<u16>() {
            Ok(n) if n > 0 => n,
            _ => return Err("the port must be a positive integer"),
        },
    };
    Ok(NodeName {
        name: name.to_string(),
        host: host.to_string(),
        port,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        let n = parse("hub@127.0.0.1:7101").unwrap();
        assert_eq!(
            (n.name.as_str(), n.host.as_str(), n.port),
            ("hub", "127.0.0.1", 7101)
        );
        assert_eq!(parse("a@host").unwrap().port, DEFAULT_PORT);
        let v6 = parse("standby@[::1]:4370").unwrap();
        assert_eq!(
            (v6.host.as_str(), v6.addr()),
            ("::1", "[::1]:4370".to_string())
        );
        assert_eq!(parse("x@::1").unwrap().port, DEFAULT_PORT);
        for bad in [
            "",
            "nohost",
            "@h:1",
            "a@",
            "a b@h",
            "a@h:0",
            "a@h:x",
            "a@b@c",
            "a@[::1",
            "a@h:99999",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
