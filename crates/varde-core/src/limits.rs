//! How often anyone may try what an attacker would repeat: logging in, asking for password
//! reset links, and subscribing an address on the public status page. Each limit is a rate with a burst (a generic cell rate:
//! a try is allowed when the theoretical arrival time it moves to stays within `burst`
//! intervals of now). The store keeps the cells, so every node of an installation counts the
//! same tries.

use std::net::IpAddr;

use jiff::SignedDuration;

/// `burst` tries at once, then one per `interval`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    pub interval: SignedDuration,
    pub burst: u32,
}

impl Quota {
    /// `per_minute` tries a minute, `burst` at once.
    pub const fn per_minute(per_minute: i64, burst: u32) -> Quota {
        Quota {
            interval: SignedDuration::from_micros(60_000_000 / per_minute),
            burst,
        }
    }

    /// `per_hour` tries an hour, `burst` at once.
    pub const fn per_hour(per_hour: i64, burst: u32) -> Quota {
        Quota {
            interval: SignedDuration::from_micros(3_600_000_000 / per_hour),
            burst,
        }
    }

    /// How far ahead of now the theoretical arrival time may run.
    pub fn tolerance(self) -> SignedDuration {
        self.interval * self.burst as i32
    }
}

/// One counted try: what is counted, and under which quota.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Try {
    pub key: String,
    pub quota: Quota,
}

/// Logins per account (so one password cannot be guessed quickly) and per client address (so
/// many accounts cannot be tried from one place).
pub fn login(email: &str, address: Option<IpAddr>) -> Vec<Try> {
    let mut tries = vec![Try {
        key: format!("login:account:{}", bounded(email)),
        quota: Quota::per_minute(5, 10),
    }];
    if let Some(a) = address {
        tries.push(Try {
            key: format!("login:address:{}", a.to_canonical()),
            quota: Quota::per_minute(30, 60),
        });
    }
    tries
}

/// Status subscriptions per target (an inbox or a phone cannot be flooded with confirmation
/// requests) and per client address.
pub fn subscribe(target: &str, address: Option<IpAddr>) -> Vec<Try> {
    let mut tries = vec![Try {
        key: format!("subscribe:target:{}", bounded(target)),
        quota: Quota::per_hour(6, 3),
    }];
    if let Some(a) = address {
        tries.push(Try {
            key: format!("subscribe:address:{}", a.to_canonical()),
            quota: Quota::per_minute(20, 40),
        });
    }
    tries
}

/// Password reset links per address: three at once, then one every 20 minutes (so an inbox
/// cannot be flooded, and every node counts the same).
pub fn password_reset(email: &str) -> Vec<Try> {
    vec![Try {
        key: format!("reset:account:{}", bounded(email)),
        quota: Quota::per_hour(3, 3),
    }]
}

/// What is counted of a typed value: folded, and no longer than an e-mail address can be, so a
/// megabyte typed into the form is one key of ordinary size.
fn bounded(typed: &str) -> String {
    typed.trim().to_lowercase().chars().take(320).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotas_are_the_rates_named() {
        assert_eq!(
            Quota::per_minute(5, 10).interval,
            SignedDuration::from_secs(12)
        );
        assert_eq!(
            Quota::per_hour(6, 3).interval,
            SignedDuration::from_mins(10)
        );
        assert_eq!(
            Quota::per_minute(5, 10).tolerance(),
            SignedDuration::from_mins(2)
        );
    }

    #[test]
    fn keys_fold_case_and_mapped_addresses() {
        let a: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        let keys: Vec<String> = login(" Ada@Example.COM", Some(a))
            .into_iter()
            .map(|t| t.key)
            .collect();
        assert_eq!(
            keys,
            ["login:account:ada@example.com", "login:address:192.0.2.7"]
        );
        assert_eq!(subscribe("+4712345678", None).len(), 1);
        let long = "a".repeat(1 << 20);
        assert_eq!(
            login(&long, None)[0].key.len(),
            "login:account:".len() + 320
        );
    }
}
