//! OAuth2 as Redmine 6.1 offers it (doorkeeper): applications and their redirect URIs,
//! scopes that are permission names, PKCE, and the secrets and tokens (random, stored
//! hashed).

use base64::Engine;
use sha2::{Digest, Sha256};

use super::permissions::CATALOGUE;

/// How long an access token lives, and an authorization code (seconds).
pub const ACCESS_TOKEN_TTL: i64 = 7200;
pub const CODE_TTL: i64 = 600;

/// The scope of administration: with it, an administrator's token acts as an administrator.
pub const ADMIN_SCOPE: &str = "admin";

/// The scopes every application has: the public permissions.
pub fn default_scopes() -> Vec<&'static str> {
    CATALOGUE
        .iter()
        .filter(|p| p.public)
        .map(|p| p.name)
        .collect()
}

/// Whether a scope may be asked for: a permission name, or `admin`.
pub fn known_scope(scope: &str) -> bool {
    scope == ADMIN_SCOPE || CATALOGUE.iter().any(|p| p.name == scope)
}

/// Space-separated scopes, without duplicates, in the order given.
pub fn parse_scopes(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in text.split_whitespace() {
        if !out.iter().any(|x| x == s) {
            out.push(s.to_owned());
        }
    }
    out
}

/// An application's scopes as Redmine keeps them: the public permissions always, then the
/// asked ones. `Err` with doorkeeper's message when one is unknown.
pub fn application_scopes(asked: &str) -> Result<Vec<String>, String> {
    let asked = parse_scopes(asked);
    if asked.iter().any(|s| !known_scope(s)) {
        return Err("Scopes doesn't match configured on the server.".to_owned());
    }
    let mut out: Vec<String> = default_scopes().into_iter().map(str::to_owned).collect();
    for s in asked {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Ok(out)
}

/// An application as it is to be saved: its redirect URIs one per line and its scopes
/// normalized, or the messages of what is wrong (in doorkeeper's order).
pub fn checked_application(
    name: &str,
    redirect_uri: &str,
    scopes: &str,
) -> Result<(String, String), Vec<String>> {
    let mut errors = Vec::new();
    if name.trim().is_empty() {
        errors.push("Name cannot be blank".to_owned());
    }
    errors.extend(redirect_uri_errors(redirect_uri));
    let scopes = match application_scopes(scopes) {
        Ok(s) => s.join(" "),
        Err(e) => {
            errors.push(e);
            String::new()
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let uris: Vec<&str> = redirect_uri.split_whitespace().collect();
    Ok((uris.join("\n"), scopes))
}

const NATIVE: &[&str] = &[
    "urn:ietf:wg:oauth:2.0:oob",
    "urn:ietf:wg:oauth:2.0:oob:auto",
];

/// Whether a host is the machine itself (plain http is allowed there, RFC 8252).
pub fn loopback(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "[::1]" | "::1")
}

/// The messages of an application's redirect URIs (one per line or space), doorkeeper's.
pub fn redirect_uri_errors(text: &str) -> Vec<String> {
    let uris: Vec<&str> = text.split_whitespace().collect();
    if uris.is_empty() {
        return vec!["Redirect URI cannot be blank".to_owned()];
    }
    let mut out = Vec::new();
    for raw in uris {
        let message = match url::Url::parse(raw) {
            Err(url::ParseError::RelativeUrlWithoutBase) => "must be an absolute URI.",
            Err(_) => "must be a valid URI.",
            Ok(u)
                if matches!(u.scheme(), "data" | "javascript" | "vbscript")
                    || NATIVE.contains(&raw) =>
            {
                "is forbidden by the server."
            }
            Ok(u) if u.fragment().is_some() || raw.contains('#') => "cannot contain a fragment.",
            Ok(u) if u.cannot_be_a_base() || u.scheme() == "localhost" => "must specify a scheme.",
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_none() => {
                "must be a valid URI."
            }
            Ok(u) if u.scheme() == "http" && !u.host_str().is_some_and(loopback) => {
                "must be an HTTPS/SSL URI."
            }
            Ok(_) => continue,
        };
        let m = format!("Redirect URI {message}");
        if !out.contains(&m) {
            out.push(m);
        }
    }
    out
}

/// Whether a redirect URI of a request is one the application registered: the same,
/// except that the query is ignored when the registered one has none and the port of a
/// loopback address is free (RFC 8252).
pub fn redirect_matches(registered: &str, asked: &str) -> bool {
    let Ok(given) = url::Url::parse(asked) else {
        return NATIVE.contains(&asked) && registered.split_whitespace().any(|r| r == asked);
    };
    if given.fragment().is_some() {
        return false;
    }
    registered.split_whitespace().any(|r| {
        if r == asked {
            return true;
        }
        let Ok(mut want) = url::Url::parse(r) else {
            return false;
        };
        let mut got = given.clone();
        if want.query().is_none() {
            got.set_query(None);
        }
        if want
            .host_str()
            .is_some_and(|h| h == "127.0.0.1" || h == "[::1]")
        {
            let _ = want.set_port(None);
            let _ = got.set_port(None);
        }
        want == got
    })
}

/// A new secret, token or code: 32 random bytes, URL-safe base64 (43 characters).
pub fn random_token() -> String {
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// How tokens and codes are stored: their SHA-256, hex (they are long and random, so a
/// fast hash is enough; secrets are hashed slowly, as passwords).
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// An S256 challenge: 43 URL-safe base64 characters (a SHA-256).
pub fn valid_challenge(c: &str) -> bool {
    c.len() == 43
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A verifier: 43 to 128 unreserved characters (RFC 7636 §4.1).
pub fn valid_verifier(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
}

/// RFC 7636 S256: the challenge is the URL-safe base64 of the verifier's SHA-256.
pub fn pkce_matches(challenge: &str, verifier: &str) -> bool {
    let digest = Sha256::digest(verifier.as_bytes());
    let expected = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest);
    constant_time_eq(expected.as_bytes(), challenge.as_bytes())
}

/// Compares secrets without telling by its time where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_uris() {
        assert!(redirect_uri_errors("https://app.example/cb").is_empty());
        assert!(redirect_uri_errors("http://127.0.0.1:8080/cb\nhttp://localhost/cb").is_empty());
        // no page shows a code: out-of-band redirects are refused
        assert_eq!(
            redirect_uri_errors("urn:ietf:wg:oauth:2.0:oob"),
            ["Redirect URI is forbidden by the server."]
        );
        assert!(redirect_uri_errors("https://app.example/cb?x=1").is_empty());
        assert_eq!(
            redirect_uri_errors("http://app.example/cb"),
            ["Redirect URI must be an HTTPS/SSL URI."]
        );
        assert_eq!(
            redirect_uri_errors("https://app.example/cb#frag"),
            ["Redirect URI cannot contain a fragment."]
        );
        assert_eq!(
            redirect_uri_errors("javascript:alert(1)"),
            ["Redirect URI is forbidden by the server."]
        );
        assert_eq!(
            redirect_uri_errors("/cb"),
            ["Redirect URI must be an absolute URI."]
        );
        assert_eq!(redirect_uri_errors("  "), ["Redirect URI cannot be blank"]);
    }

    #[test]
    fn matching() {
        let reg = "https://app.example/cb\nhttp://127.0.0.1/loop";
        assert!(redirect_matches(reg, "https://app.example/cb"));
        assert!(redirect_matches(reg, "https://app.example/cb?x=1"));
        assert!(redirect_matches(reg, "http://127.0.0.1:5555/loop"));
        assert!(!redirect_matches(reg, "https://app.example/other"));
        assert!(!redirect_matches(reg, "https://evil.example/cb"));
        assert!(!redirect_matches(reg, "https://app.example/cb#x"));
        assert!(!redirect_matches(reg, "https://evil@app.example/cb"));
        assert!(!redirect_matches(reg, "https://app.example/cb/../x"));
        assert!(!redirect_matches(
            "http://localhost/cb",
            "http://localhost:9/cb"
        ));
        assert!(!redirect_matches(reg, "https://app.example.evil/cb"));
    }

    #[test]
    fn scopes_and_secrets() {
        assert_eq!(
            application_scopes("view_issues admin view_issues").unwrap(),
            [
                "view_project",
                "search_project",
                "view_members",
                "view_issues",
                "admin"
            ]
        );
        assert!(application_scopes("fly").is_err());
        let t = random_token();
        assert_eq!(t.len(), 43);
        assert_ne!(t, random_token());
        // RFC 7636 appendix B
        assert!(pkce_matches(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
        ));
        assert!(!pkce_matches(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
            "other"
        ));
    }
}
