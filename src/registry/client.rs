//! A blocking client for one registry: the OCI distribution API over `ureq` (rustls with the
//! `ring` provider), with authentication, retries and messages that say what went wrong.
//!
//! Spec: <https://github.com/opencontainers/distribution-spec/blob/main/spec.md>.
//!
//! - **Transport.** HTTPS always, except plain HTTP for a loopback registry (`localhost`,
//!   `127.0.0.0/8`, `[::1]`) and only when [`ClientOptions::insecure`] asks for it. A registry
//!   CA can be given ([`ClientOptions::ca_pem`]); otherwise the Mozilla roots (webpki-roots).
//!   Redirects are followed without the `Authorization` header (blob storage on another host).
//! - **Authentication.** Every request is first sent with what is cached; a `401` with a
//!   `WWW-Authenticate` challenge is answered once: `Basic` with the credential, `Bearer` by
//!   fetching a token from the realm for the request's scope (`repository:R:pull` or
//!   `repository:R:pull,push`) — anonymously, with Basic credentials, or by exchanging an
//!   identity token — and cached per scope. The credential is looked up lazily, so a public
//!   image never runs a credential helper.
//! - **Retries.** Connection failures, timeouts, `429` and `500/502/503/504` are retried with
//!   exponential backoff (honouring `Retry-After` up to a cap); every request the client makes
//!   is idempotent or, for an upload session, harmless to repeat.
//! - **Errors** name the registry and repository and turn `401`, `403` and `404` into
//!   sentences, with the registry's own error code and message (`MANIFEST_UNKNOWN: …`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use serde::Deserialize;
use ureq::http::{self, Method, Response, StatusCode};
use ureq::{Agent, Body};

use super::auth::{Challenge, Credential, DockerConfig};
use super::reference::is_loopback_host;
use crate::{Error, Result};

/// How often and how patiently to retry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all (1 = no retry). Default 4.
    pub attempts: u32,
    /// First delay; doubles each time. Default 500 ms.
    pub base_delay: Duration,
    /// Longest delay, also the cap on `Retry-After`. Default 10 s.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
        }
    }
}

/// How to reach registries.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Credentials (a parsed Docker `config.json`); `None` means anonymous only.
    pub docker_config: Option<Arc<DockerConfig>>,
    /// Plain HTTP, for loopback registries only.
    pub insecure: bool,
    /// PEM certificates to trust instead of the Mozilla roots (a private registry's CA).
    pub ca_pem: Option<Vec<u8>>,
    /// HTTP proxy; `None` connects directly.
    pub proxy: Option<ureq::Proxy>,
    /// Retries.
    pub retry: RetryPolicy,
    /// Connect timeout, and the longest wait for any single read or write. Default 30 s.
    pub timeout: Duration,
    /// `User-Agent`.
    pub user_agent: String,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            docker_config: None,
            insecure: false,
            ca_pem: None,
            proxy: None,
            retry: RetryPolicy::default(),
            timeout: Duration::from_secs(30),
            user_agent: format!("consign/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// What a request needs from the repository.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Read.
    Pull,
    /// Read and write.
    Push,
}

/// One request to send.
pub(crate) struct Call<'a> {
    pub method: Method,
    /// Path below the registry root (`/v2/…`), or an absolute URL (an upload `Location`).
    pub path: String,
    pub repo: &'a str,
    pub access: Access,
    pub accept: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub body: &'a [u8],
}

/// What the client has learned from challenges: send Basic credentials, and the Bearer
/// tokens fetched so far, by scope.
#[derive(Default)]
pub(super) struct AuthState {
    pub(super) basic: bool,
    pub(super) bearer: Option<Challenge>,
    pub(super) tokens: HashMap<String, String>,
}

/// A client for one registry host.
pub struct Client {
    pub(super) registry: String,
    base: String,
    pub(super) agent: Agent,
    opts: ClientOptions,
    pub(super) auth: Mutex<AuthState>,
    credential: OnceLock<std::result::Result<Option<Credential>, String>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("base", &self.base).finish()
    }
}

impl Client {
    /// A client for `registry` (`host[:port]` as in references) reached at `api_host`.
    pub fn new(registry: &str, api_host: &str, opts: ClientOptions) -> Result<Client> {
        let err = |reason: String| Error::Registry {
            registry: registry.to_owned(),
            repository: String::new(),
            reason,
        };
        if opts.insecure && !is_loopback_host(api_host) {
            return Err(err(
                "--insecure-registry (plain HTTP) is only allowed for registries on this \
                 machine (localhost, 127.0.0.1, [::1])"
                    .into(),
            ));
        }
        let scheme = if opts.insecure { "http" } else { "https" };
        let mut tls = ureq::tls::TlsConfig::builder();
        if let Some(pem) = &opts.ca_pem {
            let certs = ureq::tls::parse_pem(pem)
                .filter_map(|i| match i {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(Ok(c)),
                    Ok(_) => None,
                    Err(e) => Some(Err(e)),
                })
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|e| err(format!("the registry CA is not valid PEM: {e}")))?;
            if certs.is_empty() {
                return Err(err("the registry CA file holds no certificate".into()));
            }
            tls = tls.root_certs(ureq::tls::RootCerts::new_with_certs(&certs));
        }
        let agent: Agent = Agent::config_builder()
            .http_status_as_error(false)
            .https_only(!opts.insecure)
            // Like Go's net/http (and so Docker), never proxy a registry on this machine.
            .proxy(opts.proxy.clone().filter(|_| !is_loopback_host(api_host)))
            .tls_config(tls.build())
            .timeout_connect(Some(opts.timeout))
            .timeout_per_read(Some(opts.timeout))
            .timeout_per_write(Some(opts.timeout))
            .max_redirects(5)
            .user_agent(opts.user_agent.as_str())
            .build()
            .into();
        Ok(Client {
            registry: registry.to_owned(),
            base: format!("{scheme}://{api_host}"),
            agent,
            opts,
            auth: Mutex::new(AuthState::default()),
            credential: OnceLock::new(),
        })
    }

    /// The registry, as named in references.
    pub fn registry(&self) -> &str {
        &self.registry
    }

    /// `scheme://host[:port]`.
    pub(crate) fn base_url(&self) -> &str {
        &self.base
    }

    /// An error about `repo` on this registry.
    pub(crate) fn error(&self, repo: &str, reason: impl Into<String>) -> Error {
        Error::Registry {
            registry: self.registry.clone(),
            repository: repo.to_owned(),
            reason: reason.into(),
        }
    }

    pub(super) fn credential(&self) -> std::result::Result<Option<Credential>, String> {
        self.credential
            .get_or_init(|| match &self.opts.docker_config {
                Some(cfg) => cfg.credential_for(&self.registry),
                None => Ok(None),
            })
            .clone()
    }

    fn scope(repo: &str, access: Access) -> String {
        match access {
            Access::Pull => format!("repository:{repo}:pull"),
            Access::Push => format!("repository:{repo}:pull,push"),
        }
    }

    /// The `Authorization` value to send for `scope`, from what is cached.
    fn cached_auth(&self, scope: &str) -> Option<String> {
        let state = self.auth.lock().ok()?;
        if let Some(t) = state.tokens.get(scope) {
            return Some(format!("Bearer {t}"));
        }
        if state.basic {
            return self.credential().ok().flatten()?.basic_header();
        }
        None
    }

    /// Sends `call`, answering one authentication challenge and retrying transient failures.
    /// Statuses other than 401, 429 and 5xx are the caller's to interpret.
    pub(crate) fn send(&self, call: &Call<'_>) -> Result<Response<Body>> {
        let scope = Self::scope(call.repo, call.access);
        let url = if call.path.starts_with("http://") || call.path.starts_with("https://") {
            call.path.clone()
        } else {
            format!("{}{}", self.base, call.path)
        };
        let mut challenged = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut req = http::Request::builder()
                .method(call.method.clone())
                .uri(&url);
            if let Some(a) = call.accept {
                req = req.header("Accept", a);
            }
            if let Some(ct) = call.content_type {
                req = req.header("Content-Type", ct);
            }
            if let Some(auth) = self.cached_auth(&scope) {
                req = req.header("Authorization", auth);
            }
            let req = req
                .body(call.body)
                .map_err(|e| self.error(call.repo, format!("bad request URL {url}: {e}")))?;
            let resp = match self.agent.run(req) {
                Ok(r) => r,
                Err(e) if attempt < self.opts.retry.attempts && transient(&e) => {
                    std::thread::sleep(self.backoff(attempt, None));
                    continue;
                }
                Err(e) => return Err(self.transport_error(call.repo, &e, attempt)),
            };
            let status = resp.status();
            if status == StatusCode::UNAUTHORIZED && !challenged {
                challenged = true;
                let header = resp
                    .headers()
                    .get("www-authenticate")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                if let Some(ch) = Challenge::parse(header) {
                    self.answer(&ch, &scope, call.repo)?;
                    attempt -= 1;
                    continue;
                }
                return Ok(resp);
            }
            if retryable(status) && attempt < self.opts.retry.attempts {
                let after = resp
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                std::thread::sleep(self.backoff(attempt, after));
                continue;
            }
            if retryable(status) {
                let what = if status == StatusCode::TOO_MANY_REQUESTS {
                    "too many requests"
                } else {
                    "server error"
                };
                return Err(self.error(
                    call.repo,
                    format!(
                        "{what} (HTTP {}) on {} {}, {attempt} attempts{}",
                        status.as_u16(),
                        call.method,
                        url,
                        error_detail(resp)
                    ),
                ));
            }
            return Ok(resp);
        }
    }

    fn backoff(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        let p = &self.opts.retry;
        let exp = p
            .base_delay
            .saturating_mul(1u32 << (attempt.saturating_sub(1)).min(16));
        retry_after.unwrap_or(exp).min(p.max_delay)
    }

    fn transport_error(&self, repo: &str, e: &ureq::Error, attempts: u32) -> Error {
        let mut reason = format!("cannot reach {}: {e}", self.base);
        if attempts > 1 {
            reason.push_str(&format!(" ({attempts} attempts)"));
        }
        let tls = is_tls_error(e);
        let refused =
            matches!(e, ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused);
        if !refused && !self.opts.insecure && is_loopback_host(&self.registry) {
            reason.push_str(
                "; if this local registry speaks plain HTTP, pass --insecure-registry, or give \
                 its CA with --registry-ca",
            );
        } else if tls {
            reason.push_str("; if the registry uses a private CA, give it with --registry-ca");
        }
        self.error(repo, reason)
    }

    /// Turns an unexpected response into an error naming what was asked for.
    pub(crate) fn status_error(
        &self,
        repo: &str,
        what: &str,
        access: Access,
        resp: Response<Body>,
    ) -> Error {
        let status = resp.status();
        let detail = error_detail(resp);
        let reason = match status {
            StatusCode::UNAUTHORIZED => {
                let has_credential = self.credential().ok().flatten().is_some();
                if has_credential {
                    format!(
                        "{what}: the credentials for {} were rejected (HTTP 401{detail})",
                        self.registry
                    )
                } else {
                    self.login_hint(&format!(
                        "{what}: authentication required (HTTP 401{detail})"
                    ))
                }
            }
            StatusCode::FORBIDDEN => format!(
                "{what}: access denied (HTTP 403{detail}): the credentials in use may not {} {repo}",
                match access {
                    Access::Pull => "pull from",
                    Access::Push => "push to",
                }
            ),
            StatusCode::NOT_FOUND => format!("{what}: not found (HTTP 404{detail})"),
            s => format!("{what}: HTTP {}{detail}", s.as_u16()),
        };
        self.error(repo, reason)
    }
}

fn retryable(s: StatusCode) -> bool {
    matches!(s.as_u16(), 429 | 500 | 502 | 503 | 504)
}

fn transient(e: &ureq::Error) -> bool {
    use std::io::ErrorKind::*;
    match e {
        // rustls reports a peer that does not speak TLS as InvalidData: not worth retrying.
        ureq::Error::Io(io) => matches!(
            io.kind(),
            ConnectionRefused
                | ConnectionReset
                | ConnectionAborted
                | BrokenPipe
                | UnexpectedEof
                | TimedOut
                | Interrupted
        ),
        ureq::Error::Timeout(_) | ureq::Error::ConnectionFailed => true,
        _ => false,
    }
}

/// True when the error says the TLS handshake failed (including a peer speaking plain HTTP).
fn is_tls_error(e: &ureq::Error) -> bool {
    match e {
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) => true,
        ureq::Error::Io(io) => io.kind() == std::io::ErrorKind::InvalidData,
        _ => false,
    }
}

/// `; CODE: message` from an OCI error body (`{"errors":[{"code","message"}]}`), or "".
pub(crate) fn error_detail(mut resp: Response<Body>) -> String {
    #[derive(Deserialize)]
    struct Errors {
        #[serde(default)]
        errors: Vec<ErrorInfo>,
    }
    #[derive(Deserialize)]
    struct ErrorInfo {
        #[serde(default)]
        code: String,
        #[serde(default)]
        message: String,
    }
    let Ok(body) = resp.body_mut().with_config().limit(64 << 10).read_to_vec() else {
        return String::new();
    };
    let Ok(e) = serde_json::from_slice::<Errors>(&body) else {
        return String::new();
    };
    let parts: Vec<String> = e
        .errors
        .iter()
        .map(|i| match (i.code.is_empty(), i.message.is_empty()) {
            (false, false) => format!("{}: {}", i.code, i.message),
            (false, true) => i.code.clone(),
            _ => i.message.clone(),
        })
        .filter(|s| !s.is_empty())
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!("; {}", parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_honours_retry_after_and_is_capped() {
        let opts = ClientOptions {
            retry: RetryPolicy {
                attempts: 5,
                base_delay: Duration::from_millis(100),
                max_delay: Duration::from_millis(500),
            },
            ..ClientOptions::default()
        };
        let c = Client::new("r.example", "r.example", opts).unwrap();
        let ms = |a, after: Option<u64>| c.backoff(a, after.map(Duration::from_secs)).as_millis();
        assert_eq!(
            [ms(1, None), ms(2, None), ms(3, None), ms(4, None)],
            [100, 200, 400, 500]
        );
        assert_eq!(ms(1, Some(0)), 0);
        assert_eq!(ms(1, Some(30)), 500);
    }

    #[test]
    fn what_is_retried() {
        for s in [429, 500, 502, 503, 504] {
            assert!(retryable(StatusCode::from_u16(s).unwrap()), "{s}");
        }
        for s in [400, 401, 403, 404, 501] {
            assert!(!retryable(StatusCode::from_u16(s).unwrap()), "{s}");
        }
        let io = |k| ureq::Error::Io(std::io::Error::from(k));
        assert!(transient(&io(std::io::ErrorKind::ConnectionReset)));
        assert!(!transient(&io(std::io::ErrorKind::InvalidData)));
        assert!(is_tls_error(&io(std::io::ErrorKind::InvalidData)));
        assert!(!transient(&ureq::Error::HostNotFound));
    }
}
