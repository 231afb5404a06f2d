//! Registry credentials and authentication challenges.
//!
//! - Credentials come from a Docker `config.json` the caller has read (the library reads no
//!   environment variables and no fixed paths; the CLI finds `$DOCKER_CONFIG/config.json` or
//!   `~/.docker/config.json`): `auths.<host>.auth` (base64 `user:password`), or `username` /
//!   `password`, or `identitytoken`; `credHelpers.<host>` or `credsStore` name a
//!   `docker-credential-<helper>` program, run as `docker-credential-<helper> get` with the
//!   server on stdin (<https://github.com/docker/docker-credential-helpers>).
//! - Challenges are `WWW-Authenticate` headers (RFC 7235): `Basic realm=…` or `Bearer
//!   realm=…,service=…,scope=…`, the Docker token protocol
//!   (<https://distribution.github.io/distribution/spec/auth/token/>).
//!
//! Docker Hub is known by several names (`docker.io`, `index.docker.io`,
//! `registry-1.docker.io`); Docker keeps its credentials under `https://index.docker.io/v1/`
//! (the `auths` key `docker login` writes, and the server URL credential helpers store them
//! under), so that is the key looked up first and the server sent to a helper. Other
//! registries are looked up and sent as `host[:port]`, as Docker does. An `auths` or
//! `credHelpers` key naming the same host another way (a scheme, a path, a Hub alias) is
//! accepted when the exact key is absent.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Deserialize;

/// A credential for one registry.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    /// User name and password (or personal access token), sent as Basic auth or to the token
    /// endpoint.
    Basic {
        /// User name.
        username: String,
        /// Password or token.
        password: String,
    },
    /// An OAuth2 refresh token (`identitytoken`), exchanged at the token endpoint.
    IdentityToken(String),
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print secrets.
        match self {
            Credential::Basic { username, .. } => write!(f, "Basic({username}, ***)"),
            Credential::IdentityToken(_) => f.write_str("IdentityToken(***)"),
        }
    }
}

impl Credential {
    /// The `Authorization: Basic …` value, for Basic credentials.
    pub fn basic_header(&self) -> Option<String> {
        match self {
            Credential::Basic { username, password } => Some(format!(
                "Basic {}",
                STANDARD.encode(format!("{username}:{password}"))
            )),
            Credential::IdentityToken(_) => None,
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfigFile {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
    #[serde(default)]
    creds_store: Option<String>,
    #[serde(default)]
    cred_helpers: BTreeMap<String, String>,
}

#[derive(Debug, Default, Deserialize)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    identitytoken: Option<String>,
}

/// A parsed Docker `config.json`.
#[derive(Debug, Default)]
pub struct DockerConfig {
    file: ConfigFile,
}

/// Where Docker keeps Docker Hub's credentials: the `auths` key and the credential-helper
/// server URL (Docker's `registry.IndexServer`).
const HUB_SERVER: &str = "https://index.docker.io/v1/";

/// The key Docker stores `registry`'s credentials under: [`HUB_SERVER`] for Docker Hub (any of
/// its names), else the host as given.
pub(crate) fn server_key(registry: &str) -> String {
    if canonical_host(registry) == "docker.io" {
        HUB_SERVER.to_owned()
    } else {
        registry.to_owned()
    }
}

/// The canonical key for a registry host: Docker Hub's aliases collapse to `docker.io`, a
/// scheme and path are dropped.
fn canonical_host(s: &str) -> String {
    let s = s
        .trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://");
    let host = s.split('/').next().unwrap_or(s).to_ascii_lowercase();
    match host.as_str() {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => {
            "docker.io".to_owned()
        }
        _ => host,
    }
}

impl DockerConfig {
    /// Parses the JSON text of a `config.json`.
    pub fn parse(bytes: &[u8]) -> Result<DockerConfig, String> {
        let file: ConfigFile =
            serde_json::from_slice(bytes).map_err(|e| format!("malformed JSON: {e}"))?;
        Ok(DockerConfig { file })
    }

    /// The credential for `registry` (`host[:port]`): a credential helper if one is configured
    /// for it (or for all, `credsStore`), else the `auths` entry. `Ok(None)` means anonymous.
    ///
    /// Keys are matched as Docker writes them ([`server_key`]: `https://index.docker.io/v1/`
    /// for Docker Hub), then by host; a helper is asked for the same Docker key.
    pub fn credential_for(&self, registry: &str) -> Result<Option<Credential>, String> {
        let server = server_key(registry);
        if let Some(h) = lookup(&self.file.cred_helpers, &server) {
            return run_helper(h, &server);
        }
        if let Some(e) = lookup(&self.file.auths, &server)
            && let Some(c) = entry_credential(e, &server)?
        {
            return Ok(Some(c));
        }
        match self.file.creds_store.as_deref() {
            Some(store) if !store.is_empty() => run_helper(store, &server),
            _ => Ok(None),
        }
    }
}

/// The entry under `server` exactly, else under a key naming the same host.
fn lookup<'a, V>(map: &'a BTreeMap<String, V>, server: &str) -> Option<&'a V> {
    map.get(server).or_else(|| {
        let want = canonical_host(server);
        map.iter()
            .find(|(k, _)| canonical_host(k) == want)
            .map(|(_, v)| v)
    })
}

fn entry_credential(e: &AuthEntry, registry: &str) -> Result<Option<Credential>, String> {
    if let Some(t) = e.identitytoken.as_deref().filter(|t| !t.is_empty()) {
        return Ok(Some(Credential::IdentityToken(t.to_owned())));
    }
    if let Some(a) = e.auth.as_deref().filter(|a| !a.is_empty()) {
        let decoded = STANDARD
            .decode(a.trim())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| format!("auths.{registry}.auth is not base64 of user:password"))?;
        let (u, p) = decoded
            .split_once(':')
            .ok_or_else(|| format!("auths.{registry}.auth is not of the form user:password"))?;
        return Ok(Some(Credential::Basic {
            username: u.to_owned(),
            password: p.to_owned(),
        }));
    }
    if let (Some(u), Some(p)) = (&e.username, &e.password) {
        return Ok(Some(Credential::Basic {
            username: u.clone(),
            password: p.clone(),
        }));
    }
    Ok(None)
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct HelperOutput {
    username: String,
    secret: String,
}

/// Runs `docker-credential-<helper> get` for `registry`.
fn run_helper(helper: &str, registry: &str) -> Result<Option<Credential>, String> {
    if helper.is_empty()
        || !helper
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        return Err(format!("invalid credential helper name {helper:?}"));
    }
    let program = format!("docker-credential-{helper}");
    let mut child = Command::new(&program)
        .arg("get")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {program} (credential helper for {registry}): {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        // The helper may exit without reading; a broken pipe then shows in its output.
        let _ = stdin.write_all(registry.as_bytes());
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("{program}: {e}"))?;
    if !out.status.success() {
        let msg = String::from_utf8_lossy(&out.stdout);
        // "credentials not found in native keychain" means: anonymous.
        if msg.contains("not found") {
            return Ok(None);
        }
        return Err(format!(
            "{program} get failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let h: HelperOutput = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("{program} get: unexpected output: {e}"))?;
    Ok(Some(if h.username == "<token>" {
        Credential::IdentityToken(h.secret)
    } else {
        Credential::Basic {
            username: h.username,
            password: h.secret,
        }
    }))
}

/// A parsed `WWW-Authenticate` challenge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    /// `basic` or `bearer` (lowercased).
    pub scheme: String,
    /// The parameters (`realm`, `service`, `scope`, `error`), names lowercased.
    pub params: BTreeMap<String, String>,
}

impl Challenge {
    /// Parses the first challenge of a `WWW-Authenticate` value.
    pub fn parse(header: &str) -> Option<Challenge> {
        let header = header.trim();
        let (scheme, rest) = header
            .split_once(char::is_whitespace)
            .unwrap_or((header, ""));
        if scheme.is_empty() {
            return None;
        }
        let mut params = BTreeMap::new();
        let mut chars = rest.chars().peekable();
        loop {
            while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
                chars.next();
            }
            let name: String = chars
                .by_ref()
                .take_while(|c| *c != '=')
                .collect::<String>()
                .trim()
                .to_ascii_lowercase();
            if name.is_empty() {
                break;
            }
            let mut value = String::new();
            if chars.peek() == Some(&'"') {
                chars.next();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => value.extend(chars.next()),
                        '"' => break,
                        c => value.push(c),
                    }
                }
            } else {
                while let Some(c) = chars.peek().copied() {
                    if c == ',' {
                        break;
                    }
                    value.push(c);
                    chars.next();
                }
                value = value.trim().to_owned();
            }
            params.insert(name, value);
        }
        Some(Challenge {
            scheme: scheme.to_ascii_lowercase(),
            params,
        })
    }

    /// A parameter.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn basic(u: &str, p: &str) -> Option<Credential> {
        Some(Credential::Basic {
            username: u.into(),
            password: p.into(),
        })
    }

    #[test]
    fn config_auths() {
        let cfg = DockerConfig::parse(
            br#"{"auths": {
                "https://index.docker.io/v1/": {"auth": "aHViOnNlY3JldA=="},
                "localhost:5000": {"username": "u", "password": "p"},
                "ghcr.io": {"identitytoken": "tok"},
                "empty.io": {}
            }}"#,
        )
        .unwrap();
        assert_eq!(
            cfg.credential_for("docker.io").unwrap(),
            basic("hub", "secret")
        );
        assert_eq!(
            cfg.credential_for("registry-1.docker.io").unwrap(),
            basic("hub", "secret")
        );
        assert_eq!(
            cfg.credential_for("localhost:5000").unwrap(),
            basic("u", "p")
        );
        assert_eq!(
            cfg.credential_for("ghcr.io").unwrap(),
            Some(Credential::IdentityToken("tok".into()))
        );
        assert_eq!(cfg.credential_for("empty.io").unwrap(), None);
        assert_eq!(cfg.credential_for("localhost:5001").unwrap(), None);
        assert_eq!(
            basic("a", "b").unwrap().basic_header().as_deref(),
            Some("Basic YTpi")
        );
        assert_eq!(format!("{:?}", basic("a", "b").unwrap()), "Basic(a, ***)");
    }

    /// Docker keeps Hub credentials under `https://index.docker.io/v1/`, in `auths` and in
    /// credential helpers alike, whichever of Hub's names the image used.
    #[test]
    fn docker_hub_is_asked_for_under_dockers_key() {
        for name in [
            "docker.io",
            "registry-1.docker.io",
            "index.docker.io",
            "DOCKER.IO",
        ] {
            assert_eq!(server_key(name), "https://index.docker.io/v1/", "{name}");
        }
        assert_eq!(server_key("localhost:5000"), "localhost:5000");
        assert_eq!(server_key("ghcr.io"), "ghcr.io");
    }

    #[test]
    fn the_exact_docker_key_wins_over_an_alias() {
        let cfg = DockerConfig::parse(
            br#"{"auths": {
                "docker.io": {"username": "alias", "password": "a"},
                "https://index.docker.io/v1/": {"username": "docker", "password": "d"}
            }}"#,
        )
        .unwrap();
        for name in ["docker.io", "registry-1.docker.io", "index.docker.io"] {
            assert_eq!(
                cfg.credential_for(name).unwrap(),
                basic("docker", "d"),
                "{name}"
            );
        }
        // An alias entry alone is still found.
        let cfg = DockerConfig::parse(
            br#"{"auths": {"index.docker.io": {"username": "u", "password": "p"}}}"#,
        )
        .unwrap();
        assert_eq!(cfg.credential_for("docker.io").unwrap(), basic("u", "p"));
    }

    #[test]
    fn config_errors_and_missing_helpers() {
        let cfg = DockerConfig::parse(br#"{"auths": {"r.io": {"auth": "!!"}}}"#).unwrap();
        assert!(
            cfg.credential_for("r.io")
                .unwrap_err()
                .contains("not base64")
        );
        let cfg =
            DockerConfig::parse(br#"{"credHelpers": {"r.io": "consign-test-absent"}}"#).unwrap();
        let e = cfg.credential_for("r.io").unwrap_err();
        assert!(e.contains("docker-credential-consign-test-absent"), "{e}");
        let cfg = DockerConfig::parse(br#"{"credHelpers": {"r.io": "../evil"}}"#).unwrap();
        assert!(cfg.credential_for("r.io").unwrap_err().contains("invalid"));
        assert!(DockerConfig::parse(b"[").is_err());
    }

    #[test]
    fn challenges() {
        let c = Challenge::parse(
            r#"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull,push""#,
        )
        .unwrap();
        assert_eq!(c.scheme, "bearer");
        assert_eq!(c.param("realm"), Some("https://auth.docker.io/token"));
        assert_eq!(c.param("service"), Some("registry.docker.io"));
        assert_eq!(
            c.param("scope"),
            Some("repository:library/alpine:pull,push")
        );
        let c = Challenge::parse(r#"Basic realm="Registry Realm""#).unwrap();
        assert_eq!(c.scheme, "basic");
        assert_eq!(c.param("realm"), Some("Registry Realm"));
        let c = Challenge::parse(r#"Bearer realm=http://x/t, error="insufficient_scope""#).unwrap();
        assert_eq!(c.param("realm"), Some("http://x/t"));
        assert_eq!(c.param("error"), Some("insufficient_scope"));
        assert_eq!(Challenge::parse(""), None);
    }
}
