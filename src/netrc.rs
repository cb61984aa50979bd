//! `.netrc` credentials, read as Go reads them for private module proxies
//! (`cmd/go/internal/auth`): the file `NETRC` names, else `~/.netrc`
//! (`%USERPROFILE%\_netrc` on Windows); a missing file is no credentials.
//!
//! Go's reading, kept here on purpose so that a file means the same to
//! both:
//!
//! * each line is split into words, taken in pairs (`machine NAME`,
//!   `login NAME`, `password WORD`); a pair never spans two lines, but an
//!   entry may (`machine` on one line, `login` on the next);
//! * an entry counts once it has a machine, a login and a password; a new
//!   `machine` starts afresh;
//! * `macdef NAME` skips the lines after it up to the next empty line;
//! * a line that ends with a lone `default` ends the file: Go does not
//!   use the default entry, nor anything after it;
//! * there are no comments and no quoting.
//!
//! Credentials go only to `https://` URLs (see
//! [`crate::download::Fetcher::with_netrc`]).

use std::ffi::OsStr;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// A login and password for one machine.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub login: String,
    pub password: String,
}

impl fmt::Debug for Credentials {
    /// Never the password: debug output ends up in logs.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("login", &self.login)
            .field("password", &"<redacted>")
            .finish()
    }
}

#[derive(Clone, PartialEq, Eq)]
struct Machine {
    name: String,
    credentials: Credentials,
}

/// The machines of a netrc file that have a login and a password, in the
/// file's order.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Netrc {
    machines: Vec<Machine>,
}

impl fmt::Debug for Netrc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.machines.iter().map(|m| &m.name))
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot read the netrc file `{}`", path.display())]
pub struct NetrcError {
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

impl NetrcError {
    pub fn hint(&self) -> Option<String> {
        Some(format!(
            "make `{}` a file you can read (`chmod 600` it), or point NETRC at another one",
            self.path.display()
        ))
    }
}

impl Netrc {
    /// Reads a netrc file's text.
    pub fn parse(text: &str) -> Netrc {
        let mut machines = Vec::new();
        let mut name = "";
        let mut login = "";
        let mut password = "";
        let mut in_macro = false;
        for line in text.split('\n') {
            if in_macro {
                // Only a line with nothing at all ends a macro, as in Go.
                in_macro = !line.is_empty();
                continue;
            }
            let words: Vec<&str> = line.split_ascii_whitespace().collect();
            let mut pairs = words.chunks_exact(2);
            for pair in &mut pairs {
                let (key, value) = (pair[0], pair[1]);
                match key {
                    "machine" => (name, login, password) = (value, "", ""),
                    "login" => login = value,
                    "password" => password = value,
                    "macdef" => in_macro = true,
                    _ => {}
                }
                if !name.is_empty() && !login.is_empty() && !password.is_empty() {
                    machines.push(Machine {
                        name: name.to_string(),
                        credentials: Credentials {
                            login: login.to_string(),
                            password: password.to_string(),
                        },
                    });
                    (name, login, password) = ("", "", "");
                }
            }
            if pairs.remainder() == ["default"] {
                // The default entry comes last, and Go does not use it.
                break;
            }
        }
        Netrc { machines }
    }

    /// The netrc file: `NETRC` when set and not empty, else `.netrc` in
    /// `home` (`_netrc` on Windows); `None` without either.
    pub fn path(netrc_var: Option<&OsStr>, home: Option<&Path>) -> Option<PathBuf> {
        match netrc_var {
            Some(path) if !path.is_empty() => Some(PathBuf::from(path)),
            _ => {
                let name = if cfg!(windows) { "_netrc" } else { ".netrc" };
                home.filter(|h| !h.as_os_str().is_empty())
                    .map(|h| h.join(name))
            }
        }
    }

    /// Reads the netrc file ([`Netrc::path`]); none there is no
    /// credentials, as in Go.
    pub fn load(netrc_var: Option<&OsStr>, home: Option<&Path>) -> Result<Netrc, NetrcError> {
        let Some(path) = Netrc::path(netrc_var, home) else {
            return Ok(Netrc::default());
        };
        match std::fs::read(&path) {
            Ok(bytes) => Ok(Netrc::parse(&String::from_utf8_lossy(&bytes))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Netrc::default()),
            Err(source) => Err(NetrcError { path, source }),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.machines.is_empty()
    }

    /// The credentials of the first entry for `host` (`proxy.example` or
    /// `proxy.example:8443`), compared without regard to case.
    pub fn credentials_for(&self, host: &str) -> Option<&Credentials> {
        self.machines
            .iter()
            .find(|m| m.name.eq_ignore_ascii_case(host))
            .map(|m| &m.credentials)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The machines found, as (machine, login, password).
    fn machines(text: &str) -> Vec<(String, String, String)> {
        Netrc::parse(text)
            .machines
            .into_iter()
            .map(|m| (m.name, m.credentials.login, m.credentials.password))
            .collect()
    }

    fn triples(list: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
        list.iter()
            .map(|(m, l, p)| (m.to_string(), l.to_string(), p.to_string()))
            .collect()
    }

    /// The file of Go's own test (cmd/go/internal/auth), read alike.
    #[test]
    fn gos_test_file() {
        let text = "
machine incomplete
password none

machine api.github.com
  login user
  password pwd

machine incomlete.host
  login justlogin

machine test.host
login user2
password pwd2

machine oneline login user3 password pwd3

machine ignore.host macdef ignore
  login nobody
  password nothing

machine hasmacro.too macdef ignore-next-lines login user4 password pwd4
  login nobody
  password nothing

default
login anonymous
password gopher@golang.org

machine after.default
login oops
password too-late-in-file
";
        assert_eq!(
            machines(text),
            triples(&[
                ("api.github.com", "user", "pwd"),
                ("test.host", "user2", "pwd2"),
                ("oneline", "user3", "pwd3"),
                ("hasmacro.too", "user4", "pwd4"),
            ])
        );
    }

    #[test]
    fn tricky_files() {
        for (text, want) in [
            ("", vec![]),
            ("machine", vec![]),
            ("machine a login", vec![]),
            // Missing a password or a login: no entry.
            ("machine a login u", vec![]),
            ("machine a password p", vec![]),
            // The order of login and password does not matter.
            ("machine a password p login u", vec![("a", "u", "p")]),
            // A new machine forgets what came before it.
            ("machine a login u\nmachine b password p", vec![]),
            (
                "machine a login u password p machine b login v password q",
                vec![("a", "u", "p"), ("b", "v", "q")],
            ),
            // Tabs, CRLF, blank lines.
            (
                "machine\ta\r\n\tlogin u\r\n\r\n\tpassword p\r\n",
                vec![("a", "u", "p")],
            ),
            // A pair never spans lines: `machine` alone names nothing.
            ("machine\na login u password p", vec![]),
            // No comments: `#` is a word like any other, pairs shift.
            ("# machine a login u password p", vec![]),
            ("machine a login u password p # note", vec![("a", "u", "p")]),
            // A macro runs to the first empty line.
            (
                "macdef init\ncd /pub\nmachine x login u password p\n\nmachine a login v password q",
                vec![("a", "v", "q")],
            ),
            // A line of blanks does not end a macro (Go compares with "").
            (
                "macdef init\n \nmachine x login u password p\n\nmachine a login v password q",
                vec![("a", "v", "q")],
            ),
            // `default` ends the file only as the lone last word of a line.
            (
                "machine a login u password p\ndefault\nmachine b login v password q",
                vec![("a", "u", "p")],
            ),
            (
                "default login x password y\nmachine b login v password q",
                vec![("b", "v", "q")],
            ),
            // Words Go does not know are skipped in pairs.
            (
                "machine a account acct port 21 login u password p",
                vec![("a", "u", "p")],
            ),
            // Passwords are single words, taken as they are.
            (
                "machine a login u password \"p q\"",
                vec![("a", "u", "\"p")],
            ),
        ] {
            assert_eq!(machines(text), triples(&want), "{text:?}");
        }
    }

    #[test]
    fn credentials_for_a_host() {
        let netrc = Netrc::parse(
            "machine proxy.example login u password p\n\
             machine proxy.example login later password ignored\n\
             machine proxy.example:8443 login w password r\n",
        );
        let login = |host| netrc.credentials_for(host).map(|c| c.login.as_str());
        assert_eq!(login("proxy.example"), Some("u"));
        assert_eq!(login("PROXY.example"), Some("u"));
        assert_eq!(login("proxy.example:8443"), Some("w"));
        assert_eq!(login("other.example"), None);
        assert_eq!(login("example"), None);
        assert_eq!(login(""), None);
        let shown = format!("{:?} {netrc:?}", netrc.credentials_for("proxy.example"));
        assert!(!shown.contains("p\""), "{shown}");
        assert!(shown.contains("redacted"), "{shown}");
    }

    #[test]
    fn where_the_file_is() {
        let home = Path::new("/home/gopher");
        let name = if cfg!(windows) { "_netrc" } else { ".netrc" };
        assert_eq!(Netrc::path(None, Some(home)), Some(home.join(name)));
        assert_eq!(
            Netrc::path(Some(OsStr::new("")), Some(home)),
            Some(home.join(name))
        );
        assert_eq!(
            Netrc::path(Some(OsStr::new("/etc/netrc")), Some(home)),
            Some(PathBuf::from("/etc/netrc"))
        );
        assert_eq!(Netrc::path(None, None), None);
        assert_eq!(Netrc::path(None, Some(Path::new(""))), None);
    }

    #[test]
    fn loading() {
        let dir = tempfile::tempdir().unwrap();
        // None there: no credentials, no error.
        assert!(Netrc::load(None, Some(dir.path())).unwrap().is_empty());
        let file = dir.path().join("netrc");
        std::fs::write(&file, "machine a login u password p\n").unwrap();
        let netrc = Netrc::load(Some(file.as_os_str()), None).unwrap();
        assert_eq!(netrc.credentials_for("a").unwrap().password, "p");
        // A directory where the file should be is an error naming it.
        let err = Netrc::load(Some(dir.path().as_os_str()), None).unwrap_err();
        assert!(err.to_string().contains(&dir.path().display().to_string()));
        assert!(err.hint().unwrap().contains("NETRC"));
    }

    proptest::proptest! {
        #[test]
        fn prop_any_text_parses(text in "\\PC{0,200}|((machine|login|password|macdef|default|x|\n| )){0,40}") {
            let netrc = Netrc::parse(&text);
            for m in &netrc.machines {
                proptest::prop_assert!(!m.name.is_empty());
                proptest::prop_assert!(!m.credentials.login.is_empty());
                proptest::prop_assert!(!m.credentials.password.is_empty());
            }
        }
    }
}
