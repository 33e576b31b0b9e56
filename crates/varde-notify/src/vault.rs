//! Secrets made for customers (initial passwords, application credential and S3 secrets),
//! sealed with AES-256-GCM before they are stored, and the one-time link tokens that show
//! them. The store only ever holds sealed text and the SHA-256 of a link's token.

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use sha2::{Digest, Sha256};

/// Seals and opens secrets with one key.
pub struct Vault {
    key: LessSafeKey,
    random: SystemRandom,
}

impl Vault {
    /// The key is derived from `secret` (`varde serve --secrets-key`, or the installation's
    /// key) with HMAC-SHA256, so one configured value serves every node.
    pub fn new(secret: &str) -> Vault {
        let derive = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes());
        let key = ring::hmac::sign(&derive, b"varde onboarding secrets v1");
        let unbound = UnboundKey::new(&AES_256_GCM, key.as_ref()).expect("a 32-byte key");
        Vault {
            key: LessSafeKey::new(unbound),
            random: SystemRandom::new(),
        }
    }

    /// Hex of a fresh nonce followed by the ciphertext and its tag.
    pub fn seal(&self, plaintext: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        self.random
            .fill(&mut nonce)
            .expect("the system's random numbers");
        let mut data = plaintext.as_bytes().to_vec();
        self.key
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut data)
            .expect("sealing cannot fail for short secrets");
        let mut out = nonce.to_vec();
        out.extend(data);
        hex::encode(out)
    }

    /// The plaintext, or None when the text was not sealed with this key (or was changed).
    pub fn open(&self, sealed: &str) -> Option<String> {
        let raw = hex::decode(sealed).ok()?;
        if raw.len() < NONCE_LEN {
            return None;
        }
        let (nonce, data) = raw.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut data = data.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::empty(), &mut data)
            .ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }

    /// A random secret of `len` letters and digits (for passwords and keys).
    pub fn random_text(&self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        let mut bytes = vec![0u8; len];
        self.random
            .fill(&mut bytes)
            .expect("the system's random numbers");
        bytes
            .iter()
            .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
            .collect()
    }

    /// `len` random bytes as upper-case hex (S3 access keys look like this).
    pub fn random_hex(&self, len: usize) -> String {
        let mut bytes = vec![0u8; len];
        self.random
            .fill(&mut bytes)
            .expect("the system's random numbers");
        hex::encode_upper(bytes)
    }

    /// A new one-time link token and the digest the store keeps.
    pub fn link_token(&self) -> (String, String) {
        let token = self.random_text(32);
        let digest = token_digest(&token);
        (token, digest)
    }
}

/// The SHA-256 of a link token, hex: what the store keeps and looks links up by.
pub fn token_digest(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_text_opens_only_with_its_key_and_unchanged() {
        let v = Vault::new("key one");
        let sealed = v.seal("s3cret password");
        assert!(!sealed.contains("s3cret"));
        assert_ne!(sealed, v.seal("s3cret password"), "a fresh nonce each time");
        assert_eq!(v.open(&sealed).as_deref(), Some("s3cret password"));
        assert_eq!(Vault::new("key two").open(&sealed), None);
        let mut tampered = sealed.clone().into_bytes();
        let last = tampered.len() - 1;
        tampered[last] = if tampered[last] == b'0' { b'1' } else { b'0' };
        assert_eq!(v.open(&String::from_utf8(tampered).unwrap()), None);
        assert_eq!(v.open("zz"), None);
    }

    #[test]
    fn tokens_are_random_and_kept_as_digests() {
        let v = Vault::new("k");
        let (a, da) = v.link_token();
        let (b, _) = v.link_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert_eq!(da, token_digest(&a));
        assert_eq!(da.len(), 64);
        assert_eq!(v.random_hex(10).len(), 20);
    }
}
