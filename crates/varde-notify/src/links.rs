//! Signed links in subscription mail (confirm, unsubscribe, manage): the subscriber's id and
//! an HMAC-SHA256 of it under the installation's link key, so no token needs storing and a
//! link cannot be forged for another subscriber; and the rating links in the mail that says
//! a ticket is resolved (the ticket and its resolving transaction, signed the same way).

use hmac::{KeyInit, Mac};
use sha2::Sha256;

type HmacSha256 = hmac::Hmac<Sha256>;

/// What a link lets its holder do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Confirm,
    Unsubscribe,
}

impl Purpose {
    fn code(self) -> &'static str {
        match self {
            Purpose::Confirm => "confirm",
            Purpose::Unsubscribe => "unsubscribe",
        }
    }
}

fn mac(key: &str, purpose: Purpose, id: i64) -> HmacSha256 {
    let mut m = HmacSha256::new_from_slice(key.as_bytes()).expect("HMAC takes any key length");
    m.update(format!("{}:{id}", purpose.code()).as_bytes());
    m
}

/// The signature for a link (32 hex digits: 128 bits).
pub fn sign(key: &str, purpose: Purpose, id: i64) -> String {
    hex::encode(&mac(key, purpose, id).finalize().into_bytes()[..16])
}

/// Whether `signature` is right, compared in constant time.
pub fn verify(key: &str, purpose: Purpose, id: i64, signature: &str) -> bool {
    match hex::decode(signature.trim()) {
        Ok(bytes) if bytes.len() == 16 => {
            mac(key, purpose, id).verify_truncated_left(&bytes).is_ok()
        }
        _ => false,
    }
}

/// The link itself: `{base}/status/subscriptions/{id}/{purpose}?sig=…`.
pub fn url(base: &str, key: &str, purpose: Purpose, id: i64) -> String {
    format!(
        "{base}/status/subscriptions/{id}/{}?sig={}",
        purpose.code(),
        sign(key, purpose, id)
    )
}

fn rating_mac(key: &str, ticket: i64, transaction: i64) -> HmacSha256 {
    let mut m = HmacSha256::new_from_slice(key.as_bytes()).expect("HMAC takes any key length");
    m.update(format!("rate:{ticket}:{transaction}").as_bytes());
    m
}

/// The signature of a rating link for the resolution `transaction` of `ticket`.
pub fn sign_rating(key: &str, ticket: i64, transaction: i64) -> String {
    hex::encode(&rating_mac(key, ticket, transaction).finalize().into_bytes()[..16])
}

/// Whether a rating link's signature is right, compared in constant time.
pub fn verify_rating(key: &str, ticket: i64, transaction: i64, signature: &str) -> bool {
    match hex::decode(signature.trim()) {
        Ok(bytes) if bytes.len() == 16 => rating_mac(key, ticket, transaction)
            .verify_truncated_left(&bytes)
            .is_ok(),
        _ => false,
    }
}

/// A rating link: `{base}/rate/{ticket}/{transaction}?sig=…&r={rating}`.
pub fn rating_url(base: &str, key: &str, ticket: i64, transaction: i64, rating: &str) -> String {
    format!(
        "{base}/rate/{ticket}/{transaction}?sig={}&r={rating}",
        sign_rating(key, ticket, transaction)
    )
}

/// The webhook signature header's value: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
pub fn webhook_signature(key: &str, unix: i64, body: &[u8]) -> String {
    let mut m = HmacSha256::new_from_slice(key.as_bytes()).expect("HMAC takes any key length");
    m.update(format!("{unix}.").as_bytes());
    m.update(body);
    format!("t={unix},v1={}", hex::encode(m.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_verify_only_for_their_subscriber_and_purpose() {
        let s = sign("k", Purpose::Unsubscribe, 7);
        assert!(verify("k", Purpose::Unsubscribe, 7, &s));
        assert!(!verify("k", Purpose::Unsubscribe, 8, &s));
        assert!(!verify("k", Purpose::Confirm, 7, &s));
        assert!(!verify("other", Purpose::Unsubscribe, 7, &s));
        assert!(!verify("k", Purpose::Unsubscribe, 7, "zz"));
        assert!(
            url("https://x", "k", Purpose::Confirm, 3)
                .starts_with("https://x/status/subscriptions/3/confirm?sig=")
        );
    }

    #[test]
    fn rating_links_verify_only_for_their_resolution() {
        let s = sign_rating("k", 7, 70);
        assert!(verify_rating("k", 7, 70, &s));
        assert!(!verify_rating("k", 7, 71, &s));
        assert!(!verify_rating("k", 8, 70, &s));
        assert!(!verify_rating("other", 7, 70, &s));
        assert_ne!(s, sign("k", Purpose::Confirm, 7));
        assert!(
            rating_url("https://x", "k", 7, 70, "good").starts_with("https://x/rate/7/70?sig=")
        );
    }

    #[test]
    fn the_webhook_signature_is_the_documented_hmac() {
        // Python's hmac.new(b"secret", b"1700000000.{}", hashlib.sha256).hexdigest(), as in the
        // verification example in docs/STATUS-WEBHOOKS.md.
        assert_eq!(
            webhook_signature("secret", 1700000000, b"{}"),
            "t=1700000000,v1=b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163"
        );
    }
}
