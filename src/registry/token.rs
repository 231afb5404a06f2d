//! Answering authentication challenges: Basic credentials, or a Bearer token from the
//! realm's token service (the Docker token protocol,
//! <https://distribution.github.io/distribution/spec/auth/token/>; identity tokens are
//! exchanged through its OAuth2 form, <https://distribution.github.io/distribution/spec/auth/oauth/>).
//!
//! Credentials never travel in clear text to another machine: a token service reached over
//! plain HTTP must be on loopback.

use serde::Deserialize;
use ureq::http::StatusCode;

use super::auth::{Challenge, Credential};
use super::client::Client;
use super::reference::is_loopback_host;
use crate::Result;

impl Client {
    /// Answers a challenge so that the next request for `scope` carries credentials.
    pub(super) fn answer(&self, ch: &Challenge, scope: &str, repo: &str) -> Result<()> {
        let credential = self.credential().map_err(|e| self.error(repo, e))?;
        match ch.scheme.as_str() {
            "basic" => {
                if credential
                    .as_ref()
                    .and_then(Credential::basic_header)
                    .is_none()
                {
                    return Err(
                        self.error(repo, self.login_hint("authentication required (HTTP 401)"))
                    );
                }
                if let Ok(mut s) = self.auth.lock() {
                    s.basic = true;
                }
                Ok(())
            }
            "bearer" => {
                let token = self.fetch_token(ch, scope, repo, credential.as_ref())?;
                if let Ok(mut s) = self.auth.lock() {
                    s.bearer = Some(ch.clone());
                    s.tokens.insert(scope.to_owned(), token);
                }
                Ok(())
            }
            other => Err(self.error(
                repo,
                format!("unsupported authentication scheme {other:?} (HTTP 401)"),
            )),
        }
    }

    pub(super) fn login_hint(&self, what: &str) -> String {
        format!(
            "{what}: log in with `docker login {}` or add credentials for it to the Docker \
             config.json ($DOCKER_CONFIG or ~/.docker)",
            self.registry
        )
    }

    fn fetch_token(
        &self,
        ch: &Challenge,
        scope: &str,
        repo: &str,
        credential: Option<&Credential>,
    ) -> Result<String> {
        let realm = ch
            .param("realm")
            .ok_or_else(|| self.error(repo, "bearer challenge without a realm"))?;
        let realm_host = realm
            .strip_prefix("http://")
            .map(|r| r.split('/').next().unwrap_or(""));
        if let Some(h) = realm_host
            && !is_loopback_host(h)
        {
            return Err(self.error(
                repo,
                format!("refusing to send credentials to a plain-HTTP token service {realm}"),
            ));
        }
        let service = ch.param("service").unwrap_or_default();
        let resp = match credential {
            Some(Credential::IdentityToken(refresh)) => self
                .agent
                .post(realm)
                .content_type("application/x-www-form-urlencoded")
                .send_form([
                    ("grant_type", "refresh_token"),
                    ("refresh_token", refresh.as_str()),
                    ("service", service),
                    ("scope", scope),
                    ("client_id", "consign"),
                ]),
            other => {
                let mut req = self.agent.get(realm).query("scope", scope);
                if !service.is_empty() {
                    req = req.query("service", service);
                }
                if let Some(h) = other.and_then(Credential::basic_header) {
                    req = req.header("Authorization", h);
                }
                req.call()
            }
        };
        let mut resp =
            resp.map_err(|e| self.error(repo, format!("cannot get a token from {realm}: {e}")))?;
        let status = resp.status();
        if status == StatusCode::UNAUTHORIZED || status == StatusCode::FORBIDDEN {
            let what = if credential.is_some() {
                format!(
                    "the token service {realm} rejected the credentials for {} (HTTP {})",
                    self.registry,
                    status.as_u16()
                )
            } else {
                format!(
                    "authentication required (token service {realm}: HTTP {})",
                    status.as_u16()
                )
            };
            return Err(self.error(repo, self.login_hint(&what)));
        }
        if !status.is_success() {
            return Err(self.error(
                repo,
                format!("token service {realm} answered HTTP {}", status.as_u16()),
            ));
        }
        #[derive(Deserialize)]
        struct TokenResponse {
            #[serde(default)]
            token: Option<String>,
            #[serde(default)]
            access_token: Option<String>,
        }
        let body = resp
            .body_mut()
            .with_config()
            .limit(1 << 20)
            .read_to_vec()
            .map_err(|e| self.error(repo, format!("reading the token from {realm}: {e}")))?;
        let t: TokenResponse = serde_json::from_slice(&body).map_err(|e| {
            self.error(
                repo,
                format!("token service {realm}: malformed answer: {e}"),
            )
        })?;
        t.token
            .or(t.access_token)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| self.error(repo, format!("token service {realm} returned no token")))
    }
}
