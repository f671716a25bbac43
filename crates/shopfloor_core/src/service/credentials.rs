//! Secrets and their hashes: random token secrets, SHA-256 for those high-entropy tokens, argon2id
//! for passwords (security.md).

use crate::errors::{CoreError, CoreResult};
use argon2::password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// A new random secret of 256 bits, hex, with a prefix that tells what it is.
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{prefix}_{hex}")
}

/// Tokens are high-entropy, so a plain SHA-256 is the right hash (fast lookups, nothing to brute-force).
pub fn hash_token(secret: &str) -> String {
    Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

/// An argon2id hash (PHC string) of a password.
pub fn hash_password(password: &str) -> CoreResult<String> {
    if password.chars().count() < 8 {
        return Err(CoreError::field("password", "must be at least 8 characters"));
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| CoreError::Internal(format!("password hashing failed: {e}")))
}

/// Checks a password against a stored hash; a missing hash is checked against a dummy so that
/// the time taken does not reveal whether the user exists.
pub fn verify_password(hash: Option<&str>, password: &str) -> bool {
    const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0ZSS6kJw1oKoxNE9k3VCuTVnuWSy3uO6m0eFAO7wcWo";
    let parsed = PasswordHash::new(hash.unwrap_or(DUMMY));
    let ok = parsed
        .as_ref()
        .is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), h).is_ok());
    ok && hash.is_some()
}
