//! The image config (`application/vnd.oci.image.config.v1+json`, and Docker's superset):
//! platform, rootfs diff_ids, history, and the run-time config (user, env, ports,
//! healthcheck, labels).
//!
//! Hand-written serde types rather than `oci-spec`'s: Docker's extensions (`Healthcheck`,
//! `OnBuild`, `Shell`) matter to the auditor, and every field is optional here, because real
//! configs omit fields the spec calls required. Spec: <https://github.com/opencontainers/image-spec/blob/main/config.md>.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// An image config. Unknown fields are ignored.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct ImageConfig {
    /// When the image was built (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Who built it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// CPU architecture (`amd64`, `arm64`).
    pub architecture: String,
    /// Operating system (`linux`).
    pub os: String,
    /// CPU variant (`v8`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    /// The run-time defaults.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<ContainerConfig>,
    /// The layers' uncompressed digests.
    pub rootfs: RootFs,
    /// One entry per build step; those with `empty_layer` made no layer.
    pub history: Vec<History>,
}

/// `rootfs` of a config.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct RootFs {
    /// Always `layers`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Digest of each uncompressed layer tar, bottom first.
    pub diff_ids: Vec<String>,
}

/// One build step.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default)]
pub struct History {
    /// When the step ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// The command (`/bin/sh -c apt-get install …`, `COPY file:… in /`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
    /// Who ran it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// A comment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// True when the step made no layer (ENV, CMD, LABEL …).
    pub empty_layer: bool,
}

/// The run-time defaults of a container (`config` in the image config).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct ContainerConfig {
    /// `USER`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `EXPOSE`: keys like `22/tcp`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exposed_ports: Option<BTreeMap<String, serde_json::Value>>,
    /// `ENV`: `KEY=value` strings.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub env: Option<Vec<String>>,
    /// `ENTRYPOINT`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    /// `CMD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cmd: Option<Vec<String>>,
    /// `VOLUME`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volumes: Option<BTreeMap<String, serde_json::Value>>,
    /// `WORKDIR`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    /// `LABEL`s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<BTreeMap<String, String>>,
    /// `STOPSIGNAL`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_signal: Option<String>,
    /// `HEALTHCHECK` (Docker extension).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    /// `ONBUILD` triggers (Docker extension).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_build: Option<Vec<String>>,
    /// `SHELL` (Docker extension).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shell: Option<Vec<String>>,
}

/// A Docker `HEALTHCHECK`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct Healthcheck {
    /// `["NONE"]`, `["CMD", …]` or `["CMD-SHELL", "…"]`.
    pub test: Vec<String>,
    /// Nanoseconds between checks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<i64>,
    /// Nanoseconds before a check counts as failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<i64>,
    /// Failures before unhealthy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<i64>,
}

impl ImageConfig {
    /// The labels (empty when none).
    pub fn labels(&self) -> BTreeMap<String, String> {
        self.config
            .as_ref()
            .and_then(|c| c.labels.clone())
            .unwrap_or_default()
    }

    /// The `created_by` of the history step that made each layer, bottom first: history
    /// entries without `empty_layer` map to layers in order. `None` where history is short.
    pub fn layer_history(&self) -> Vec<Option<String>> {
        let steps: Vec<&History> = self.history.iter().filter(|h| !h.empty_layer).collect();
        (0..self.rootfs.diff_ids.len())
            .map(|i| steps.get(i).and_then(|h| h.created_by.clone()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_hello_world_config() {
        let text = r#"{"created":"2020-01-03T01:21:37.263809283Z","architecture":"amd64","os":"linux","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["/hello"]},"rootfs":{"type":"layers","diff_ids":["sha256:9c27e219663c25e0f28493790cc0b88bc973ba3b1686355f221c38a36978ac63"]},"history":[{"created":"2020-01-03T01:21:37.132606296Z","created_by":"/bin/sh -c #(nop) COPY file:7bf12aab75c3867a023fe3b8bd6d113d43a4fcc415f3cc27cbcf0fff37b65a02 in / "},{"created":"2020-01-03T01:21:37.263809283Z","created_by":"/bin/sh -c #(nop)  CMD [\"/hello\"]","empty_layer":true}]}"#;
        let c: ImageConfig = serde_json::from_str(text).unwrap();
        assert_eq!(c.architecture, "amd64");
        assert_eq!(c.rootfs.diff_ids.len(), 1);
        let h = c.layer_history();
        assert_eq!(h.len(), 1);
        assert!(h[0].as_deref().unwrap().contains("COPY file:7bf1"));
        assert_eq!(c.config.unwrap().cmd.unwrap(), vec!["/hello".to_string()]);
    }

    #[test]
    fn docker_extensions_and_missing_fields() {
        let c: ImageConfig = serde_json::from_str(
            r#"{"config":{"User":"app","Healthcheck":{"Test":["CMD-SHELL","true"]},"ExposedPorts":{"22/tcp":{}},"Labels":{"a":"b"}},"rootfs":{"diff_ids":[]},"container_config":{}}"#,
        )
        .unwrap();
        let cc = c.config.as_ref().unwrap();
        assert_eq!(cc.user.as_deref(), Some("app"));
        assert_eq!(cc.healthcheck.as_ref().unwrap().test[0], "CMD-SHELL");
        assert!(cc.exposed_ports.as_ref().unwrap().contains_key("22/tcp"));
        assert_eq!(c.labels()["a"], "b");
    }
}
