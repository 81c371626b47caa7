//! Who sent a request: the address the per-sender limits count by.
//!
//! An IPv6 sender controls a whole /64 (any host can pick any address in
//! its own network), so IPv6 addresses count by their /64; IPv4-mapped IPv6
//! addresses count as the IPv4 address.

use std::net::{IpAddr, Ipv6Addr};

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
}
