//! IMG002 sensitive-port.

use crate::audit::AuditCtx;
use crate::audit::finding::{Evidence, Finding, Findings};
use crate::audit::history::exposed_ports;
use crate::audit::rule::{Rule, RuleMeta, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An exposed port (config `ExposedPorts`, from `EXPOSE`) on the policy's list of
    /// sensitive ports: by default ftp 21, ssh 22, telnet 23, smtp 25, tftp 69, rpcbind 111,
    /// msrpc 135, netbios 139, smb 445, the Docker daemon 2375/2376, rdp 3389, vnc 5900,
    /// x11 6000 and the kubelet 10250 (CIS Docker Benchmark 4.8, 5.7).
    ///
    /// ## Why it matters
    /// These are remote administration or legacy services: a container should not run an SSH
    /// daemon (use `docker exec`), and an exposed Docker or kubelet port hands over the host.
    ///
    /// ## How to fix
    /// Remove the `EXPOSE` and the service behind it.
    ///
    /// ## Policy example
    /// ```toml
    /// [hardening]
    /// sensitive_ports = [22, 23, 2375, 2376, 3389]
    /// ```
    pub(crate) struct SensitivePort;
    id: "IMG002",
    name: "sensitive-port",
    title: "Sensitive port exposed",
    group: Image,
    severity: High,
    enabled: true,
}

impl Rule for SensitivePort {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &AuditCtx<'_>, out: &mut Findings) {
        let ports = cx
            .sbom
            .image
            .config
            .config
            .as_ref()
            .and_then(|c| c.exposed_ports.clone())
            .unwrap_or_default();
        for key in ports.keys() {
            let Some(&(port, _)) = exposed_ports(key).first() else {
                continue;
            };
            if !cx.policy.sensitive_ports.contains(&port) {
                continue;
            }
            let mut f =
                Finding::new(&META, format!("port {key} is exposed")).at(Evidence::Config {
                    field: "config.ExposedPorts".into(),
                    value: Some(key.clone()),
                });
            let steps: Vec<_> = match cx.dockerfile {
                Some(d) => d.steps.iter().filter(|s| s.final_stage).collect(),
                None => cx.history.iter().collect(),
            };
            if let Some(s) = steps.iter().rev().find(|s| {
                s.keyword == "EXPOSE" && exposed_ports(&s.args).iter().any(|(p, _)| *p == port)
            }) {
                f = f.at(cx.step_evidence(s));
            }
            out.push(f);
        }
    }
}
