//! Who sent a request: the address the per-sender limits count by.
//!
//! An IPv6 sender controls a whole /64 (any host can pick any address in
//! its own network), so IPv6 addresses count by their /64; IPv4-mapped IPv6
//! addresses count as the IPv4 address.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::{Arc, Mutex};

/// The key the per-sender limits use for `ip`.
pub(crate) fn sender_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(v4) => IpAddr::V4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// At most `per_sender` of something at once per sender.
#[derive(Debug)]
pub(crate) struct SenderSlots {
    per_sender: usize,
    held: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

/// One sender's place in [`SenderSlots`], given back on drop.
#[derive(Debug)]
pub(crate) struct SenderSlot {
    key: IpAddr,
    held: Arc<Mutex<HashMap<IpAddr, usize>>>,
}

impl SenderSlots {
    pub fn new(per_sender: usize) -> Self {
        Self {
            per_sender,
            held: Arc::default(),
        }
    }

    /// A place for `ip`, or `None` when it holds all its places already.
    pub fn take(&self, ip: IpAddr) -> Option<SenderSlot> {
        let key = sender_key(ip);
        let mut held = self.held.lock().ok()?;
        let n = held.entry(key).or_insert(0);
        if *n >= self.per_sender {
            return None;
        }
        *n += 1;
        Some(SenderSlot {
            key,
            held: self.held.clone(),
        })
    }
}

impl Drop for SenderSlot {
    fn drop(&mut self) {
        if let Ok(mut held) = self.held.lock()
            && let Some(n) = held.get_mut(&self.key)
        {
            *n -= 1;
            if *n == 0 {
                held.remove(&self.key);
            }
        }
    }
}

/// Who sent a request, as shown in logs and stored with a rejection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sender {
    /// The address the per-sender limits count by.
    pub ip: IpAddr,
    shown: String,
}

impl Sender {
    /// The sender of a request from `peer` (see [`sender`]).
    pub fn of(
        peer: std::net::SocketAddr,
        headers: &axum::http::HeaderMap,
        trusted: &[IpAddr],
    ) -> Self {
        let ip = sender(peer.ip(), headers, trusted);
        let shown = if ip == peer.ip() {
            peer.to_string()
        } else {
            format!("{ip} (via {peer})")
        };
        Self { ip, shown }
    }
}

impl std::fmt::Display for Sender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

/// The sender of a request: the TCP peer, or, when the peer is a trusted
/// proxy, the client it names (the rightmost `X-Forwarded-For` address that
/// is not itself a trusted proxy, else the same in `Forwarded: for=`).
pub(crate) fn sender(peer: IpAddr, headers: &axum::http::HeaderMap, trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    let named = |header: &str, split: &[char], pick: fn(&str) -> Option<IpAddr>| -> Vec<IpAddr> {
        headers
            .get_all(header)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(split).map(str::to_owned).collect::<Vec<_>>())
            .filter_map(|part| pick(part.trim()))
            .collect()
    };
    let forwarded_for = named("x-forwarded-for", &[','], |a| a.parse().ok());
    let forwarded = named("forwarded", &[',', ';'], |part| {
        let (k, v) = part.split_once('=')?;
        if !k.trim().eq_ignore_ascii_case("for") {
            return None;
        }
        let v = v.trim().trim_matches('"');
        let host = match v.strip_prefix('[') {
            Some(rest) => rest.split(']').next().unwrap_or(rest),
            None => v,
        };
        host.parse()
            .ok()
            .or_else(|| host.rsplit_once(':').and_then(|(ip, _)| ip.parse().ok()))
    });
    [forwarded_for, forwarded]
        .iter()
        .find_map(|list| list.iter().rev().find(|ip| !trusted.contains(ip)).copied())
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_senders_count_by_their_slash_64() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(sender_key(a), sender_key(b));
        assert_ne!(sender_key(a), sender_key(other));
        let mapped: IpAddr = "::ffff:203.0.113.7".parse().unwrap();
        assert_eq!(sender_key(mapped), "203.0.113.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn forwarded_headers_count_only_from_a_trusted_proxy() {
        use axum::http::{HeaderMap, HeaderValue};
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("198.51.100.9, 203.0.113.5, 10.0.0.2"),
        );
        assert_eq!(
            sender(proxy, &h, &[proxy]),
            "203.0.113.5".parse::<IpAddr>().unwrap()
        );
        // From anyone else, the header is ignored: it is the sender's own claim.
        let stranger: IpAddr = "192.0.2.1".parse().unwrap();
        assert_eq!(sender(stranger, &h, &[proxy]), stranger);
        let mut h = HeaderMap::new();
        h.insert(
            "forwarded",
            HeaderValue::from_static("for=\"[2001:db8::7]:4711\";proto=https"),
        );
        assert_eq!(
            sender(proxy, &h, &[proxy]),
            "2001:db8::7".parse::<IpAddr>().unwrap()
        );
        assert_eq!(sender(proxy, &HeaderMap::new(), &[proxy]), proxy);
    }

    #[test]
    fn sender_slots_are_per_sender_and_come_back() {
        let slots = SenderSlots::new(2);
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let one = slots.take(a).unwrap();
        let _two = slots.take(a).unwrap();
        assert!(slots.take(a).is_none());
        assert!(slots.take(b).is_some());
        drop(one);
        assert!(slots.take(a).is_some());
    }
}
