//! Which IP addresses are globally reachable, by IANA's special-purpose address registries
//! (<https://www.iana.org/assignments/iana-ipv4-special-registry/>,
//! <https://www.iana.org/assignments/iana-ipv6-special-registry/>, as of 2025), kept here as
//! data: each block with its name and whether the registry calls it globally reachable.
//!
//! IPv4 outside the registry is global unless multicast. IPv6 is global only inside global
//! unicast (`2000::/3`) and outside the registry's non-global blocks; an IPv4 address carried
//! inside IPv6 (IPv4-mapped, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) is judged as that IPv4
//! address, so `[64:ff9b::a9fe:a9fe]` is the metadata service it names.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// One registry entry: the block, its prefix length, its name, globally reachable or not.
type V4Block = ([u8; 4], u8, &'static str, bool);
type V6Block = (u128, u8, &'static str, bool);

/// IANA IPv4 Special-Purpose Address Registry. More specific entries come first: the first
/// block that contains an address decides.
const IPV4: &[V4Block] = &[
    ([192, 0, 0, 9], 32, "Port Control Protocol Anycast", true),
    (
        [192, 0, 0, 10],
        32,
        "Traversal Using Relays around NAT Anycast",
        true,
    ),
    ([0, 0, 0, 0], 8, "\"This network\"", false),
    ([10, 0, 0, 0], 8, "Private-Use", false),
    ([100, 64, 0, 0], 10, "Shared Address Space", false),
    ([127, 0, 0, 0], 8, "Loopback", false),
    ([169, 254, 0, 0], 16, "Link Local", false),
    ([172, 16, 0, 0], 12, "Private-Use", false),
    ([192, 0, 0, 0], 24, "IETF Protocol Assignments", false),
    ([192, 0, 2, 0], 24, "Documentation (TEST-NET-1)", false),
    ([192, 31, 196, 0], 24, "AS112-v4", true),
    ([192, 52, 193, 0], 24, "AMT", true),
    (
        [192, 88, 99, 0],
        24,
        "Deprecated (6to4 Relay Anycast)",
        false,
    ),
    ([192, 168, 0, 0], 16, "Private-Use", false),
    (
        [192, 175, 48, 0],
        24,
        "Direct Delegation AS112 Service",
        true,
    ),
    ([198, 18, 0, 0], 15, "Benchmarking", false),
    ([198, 51, 100, 0], 24, "Documentation (TEST-NET-2)", false),
    ([203, 0, 113, 0], 24, "Documentation (TEST-NET-3)", false),
    ([240, 0, 0, 0], 4, "Reserved", false),
    ([255, 255, 255, 255], 32, "Limited Broadcast", false),
];

/// IANA IPv6 Special-Purpose Address Registry, the blocks inside `2000::/3` (everything
/// outside it is not global unicast anyway). More specific entries first.
const IPV6: &[V6Block] = &[
    (
        0x2001_0001_0000_0000_0000_0000_0000_0001,
        128,
        "Port Control Protocol Anycast",
        true,
    ),
    (
        0x2001_0001_0000_0000_0000_0000_0000_0002,
        128,
        "TURN Anycast",
        true,
    ),
    (0x2001_0003_0000_0000_0000_0000_0000_0000, 32, "AMT", true),
    (
        0x2001_0004_0112_0000_0000_0000_0000_0000,
        48,
        "AS112-v6",
        true,
    ),
    (
        0x2001_0020_0000_0000_0000_0000_0000_0000,
        28,
        "ORCHIDv2",
        true,
    ),
    (
        0x2001_0030_0000_0000_0000_0000_0000_0000,
        28,
        "Drone Remote ID Protocol Entity Tags",
        true,
    ),
    (
        0x2001_0000_0000_0000_0000_0000_0000_0000,
        32,
        "TEREDO",
        false,
    ),
    (
        0x2001_0002_0000_0000_0000_0000_0000_0000,
        48,
        "Benchmarking",
        false,
    ),
    (
        0x2001_0000_0000_0000_0000_0000_0000_0000,
        23,
        "IETF Protocol Assignments",
        false,
    ),
    (
        0x2001_0db8_0000_0000_0000_0000_0000_0000,
        32,
        "Documentation",
        false,
    ),
    (
        0x3fff_0000_0000_0000_0000_0000_0000_0000,
        20,
        "Documentation",
        false,
    ),
];

fn v4_in(ip: Ipv4Addr, (net, prefix, _, _): &V4Block) -> bool {
    let mask = u32::MAX.checked_shl(32 - u32::from(*prefix)).unwrap_or(0);
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(*net)) & mask
}

fn v6_in(ip: Ipv6Addr, (net, prefix, _, _): &V6Block) -> bool {
    let mask = u128::MAX.checked_shl(128 - u32::from(*prefix)).unwrap_or(0);
    u128::from(ip) & mask == net & mask
}

/// The IPv4 address an IPv6 address carries, where the IPv6 address is only a way to reach
/// it: IPv4-mapped (`::ffff:0:0/96`), IPv4-compatible (`::/96`, deprecated), NAT64
/// (`64:ff9b::/96`, `64:ff9b:1::/48`) and 6to4 (`2002::/16`).
pub fn embedded_ipv4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let bits = u128::from(ip);
    let low = Ipv4Addr::from((bits & 0xffff_ffff) as u32);
    let top96 = bits >> 32;
    match top96 {
        0xffff => return Some(low),
        // ::1 and :: are IPv6's own loopback and unspecified, judged as such.
        0 if bits > 1 => return Some(low),
        0x0064_ff9b_0000_0000_0000_0000 => return Some(low),
        _ => {}
    }
    if bits >> 80 == 0x0064_ff9b_0001 {
        // Local-use NAT64: the IPv4 address may sit anywhere in the suffix; read it as the
        // low 32 bits, the usual /96 layout inside the /48.
        return Some(low);
    }
    if bits >> 112 == 0x2002 {
        return Some(Ipv4Addr::from(((bits >> 80) & 0xffff_ffff) as u32));
    }
    None
}

/// Whether an address is globally reachable: a webhook may be sent there.
pub fn is_global(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            !v4.is_multicast() && IPV4.iter().find(|b| v4_in(v4, b)).is_none_or(|b| b.3)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = embedded_ipv4(v6) {
                return is_global(IpAddr::V4(v4));
            }
            let global_unicast = u128::from(v6) >> 125 == 0b001;
            global_unicast && IPV6.iter().find(|b| v6_in(v6, b)).is_none_or(|b| b.3)
        }
    }
}

/// The registry's name for the block an address is in, for messages.
pub fn block_name(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => IPV4.iter().find(|b| v4_in(v4, b)).map(|b| b.2),
        IpAddr::V6(v6) => match embedded_ipv4(v6) {
            Some(v4) => block_name(IpAddr::V4(v4)),
            None => IPV6.iter().find(|b| v6_in(v6, b)).map(|b| b.2),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn global(s: &str) -> bool {
        is_global(s.parse().unwrap())
    }

    #[test]
    fn what_the_probe_sent_is_not_global() {
        for a in [
            "::127.0.0.1",
            "::a00:1",
            "64:ff9b::a9fe:a9fe",
            "64:ff9b:1::a9fe:a9fe",
            "2002:a9fe:a9fe::1",
            "fec0::1",
            "192.0.0.170",
            "::ffff:169.254.169.254",
            "::ffff:127.0.0.1",
        ] {
            assert!(!global(a), "{a}");
        }
    }

    #[test]
    fn the_registries_decide() {
        for a in [
            "0.1.2.3",
            "10.0.0.1",
            "100.64.0.1",
            "127.0.0.1",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.88.99.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "240.0.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "239.1.2.3",
            "::",
            "::1",
            "fe80::1",
            "fc00::1",
            "fd12::1",
            "ff02::1",
            "2001::1",
            "2001:2::1",
            "2001:db8::1",
            "3fff::1",
            "100::1",
            "5f00::1",
            "::ffff:0:10.0.0.1",
        ] {
            assert!(!global(a), "{a}");
        }
        for a in [
            "8.8.8.8",
            "93.184.216.34",
            "172.32.0.1",
            "192.0.0.9",
            "192.0.0.10",
            "192.31.196.1",
            "192.175.48.1",
            "2606:4700::1111",
            "2a00:1450:4001::1",
            "2001:4860:4860::8888",
            "2001:3::1",
            "2001:20::1",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
        ] {
            assert!(global(a), "{a}");
        }
        assert_eq!(
            block_name("64:ff9b::a9fe:a9fe".parse().unwrap()),
            Some("Link Local")
        );
    }

    proptest::proptest! {
        /// An IPv4 address and every IPv6 form that carries it are judged alike.
        #[test]
        fn embedded_forms_agree(n in proptest::num::u32::ANY) {
            let v4 = Ipv4Addr::from(n);
            let want = is_global(IpAddr::V4(v4));
            let [a, b, c, d] = v4.octets();
            let forms = [
                v4.to_ipv6_mapped(),
                Ipv6Addr::from((0x0064_ff9b_u128 << 96) | u128::from(n)),
                Ipv6Addr::new(0x2002, u16::from_be_bytes([a, b]), u16::from_be_bytes([c, d]), 0, 0, 0, 0, 1),
            ];
            for f in forms {
                proptest::prop_assert_eq!(is_global(IpAddr::V6(f)), want, "{}", f);
            }
        }
    }
}
