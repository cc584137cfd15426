//! Tokens of the fake: JWT-shaped bearer tokens (the real ones are JWTs whose
//! `exp` clients read), single-use refresh tokens, authorisation codes.

use std::collections::HashMap;

use serde_json::json;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    LongLived,
    Access,
}

#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub kind: TokenKind,
    pub user_id: i64,
    pub expires_at: i64,
    pub revoked: bool,
}

#[derive(Debug, Clone)]
pub struct RefreshInfo {
    pub used: bool,
    pub revoked: bool,
    pub user_id: i64,
}

/// Why a bearer token was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    Missing,
    Unknown,
    Expired,
    Revoked,
}

#[derive(Debug, Default)]
pub struct Tokens {
    pub access: HashMap<String, TokenInfo>,
    pub refresh: HashMap<String, RefreshInfo>,
    /// Authorisation codes not yet exchanged (single use).
    pub codes: HashMap<String, i64>,
    counter: u64,
}

impl Tokens {
    fn next(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// A JWT-shaped token with `exp`, `iat`, `jti`, `api_domain` claims
    /// (signature is fake; only the shape matters to clients).
    pub fn new_bearer(
        &mut self,
        kind: TokenKind,
        user_id: i64,
        now: i64,
        lifetime: i64,
        api_domain: &str,
    ) -> String {
        let n = self.next();
        let header = b64url(br#"{"typ":"JWT","alg":"RS256"}"#);
        let claims = json!({
            "aud": "fake-client",
            "jti": format!("fake-{n}-{}", random_hex(8)),
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "sub": user_id.to_string(),
            "api_domain": api_domain,
            "scopes": ["crm"],
            "kind": if kind == TokenKind::LongLived { "long_lived" } else { "access" },
        });
        let payload = b64url(claims.to_string().as_bytes());
        let sig = b64url(random_hex(32).as_bytes());
        let token = format!("{header}.{payload}.{sig}");
        self.access.insert(
            token.clone(),
            TokenInfo {
                kind,
                user_id,
                expires_at: now + lifetime,
                revoked: false,
            },
        );
        token
    }

    pub fn new_refresh(&mut self, user_id: i64) -> String {
        let n = self.next();
        let token = format!("def50200{n:08x}{}", random_hex(48));
        self.refresh.insert(
            token.clone(),
            RefreshInfo {
                used: false,
                revoked: false,
                user_id,
            },
        );
        token
    }

    pub fn new_code(&mut self, user_id: i64) -> String {
        let n = self.next();
        let code = format!("def50200code{n:04x}{}", random_hex(24));
        self.codes.insert(code.clone(), user_id);
        code
    }

    /// Check `Authorization` header value; returns the acting user.
    pub fn check(&self, header: Option<&str>, now: i64) -> Result<i64, AuthFailure> {
        let h = header.ok_or(AuthFailure::Missing)?;
        let token = h
            .strip_prefix("Bearer ")
            .or_else(|| h.strip_prefix("bearer "))
            .ok_or(AuthFailure::Missing)?
            .trim();
        let info = self.access.get(token).ok_or(AuthFailure::Unknown)?;
        if info.revoked {
            return Err(AuthFailure::Revoked);
        }
        if info.expires_at <= now {
            return Err(AuthFailure::Expired);
        }
        Ok(info.user_id)
    }
}

fn random_hex(bytes: usize) -> String {
    (0..bytes)
        .map(|_| format!("{:02x}", rand::random::<u8>()))
        .collect()
}

/// base64url without padding (RFC 4648 §5), as in JWTs.
pub fn b64url(data: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(data.len() * 4 / 3 + 3);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        let chars = chunk.len() + 1;
        for i in 0..chars {
            out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}
