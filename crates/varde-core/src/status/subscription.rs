//! Subscriptions to the status page: by e-mail, SMS or webhook, to every component or to
//! chosen ones, in the subscriber's language; and which webhook targets are private.

use std::net::IpAddr;

use crate::form::FieldErrors;
use crate::values::{EmailAddress, Invalid, Language, PhoneNumber};
use crate::vocabulary;

vocabulary!(
    /// How a subscriber is told.
    Channel, "subscription channel" {
        Email => "email", "E-mail";
        Sms => "sms", "SMS";
        Webhook => "webhook", "Webhook";
    }
);

/// A subscription as typed into the public form.
#[derive(Clone, Debug, Default)]
pub struct SubscriptionForm {
    pub channel: String,
    /// The e-mail address, phone number (E.164) or webhook URL.
    pub target: String,
    pub language: String,
    /// For a webhook: where to say that it was switched off.
    pub owner_email: String,
    /// Chosen components; empty means every component.
    pub components: Vec<i64>,
}

/// A parsed subscription. A webhook URL is checked for form here; whether its host is private
/// is decided where names are resolved (see [`is_private`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewSubscription {
    pub channel: Channel,
    pub target: String,
    pub language: Language,
    pub owner_email: Option<String>,
    /// `None`: every component.
    pub components: Option<Vec<i64>>,
}

impl SubscriptionForm {
    pub fn parse(&self) -> Result<NewSubscription, FieldErrors> {
        let mut errors = FieldErrors::new();
        let channel = errors.take("channel", Channel::parse(&self.channel));
        let language = if self.language.trim().is_empty() {
            Some(Language::English)
        } else {
            errors.take("language", Language::parse(&self.language))
        };
        let target = match channel {
            Some(Channel::Email) => errors
                .take("target", EmailAddress::parse(&self.target))
                .map(|e| e.as_str().to_string()),
            Some(Channel::Sms) => errors
                .take("target", PhoneNumber::parse(&self.target))
                .map(|p| p.as_str().to_string()),
            Some(Channel::Webhook) => errors
                .take("target", webhook_url(&self.target))
                .map(str::to_string),
            None => None,
        };
        let owner_email = if channel != Some(Channel::Webhook) {
            None
        } else if self.owner_email.trim().is_empty() {
            {
                errors.add(
                    "owner_email",
                    "give an address to tell if the webhook keeps failing",
                );
            }
            None
        } else {
            errors
                .take("owner_email", EmailAddress::parse(&self.owner_email))
                .map(|e| e.as_str().to_string())
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut components = self.components.clone();
        components.sort_unstable();
        components.dedup();
        Ok(NewSubscription {
            channel: channel.expect("checked"),
            target: target.expect("checked"),
            language: language.expect("checked"),
            owner_email,
            components: (!components.is_empty()).then_some(components),
        })
    }
}

/// A webhook URL: http or https, a host, no credentials, at most 2,000 characters.
pub fn webhook_url(raw: &str) -> Result<&str, Invalid> {
    let s = raw.trim();
    let bad = |m: &str| Err(Invalid(m.to_string()));
    let Some(rest) = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
    else {
        return bad("a webhook URL starts with https:// (or http://)");
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() {
        return bad("the webhook URL has no host");
    }
    if authority.contains('@') {
        return bad("put no user name or password in the webhook URL");
    }
    if s.len() > 2000 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return bad("that is not a usable URL");
    }
    Ok(s)
}

/// Whether an address is one a webhook must not reach unless an administrator allows it:
/// anything IANA's special-purpose registries do not call globally reachable, including IPv4
/// addresses carried in IPv6 (see [`crate::special_addresses`]).
pub fn is_private(ip: IpAddr) -> bool {
    !crate::special_addresses::is_global(ip)
}

/// An address range an administrator allows webhooks to reach, like `127.0.0.1/32`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AllowedNetwork {
    pub network: IpAddr,
    pub prefix: u8,
}

impl AllowedNetwork {
    pub fn parse(raw: &str) -> Result<AllowedNetwork, Invalid> {
        let s = raw.trim();
        let (addr, prefix) = s.split_once('/').unwrap_or((s, ""));
        let network: IpAddr = addr
            .parse()
            .map_err(|_| Invalid(format!("'{s}' is not an address range like 10.0.0.0/8")))?;
        let max: u8 = if network.is_ipv4() { 32 } else { 128 };
        let prefix = if prefix.is_empty() {
            max
        } else {
            prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| Invalid(format!("'{s}': the prefix must be 0 to {max}")))?
        };
        Ok(AllowedNetwork { network, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip) {
            (IpAddr::V4(n), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(n) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(n) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

/// Whether a webhook may be delivered to `ip`.
pub fn webhook_may_reach(ip: IpAddr, allowed: &[AllowedNetwork]) -> bool {
    !is_private(ip) || allowed.iter().any(|n| n.contains(ip))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_check_each_channel_target() {
        let f = |channel: &str, target: &str| SubscriptionForm {
            channel: channel.into(),
            target: target.into(),
            owner_email: "ops@example.com".into(),
            ..Default::default()
        };
        let ok = f("email", " ops@example.com ").parse().unwrap();
        assert_eq!(ok.channel, Channel::Email);
        assert_eq!(ok.target, "ops@example.com");
        assert_eq!(ok.components, None, "no choice means every component");
        assert!(
            f("email", "not-an-address")
                .parse()
                .unwrap_err()
                .get("target")
                .is_some()
        );
        assert_eq!(
            f("sms", "+46 70 123 45 67").parse().unwrap().target,
            "+46701234567"
        );
        assert!(f("sms", "0701234567").parse().is_err());
        assert!(
            f("webhook", "https://hooks.example.com/varde?x=1")
                .parse()
                .is_ok()
        );
        for bad in [
            "ftp://x",
            "https://",
            "https://user:pw@host/",
            "https://a b",
        ] {
            assert!(f("webhook", bad).parse().is_err(), "{bad}");
        }
        let no_owner = SubscriptionForm {
            owner_email: String::new(),
            ..f("webhook", "https://hooks.example.com/")
        };
        assert!(no_owner.parse().unwrap_err().get("owner_email").is_some());
        let chosen = SubscriptionForm {
            components: vec![3, 1, 3],
            language: "sv".into(),
            ..f("email", "a@b.se")
        }
        .parse()
        .unwrap();
        assert_eq!(chosen.components, Some(vec![1, 3]));
        assert_eq!(chosen.language, Language::Swedish);
        assert!(
            f("pigeon", "x")
                .parse()
                .unwrap_err()
                .get("channel")
                .is_some()
        );
    }

    #[test]
    fn private_addresses_are_refused_unless_allowed() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "255.255.255.255",
            "224.0.0.1",
        ] {
            assert!(is_private(private.parse().unwrap()), "{private}");
        }
        for public in ["93.184.216.34", "2606:4700::1111", "8.8.8.8", "172.32.0.1"] {
            assert!(!is_private(public.parse().unwrap()), "{public}");
        }
        let allowed = [
            AllowedNetwork::parse("127.0.0.1/32").unwrap(),
            AllowedNetwork::parse("10.0.0.0/8").unwrap(),
        ];
        assert!(webhook_may_reach("127.0.0.1".parse().unwrap(), &allowed));
        assert!(webhook_may_reach("10.200.0.1".parse().unwrap(), &allowed));
        assert!(!webhook_may_reach("127.0.0.2".parse().unwrap(), &allowed));
        assert!(!webhook_may_reach("192.168.0.1".parse().unwrap(), &allowed));
        assert!(webhook_may_reach("8.8.8.8".parse().unwrap(), &[]));
        assert!(
            AllowedNetwork::parse("::1")
                .unwrap()
                .contains("::1".parse().unwrap())
        );
        assert!(AllowedNetwork::parse("10.0.0.0/33").is_err());
        assert!(
            AllowedNetwork::parse("0.0.0.0/0")
                .unwrap()
                .contains("1.2.3.4".parse().unwrap())
        );
    }
}
