//! `gov export github|gitlab`: a CI job that restores its cache, installs
//! gov and the pinned release, and runs the tests.

use std::fmt::Write as _;

use super::{comment, yaml_str, Pin};
use crate::platform::{Platform, Target};

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

/// The variables every job sets: the pin, the installer's source, mirrors,
/// and `GOV_LOCKED` when the project has a lock.
fn variables(pin: &Pin) -> Vec<(&'static str, String)> {
    let mut vars = vec![
        ("GOV_VERSION", pin.version.to_string()),
        ("GOV_RELEASE_URL", pin.release_url.clone()),
    ];
    vars.extend(pin.mirrors.iter().cloned());
    if pin.locked {
        // The job installs exactly what gov.lock locks, or fails.
        vars.push((crate::env_vars::GOV_LOCKED, "1".into()));
    }
    vars
}

const INSTALL_GOV: &str = r#"curl -fsSL "$GOV_RELEASE_URL/get-gov.sh" | sh"#;

/// The hosted runners' default platform, where cross-compiling jobs run.
fn default_platform() -> Platform {
    Platform {
        os: "linux".into(),
        arch: "amd64".into(),
    }
}

/// One job of a `--platform` matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub target: Target,
    /// Built and vetted for the target on a default (linux/amd64) runner,
    /// not run: the CI has no runner of its platform, or `--cross` asked.
    pub cross: bool,
}

/// The jobs for `targets`: each on a runner of its own platform where the
/// CI has one (`native`) and `cross_all` is not asked, cross-compiled on
/// the default runner otherwise.
pub fn jobs(targets: &[Target], cross_all: bool, native: impl Fn(&Platform) -> bool) -> Vec<Job> {
    targets
        .iter()
        .map(|target| {
            let platform = target.release_platform();
            let on_default = platform == default_platform();
            Job {
                target: target.clone(),
                cross: !on_default && (cross_all || !native(&platform)),
            }
        })
        .collect()
}

/// The comment line that says where each job runs.
fn jobs_comment(jobs: &[Job]) -> String {
    let list = |cross: bool| {
        jobs.iter()
            .filter(|j| j.cross == cross)
            .map(|j| j.target.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (native, cross) = (list(false), list(true));
    let mut lines = vec!["# One job per platform.".to_string()];
    if !native.is_empty() {
        lines.push(format!("# Tested on a runner of its own: {native}."));
    }
    if !cross.is_empty() {
        lines.push(format!(
            "# Cross-compiled on linux/amd64 (built and vetted, not run): {cross}."
        ));
    }
    lines.join("\n")
}

/// What a cross-compiling job runs, with the target's `GOOS`/`GOARCH`
/// set: `go env` first, so the log says what was built.
const CROSS_COMMANDS: [&str; 3] = ["go env GOOS GOARCH", "go vet ./...", "go build ./..."];

/// A GitHub job's `env:` and its steps up to Go installed: checkout, the
/// cache of gov's store under `key` (restored before gov installs
/// anything: a hit installs nothing), gov, the release.
fn github_setup(f: &mut String, pin: &Pin, key: &str) {
    let v = &pin.version;
    let _ = writeln!(f, "    env:");
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
}

/// A GitLab job's `variables:`, its cache (keyed by `cache_prefix`) if
/// it has one, and `before_script:`, which installs gov and the release.
/// `GOV_HOME` is in the project: GitLab caches only paths inside it.
fn gitlab_setup(f: &mut String, pin: &Pin, cache_prefix: Option<&str>) {
    let _ = writeln!(f, "  variables:");
    let _ = writeln!(f, "    GOV_HOME: \"$CI_PROJECT_DIR/.gov\"");
    for (name, value) in variables(pin) {
        let _ = writeln!(f, "    {name}: {}", yaml_str(&value));
    }
    if let Some(prefix) = cache_prefix {
        gitlab_cache(f, prefix);
    }
    let _ = writeln!(f, "  before_script:");
    let _ = writeln!(f, "    - {}", yaml_str(INSTALL_GOV));
    let _ = writeln!(
        f,
        "    - {}",
        yaml_str(r#"export PATH="$HOME/.local/bin:$PATH""#)
    );
    let _ = writeln!(f, "    - gov install {}", pin.version);
    let _ = writeln!(
        f,
        "    - {}",
        yaml_str(r#"eval "$(gov env --isolate version)""#)
    );
}

/// A GitLab job's cache of gov's store, keyed by `prefix` (the release
/// and the runner's platform) and the module's sums.
fn gitlab_cache(f: &mut String, prefix: &str) {
    let _ = writeln!(
        f,
        "  # Restored before the scripts run: a hit installs nothing."
    );
    let _ = writeln!(f, "  cache:");
    let _ = writeln!(f, "    key:");
    let _ = writeln!(f, "      files: [go.mod, go.sum]");
    let _ = writeln!(f, "      prefix: {prefix}");
    let _ = writeln!(f, "    paths: [.gov/]");
}

/// A workflow file, `.github/workflows/go.yml`.
pub fn github(pin: &Pin, runner: &str) -> String {
    let mut f = String::new();
    let _ = writeln!(
        f,
        "# Go {} ({}), pinned by `gov export github`.",
        pin.version,
        comment(&pin.why)
    );
    let _ = writeln!(f, "# Save as .github/workflows/go.yml.");
    let _ = writeln!(f, "name: go");
    let _ = writeln!(f, "on:\n  push:\n  pull_request:");
    let _ = writeln!(f, "jobs:\n  test:\n    runs-on: {runner}");
    github_setup(&mut f, pin, &pin.key());
    let _ = writeln!(f, "      - run: go test ./...");
    f
}

/// A job for `.gitlab-ci.yml`.
pub fn gitlab(pin: &Pin, image: &str, tag: Option<&str>) -> String {
    let mut f = String::new();
    let _ = writeln!(
        f,
        "# Go {} ({}), pinned by `gov export gitlab`.",
        pin.version,
        comment(&pin.why)
    );
    let _ = writeln!(f, "# Add to .gitlab-ci.yml.");
    let _ = writeln!(f, "test:");
    let _ = writeln!(f, "  image: {}", yaml_str(image));
    if let Some(tag) = tag {
        let _ = writeln!(f, "  tags: [{tag}]");
    }
    gitlab_setup(&mut f, pin, Some(&pin.key()));
    let _ = writeln!(f, "  script:");
    let _ = writeln!(f, "    - go test ./...");
    f
}

/// A workflow with one job per platform (`--platform`): a matrix.
pub fn github_matrix(pin: &Pin, jobs: &[Job]) -> String {
    let v = &pin.version;
    let mut f = String::new();
    let _ = writeln!(
        f,
        "# Go {v} ({}), pinned by `gov export github`.",
        comment(&pin.why)
    );
    let _ = writeln!(f, "{}", jobs_comment(jobs));
    let _ = writeln!(f, "# Save as .github/workflows/go.yml.");
    let _ = writeln!(f, "name: go");
    let _ = writeln!(f, "on:\n  push:\n  pull_request:");
    let _ = writeln!(f, "jobs:\n  test:");
    let _ = writeln!(f, "    name: go (${{{{ matrix.platform }}}})");
    let _ = writeln!(
        f,
        "    strategy:\n      fail-fast: false\n      matrix:\n        include:"
    );
    for job in jobs {
        let runner = match job.cross {
            true => github_runner(&default_platform()),
            false => github_runner(&job.target.release_platform()),
        }
        .expect("jobs() gives a runner to each");
        let _ = writeln!(f, "          - platform: {}", job.target);
        let _ = writeln!(f, "            runner: {runner}");
        let _ = writeln!(f, "            cross: {}", job.cross);
        if job.cross {
            let _ = writeln!(f, "            goos: {}", job.target.os);
            let _ = writeln!(f, "            goarch: {}", job.target.arch);
            if let Some(goarm) = job.target.goarm() {
                let _ = writeln!(f, "            goarm: {}", yaml_str(goarm));
            }
        }
    }
    let _ = writeln!(f, "    runs-on: ${{{{ matrix.runner }}}}");
    // The runner's own platform keys the cache: it holds the runner's Go.
    let key = format!("go{v}-${{{{ runner.os }}}}-${{{{ runner.arch }}}}");
    github_setup(&mut f, pin, &key);
    let _ = writeln!(f, "      - name: Test");
    let _ = writeln!(f, "        if: ${{{{ !matrix.cross }}}}");
    let _ = writeln!(f, "        run: go test ./...");
    let _ = writeln!(f, "      - name: Build for ${{{{ matrix.platform }}}}");
    let _ = writeln!(f, "        if: ${{{{ matrix.cross }}}}");
    let _ = writeln!(f, "        env:");
    let _ = writeln!(f, "          GOOS: ${{{{ matrix.goos }}}}");
    let _ = writeln!(f, "          GOARCH: ${{{{ matrix.goarch }}}}");
    if jobs.iter().any(|j| j.cross && j.target.goarm().is_some()) {
        let _ = writeln!(f, "          GOARM: ${{{{ matrix.goarm }}}}");
    }
    let _ = writeln!(f, "          CGO_ENABLED: \"0\"");
    let _ = writeln!(f, "        run: |");
    for command in CROSS_COMMANDS {
        let _ = writeln!(f, "          {command}");
    }
    f
}

/// Jobs for `.gitlab-ci.yml`, one per platform (`--platform`), each
/// extending one hidden job that installs gov and Go.
pub fn gitlab_matrix(pin: &Pin, image: &str, jobs: &[Job]) -> String {
    let v = &pin.version;
    let mut f = String::new();
    let _ = writeln!(
        f,
        "# Go {v} ({}), pinned by `gov export gitlab`.",
        comment(&pin.why)
    );
    let _ = writeln!(f, "{}", jobs_comment(jobs));
    let _ = writeln!(f, "# Add to .gitlab-ci.yml.");
    let _ = writeln!(f, ".go:");
    let _ = writeln!(f, "  image: {}", yaml_str(image));
    // Each job's cache is its runner's: the platform is in its key.
    gitlab_setup(&mut f, pin, None);
    for job in jobs {
        let runs_on = match job.cross {
            true => default_platform(),
            false => job.target.release_platform(),
        };
        let tag = gitlab_tag(&runs_on).expect("jobs() gives a runner to each");
        let verb = if job.cross { "build" } else { "test" };
        let _ = writeln!(f, "\n{}:", yaml_str(&format!("{verb} {}", job.target)));
        let _ = writeln!(f, "  extends: .go");
        if let Some(tag) = tag {
            let _ = writeln!(f, "  tags: [{tag}]");
        }
        gitlab_cache(&mut f, &format!("go{v}-{runs_on}"));
        let _ = writeln!(f, "  script:");
        if job.cross {
            let t = &job.target;
            let goarm = t.goarm().map(|n| format!(" GOARM={n}")).unwrap_or_default();
            for command in CROSS_COMMANDS {
                let line = format!(
                    "GOOS={} GOARCH={}{goarm} CGO_ENABLED=0 {command}",
                    t.os, t.arch
                );
                let _ = writeln!(f, "    - {}", yaml_str(&line));
            }
        } else {
            let _ = writeln!(f, "    - go test ./...");
        }
    }
    f
}
