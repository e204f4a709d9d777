//! Password hashing: argon2 for passwords set in carmine, and Redmine's salted SHA-1
//! (`SHA1(salt + SHA1(password))`) so accounts imported from a Redmine database keep working.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::Rng;
use sha1::{Digest, Sha1};

pub fn hash(password: &str) -> String {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .unwrap_or_default()
}

/// Checks a password against a stored hash of either kind; an empty hash (a user created
/// without a password) never matches.
pub fn verify(password: &str, hashed: &str, salt: Option<&str>) -> bool {
    if hashed.is_empty() {
        return false;
    }
    if hashed.starts_with("$argon2") {
        return PasswordHash::new(hashed)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false);
    }
    let inner = hex::encode(Sha1::digest(password.as_bytes()));
    let outer = hex::encode(Sha1::digest(format!("{}{}", salt.unwrap_or(""), inner)));
    constant_time_eq(outer.as_bytes(), hashed.as_bytes())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// 40 lowercase hex digits, the shape of Redmine's API keys.
pub fn random_hex40() -> String {
    let bytes: [u8; 20] = rand::thread_rng().gen();
    hex::encode(bytes)
}

/// A readable random password for the first start.
pub fn random_password() -> String {
    const CHARS: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..16)
        .map(|_| CHARS[rng.gen_range(0..CHARS.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2_round_trip() {
        let h = hash("secret-pass1");
        assert!(verify("secret-pass1", &h, None));
        assert!(!verify("secret-pass2", &h, None));
    }

    #[test]
    fn redmine_legacy_sha1() {
        // SHA1("salt" + SHA1("admin")), as Redmine stores it
        let inner = hex::encode(Sha1::digest(b"admin"));
        let stored = hex::encode(Sha1::digest(format!("salt{inner}")));
        assert!(verify("admin", &stored, Some("salt")));
        assert!(!verify("admin2", &stored, Some("salt")));
        assert!(!verify("", "", None));
    }
}
