//! The server-side request forgery guard: a webhook may only reach public addresses.
//!
//! A URL is checked when its webhook is made (its host's addresses, resolved then), and
//! again at every delivery: [`GuardedResolver`] is the sender's DNS resolver, so a name
//! that resolves to a private address later (DNS rebinding) is refused at connect time,
//! and a host given as an address is checked before each attempt. Redirects are never
//! followed. `--webhooks-allow-private` turns the guard off (tests, private networks).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// How long resolving a webhook's host may take when it is made.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(3);

/// Why a URL's host may not be reached.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum AddressRefusal {
    /// It is, or resolves to, an address that is not public.
    #[error(
        "the URL's host is or resolves to a loopback, private or link-local address ({0}); \
         the server refuses these unless it runs with --webhooks-allow-private"
    )]
    NotPublic(IpAddr),
    /// Its name does not resolve.
    #[error("the URL's host cannot be resolved: {0}")]
    Unresolved(String),
}

/// Whether `ip` is a public unicast address: not loopback, private, link-local, shared
/// (carrier-grade NAT), unspecified, broadcast, multicast, documentation or reserved, and
/// no IPv6 form of one of those (mapped or NAT64 IPv4).
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let special = ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (18..20).contains(&b))
        || a >= 240;
    !special
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let segments = ip.segments();
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [_, _, _, _, _, _, hi, lo] = segments;
        let embedded = Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
        return is_public_v4(embedded);
    }
    let special = ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || segments[0] & 0xfe00 == 0xfc00
        || segments[0] & 0xffc0 == 0xfe80
        || (segments[0] == 0x2001 && segments[1] == 0x0db8)
        || segments[..6] == [0, 0, 0, 0, 0, 0];
    !special
}

/// The address a URL's host names literally, if it does.
pub(crate) fn literal_address(url: &Url) -> Option<IpAddr> {
    match url.host()? {
        Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        Host::Domain(_) => None,
    }
}

/// Check that `url`'s host is public: its literal address, or every address its name
/// resolves to now.
pub(crate) async fn check_url(url: &Url) -> Result<(), AddressRefusal> {
    if let Some(ip) = literal_address(url) {
        return refuse_private([ip]);
    }
    let host = url.host_str().unwrap_or_default().to_owned();
    let port = url.port_or_known_default().unwrap_or(443);
    let lookup = tokio::net::lookup_host((host.as_str(), port));
    let addrs = tokio::time::timeout(RESOLVE_TIMEOUT, lookup)
        .await
        .map_err(|_| AddressRefusal::Unresolved(format!("{host}: no answer in time")))?
        .map_err(|e| AddressRefusal::Unresolved(format!("{host}: {e}")))?;
    let ips: Vec<IpAddr> = addrs.map(|a| a.ip()).collect();
    if ips.is_empty() {
        return Err(AddressRefusal::Unresolved(format!("{host}: no address")));
    }
    refuse_private(ips)
}

fn refuse_private(ips: impl IntoIterator<Item = IpAddr>) -> Result<(), AddressRefusal> {
    match ips.into_iter().find(|ip| !is_public(*ip)) {
        Some(ip) => Err(AddressRefusal::NotPublic(ip)),
        None => Ok(()),
    }
}

/// The sender's DNS resolver: the system's, keeping only public addresses (none left: the
/// connection is refused).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct GuardedResolver;

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let found = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = found.filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                let refusal = format!("{host} resolves to no public address");
                return Err(refusal.into());
            }
            let addrs: Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_loopback_and_link_local_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip} taken as public");
        }
        for ip in [
            "93.184.216.34",
            "1.1.1.1",
            "2606:4700:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(is_public(ip.parse().unwrap()), "{ip} refused");
        }
    }

    #[tokio::test]
    async fn literal_and_localhost_urls_are_refused() {
        for url in [
            "http://127.0.0.1:8080/hook",
            "http://[::1]/hook",
            "http://169.254.169.254/latest/meta-data",
            "http://localhost/hook",
        ] {
            let url = Url::parse(url).unwrap();
            assert!(check_url(&url).await.is_err(), "{url} taken");
        }
        let public = Url::parse("https://93.184.216.34/hook").unwrap();
        assert_eq!(check_url(&public).await, Ok(()));
    }
}
