//! Registry options shared by `sbom`, `audit` and `base add` (for registry:… sources),
//! `attach` and `referrers`, and where the CLI
//! finds what the library must not look up itself: the Docker `config.json`
//! (`$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`), the proxy (`HTTPS_PROXY`,
//! `NO_PROXY`, …) and a registry CA (`--registry-ca`, else Docker's
//! `/etc/docker/certs.d/HOST/ca.crt` when it exists, else the OpenSSL convention
//! `SSL_CERT_FILE`, which consign's container image sets to its CA bundle).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use consign::registry::{ClientOptions, DockerConfig, ImageRef};
use consign::source::SourceSpec;

/// The registry flags.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RegistryArgs {
    /// Use plain HTTP. Only for registries on this machine (localhost, 127.0.0.1, [::1]).
    #[arg(long, env = "CONSIGN_INSECURE_REGISTRY")]
    pub insecure_registry: bool,

    /// PEM file of the CA that signed the registry's TLS certificate. Default:
    /// /etc/docker/certs.d/HOST/ca.crt when it exists, else the bundle SSL_CERT_FILE names,
    /// else the Mozilla roots built into consign.
    #[arg(long, value_name = "FILE", env = "CONSIGN_REGISTRY_CA")]
    pub registry_ca: Option<PathBuf>,

    /// Whether either flag was typed on the command line, rather than set by
    /// `CONSIGN_INSECURE_REGISTRY`, `CONSIGN_REGISTRY_CA` or a config file's `[registry]`
    /// (see [`RegistryArgs::note_typed`]).
    #[arg(skip)]
    pub typed: bool,
}

impl RegistryArgs {
    /// Records whether the flags came from the command line, from `m` (the subcommand's
    /// matches).
    pub fn note_typed(&mut self, m: &clap::ArgMatches) {
        use clap::parser::ValueSource;
        self.typed = ["insecure_registry", "registry_ca"]
            .iter()
            .any(|id| m.value_source(id) == Some(ValueSource::CommandLine));
    }
}

/// The Docker config file to read credentials from, when there is one.
fn docker_config_path() -> Option<PathBuf> {
    let dir = match std::env::var_os("DOCKER_CONFIG") {
        Some(d) if !d.is_empty() => PathBuf::from(d),
        _ => PathBuf::from(std::env::var_os("HOME")?).join(".docker"),
    };
    Some(dir.join("config.json"))
}

/// Client options for a `registry:…` source; `None` for other sources, where the registry
/// flags are a usage error when typed on the command line. Set by the environment or a config
/// file they are a setting for whichever registry images come along, and are ignored.
pub fn for_source(args: &RegistryArgs, spec: &SourceSpec) -> anyhow::Result<Option<ClientOptions>> {
    match spec {
        SourceSpec::Registry(r) => Ok(Some(client_options(args, r)?)),
        _ if args.typed && (args.insecure_registry || args.registry_ca.is_some()) => {
            anyhow::bail!("--insecure-registry and --registry-ca apply to registry:… sources only")
        }
        _ => Ok(None),
    }
}

/// Client options for `image`'s registry.
pub fn client_options(args: &RegistryArgs, image: &ImageRef) -> anyhow::Result<ClientOptions> {
    let docker_config = match docker_config_path() {
        Some(p) if p.is_file() => {
            let bytes =
                std::fs::read(&p).with_context(|| format!("cannot read {}", p.display()))?;
            let cfg =
                DockerConfig::parse(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?;
            Some(Arc::new(cfg))
        }
        _ => None,
    };
    let default_ca = Path::new("/etc/docker/certs.d")
        .join(&image.registry)
        .join("ca.crt");
    let ssl_cert_file = std::env::var_os("SSL_CERT_FILE")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    let ca_path = args
        .registry_ca
        .clone()
        .or_else(|| default_ca.is_file().then_some(default_ca))
        .or(ssl_cert_file);
    let ca_pem = match &ca_path {
        Some(p) => Some(std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?),
        None => None,
    };
    Ok(ClientOptions {
        docker_config,
        insecure: args.insecure_registry,
        ca_pem,
        proxy: consign::registry::Proxy::try_from_env(),
        ..ClientOptions::default()
    })
}
