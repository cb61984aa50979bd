//! `gov export devcontainer`: `.devcontainer/devcontainer.json` with the
//! Dev Containers Go feature at the pinned release.

use serde_json::json;

use super::Pin;

/// The Dev Containers project's Go feature.
pub const GO_FEATURE: &str = "ghcr.io/devcontainers/features/go:1";
/// Its Debian base image.
pub const BASE_IMAGE: &str = "mcr.microsoft.com/devcontainers/base:bookworm";

pub fn render(pin: &Pin, name: &str) -> String {
    let mut doc = json!({
        "name": format!("{name} (Go {})", pin.version),
        "image": BASE_IMAGE,
        "features": {
            GO_FEATURE: { "version": pin.version.to_string() }
        },
        "customizations": {
            "vscode": { "extensions": ["golang.go"] }
        },
    });
    if let Some(p) = &pin.platform {
        doc["runArgs"] = json!([format!("--platform={}/{}", p.os, p.arch)]);
    }
    let mut text =
        super::json_escape_all(serde_json::to_string_pretty(&doc).expect("JSON serializes"));
    text.push('\n');
    text
}
