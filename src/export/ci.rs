//! `gov export github|gitlab`: a CI job that restores its cache, installs
//! gov and the pinned release, and runs the tests.

use std::fmt::Write as _;

use super::{comment, yaml_str, Pin};
use crate::platform::Platform;

/// GitHub-hosted runner labels by platform.
pub fn github_runner(p: &Platform) -> Option<&'static str> {
    Some(match (p.os.as_str(), p.arch.as_str()) {
        ("linux", "amd64") => "ubuntu-latest",
        ("linux", "arm64") => "ubuntu-24.04-arm",
        ("darwin", "arm64") => "macos-latest",
        ("darwin", "amd64") => "macos-13",
        _ => return None,
    })
}

/// GitLab.com's hosted Linux runners: the tag that picks one, if any.
pub fn gitlab_tag(p: &Platform) -> Option<Option<&'static str>> {
    match (p.os.as_str(), p.arch.as_str()) {
        ("linux", "amd64") => Some(None),
        ("linux", "arm64") => Some(Some("saas-linux-small-arm64")),
        _ => None,
    }
}

/// The variables every job sets: the pin, the installer's source, mirrors.
fn variables(pin: &Pin) -> Vec<(&'static str, String)> {
    let mut vars = vec![
        ("GOV_VERSION", pin.version.to_string()),
        ("GOV_RELEASE_URL", pin.release_url.clone()),
    ];
    vars.extend(pin.mirrors.iter().cloned());
    vars
}

const INSTALL_GOV: &str = r#"curl -fsSL "$GOV_RELEASE_URL/get-gov.sh" | sh"#;

/// A workflow file, `.github/workflows/go.yml`.
pub fn github(pin: &Pin, runner: &str) -> String {
    let v = &pin.version;
    let key = pin.key();
    let mut f = String::new();
    let _ = writeln!(
        f,
        "# Go {v} ({}), pinned by `gov export github`.",
        comment(&pin.why)
    );
    let _ = writeln!(f, "# Save as .github/workflows/go.yml.");
    let _ = writeln!(f, "name: go");
    let _ = writeln!(f, "on:\n  push:\n  pull_request:");
    let _ = writeln!(f, "jobs:\n  test:\n    runs-on: {runner}\n    env:");
    for (name, value) in variables(pin) {
        let _ = writeln!(f, "      {name}: {}", yaml_str(&value));
    }
    let _ = writeln!(f, "    steps:");
    let _ = writeln!(f, "      - uses: actions/checkout@v4");
    let _ = writeln!(
        f,
        "      # Restored before gov installs anything: a hit installs nothing."
    );
    let _ = writeln!(f, "      - uses: actions/cache@v4");
    let _ = writeln!(f, "        with:");
    let _ = writeln!(f, "          path: ~/.local/share/gov");
    let _ = writeln!(
        f,
        "          key: {key}-${{{{ hashFiles('**/go.sum', '**/go.work.sum') }}}}"
    );
    let _ = writeln!(f, "          restore-keys: {key}-");
    let _ = writeln!(f, "      - name: Install gov");
    let _ = writeln!(f, "        run: |");
    let _ = writeln!(f, "          {INSTALL_GOV}");
    let _ = writeln!(f, "          echo \"$HOME/.local/bin\" >> \"$GITHUB_PATH\"");
    let _ = writeln!(f, "      - name: Install Go {v}");
    let _ = writeln!(f, "        run: |");
    let _ = writeln!(f, "          gov install {v}");
    let _ = writeln!(f, "          gov env --shell github --isolate version");
    let _ = writeln!(f, "      - run: go test ./...");
    f
}

/// A job for `.gitlab-ci.yml`.
pub fn gitlab(pin: &Pin, image: &str, tag: Option<&str>) -> String {
    let v = &pin.version;
    let mut f = String::new();
    let _ = writeln!(
        f,
        "# Go {v} ({}), pinned by `gov export gitlab`.",
        comment(&pin.why)
    );
    let _ = writeln!(f, "# Add to .gitlab-ci.yml.");
    let _ = writeln!(f, "test:");
    let _ = writeln!(f, "  image: {}", yaml_str(image));
    if let Some(tag) = tag {
        let _ = writeln!(f, "  tags: [{tag}]");
    }
    let _ = writeln!(f, "  variables:");
    // GitLab caches only paths inside the project.
    let _ = writeln!(f, "    GOV_HOME: \"$CI_PROJECT_DIR/.gov\"");
    for (name, value) in variables(pin) {
        let _ = writeln!(f, "    {name}: {}", yaml_str(&value));
    }
    let _ = writeln!(
        f,
        "  # Restored before the scripts run: a hit installs nothing."
    );
    let _ = writeln!(f, "  cache:");
    let _ = writeln!(f, "    key:");
    let _ = writeln!(f, "      files: [go.mod, go.sum]");
    let _ = writeln!(f, "      prefix: {}", pin.key());
    let _ = writeln!(f, "    paths: [.gov/]");
    let _ = writeln!(f, "  before_script:");
    let _ = writeln!(f, "    - {}", yaml_str(INSTALL_GOV));
    let _ = writeln!(
        f,
        "    - {}",
        yaml_str(r#"export PATH="$HOME/.local/bin:$PATH""#)
    );
    let _ = writeln!(f, "    - gov install {v}");
    let _ = writeln!(
        f,
        "    - {}",
        yaml_str(r#"eval "$(gov env --isolate version)""#)
    );
    let _ = writeln!(f, "  script:");
    let _ = writeln!(f, "    - go test ./...");
    f
}
