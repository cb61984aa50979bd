//! Go's `h1:` hash of a set of files, the value `go.sum` lines and the
//! checksum database hold for a module (`golang.org/x/mod/sumdb/dirhash`,
//! `Hash1`).
//!
//! The summary hashed is what `find . -type f | sort | sha256sum` prints:
//! one line `<hex sha256>  <name>\n` per file, sorted by name (byte order),
//! and the hash is `h1:` followed by the standard base64 of its sha256.

use base64::Engine;
use sha2::{Digest, Sha256};

#[derive(Debug, thiserror::Error)]
pub enum DirhashError {
    #[error("a file name holds a newline, which the `h1:` hash cannot list: {name:?}")]
    NewlineInName { name: String },
}

/// The `h1:` hash of `files`, each a name and the sha256 of its content.
pub fn h1(files: &[(String, [u8; 32])]) -> Result<String, DirhashError> {
    let mut sorted: Vec<&(String, [u8; 32])> = files.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut summary = Sha256::new();
    for (name, digest) in sorted {
        if name.contains('\n') {
            return Err(DirhashError::NewlineInName { name: name.clone() });
        }
        summary.update(format!("{}  {name}\n", hex(digest)));
    }
    let encoded = base64::engine::general_purpose::STANDARD.encode(summary.finalize());
    Ok(format!("h1:{encoded}"))
}

/// The hash of a module's `.mod` file, as the checksum database lists it
/// (`<module> <version>/go.mod h1:…`): one file named `go.mod`.
pub fn h1_of_go_mod(content: &[u8]) -> String {
    let digest: [u8; 32] = Sha256::digest(content).into();
    h1(&[("go.mod".to_string(), digest)]).expect("`go.mod` holds no newline")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(content: &[u8]) -> [u8; 32] {
        Sha256::digest(content).into()
    }

    #[test]
    fn toolchain_go_mod_hash_is_the_one_the_database_holds() {
        // sum.golang.org lists this for every golang.org/toolchain version.
        assert_eq!(
            h1_of_go_mod(b"module golang.org/toolchain\n"),
            "h1:8wlg68NqwW7eMnI1aABk/C2pDYXj8mrMY4TyRfiLeS0="
        );
    }

    #[test]
    fn order_of_the_list_does_not_matter() {
        let a = ("m@v1/a".to_string(), sha(b"a"));
        let b = ("m@v1/b".to_string(), sha(b"b"));
        assert_eq!(h1(&[a.clone(), b.clone()]).unwrap(), h1(&[b, a]).unwrap());
    }

    #[test]
    fn summary_is_the_sha256sum_listing() {
        // By hand: the listing `sha256sum` would print, hashed.
        let files = [
            ("x/b".to_string(), sha(b"two\n")),
            ("x/a".to_string(), sha(b"one\n")),
        ];
        let listing = format!(
            "{}  x/a\n{}  x/b\n",
            hex(&sha(b"one\n")),
            hex(&sha(b"two\n"))
        );
        let expected = format!(
            "h1:{}",
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(listing))
        );
        assert_eq!(h1(&files).unwrap(), expected);
    }

    #[test]
    fn empty_set_hashes_the_empty_summary() {
        assert_eq!(
            h1(&[]).unwrap(),
            "h1:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
        );
    }

    #[test]
    fn newline_in_a_name_is_refused() {
        let err = h1(&[("a\nb".to_string(), sha(b""))]).unwrap_err();
        assert!(matches!(err, DirhashError::NewlineInName { .. }));
    }
}
