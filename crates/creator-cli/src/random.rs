//! Random bytes from the operating system's source, and the encodings the
//! CLI shows them in: one home for secrets, tokens, seeds and tags.

use base64::Engine as _;

/// The operating system gave no random bytes.
#[derive(Debug, thiserror::Error)]
#[error("the operating system gave no random bytes: {0}")]
pub struct NoRandomness(getrandom::Error);

/// `len` random bytes.
///
/// # Errors
/// [`NoRandomness`] when the random source fails.
pub fn bytes(len: usize) -> Result<Vec<u8>, NoRandomness> {
    let mut buf = vec![0u8; len];
    getrandom::fill(&mut buf).map_err(NoRandomness)?;
    Ok(buf)
}

/// `len` random bytes as lowercase hex (`2 * len` characters).
///
/// # Errors
/// [`NoRandomness`] when the random source fails.
pub fn hex(len: usize) -> Result<String, NoRandomness> {
    Ok(crate::hex::lower(&bytes(len)?))
}

/// `len` random bytes as standard base64, padded.
///
/// # Errors
/// [`NoRandomness`] when the random source fails.
pub fn base64(len: usize) -> Result<String, NoRandomness> {
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes(len)?))
}

/// `len` random bytes as URL-safe base64 without padding.
///
/// # Errors
/// [`NoRandomness`] when the random source fails.
pub fn base64_url(len: usize) -> Result<String, NoRandomness> {
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes(len)?))
}

/// A random `u64`, for seeding.
///
/// # Errors
/// [`NoRandomness`] when the random source fails.
pub fn u64() -> Result<u64, NoRandomness> {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).map_err(NoRandomness)?;
    Ok(u64::from_le_bytes(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_have_the_asked_length_and_differ() {
        assert_eq!(bytes(0).unwrap().len(), 0);
        assert_eq!(bytes(32).unwrap().len(), 32);
        assert_ne!(bytes(32).unwrap(), bytes(32).unwrap());
        assert_ne!(u64().unwrap(), u64().unwrap());
    }

    #[test]
    fn hex_is_two_lowercase_digits_a_byte() {
        let h = hex(16).unwrap();
        assert_eq!(h.len(), 32);
        assert!(h.chars().all(|c| matches!(c, '0'..='9' | 'a'..='f')));
        assert_ne!(h, hex(16).unwrap());
    }

    #[test]
    fn base64_is_padded_standard_and_decodes_back() {
        let s = base64(32).unwrap();
        assert_eq!(s.len(), 44);
        assert!(s.ends_with('='));
        assert!(
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
        );
        let back = base64::engine::general_purpose::STANDARD
            .decode(&s)
            .unwrap();
        assert_eq!(back.len(), 32);
        assert_ne!(s, base64(32).unwrap());
    }

    #[test]
    fn base64_url_is_url_safe_unpadded_and_decodes_back() {
        let s = base64_url(32).unwrap();
        assert_eq!(s.len(), 43);
        assert!(
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        );
        let back = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&s)
            .unwrap();
        assert_eq!(back.len(), 32);
        assert_ne!(s, base64_url(32).unwrap());
    }
}
