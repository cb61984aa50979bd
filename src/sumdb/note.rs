//! Signed notes and verifier keys, in the formats of Go's
//! `golang.org/x/mod/sumdb/note`.
//!
//! A verifier key is `name+hash+keydata`: `keydata` is the base64 of the
//! algorithm byte `0x01` (Ed25519) and the 32-byte public key; `hash` is
//! the first four bytes of `SHA-256(name ‖ "\n" ‖ keydata bytes)`, as eight
//! hex digits. The key of `sum.golang.org` is
//! `sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8`.
//!
//! A signed note is its text (UTF-8, ending in a newline), a blank line,
//! then signature lines `— name base64(keyhash ‖ signature)` (an em dash,
//! U+2014), each signing the text.

use base64::Engine as _;
use ed25519_dalek::{Signature, VerifyingKey};
use sha2::{Digest, Sha256};

/// The largest note accepted, signatures included. A tree note is about
/// 200 bytes; Go refuses tree texts over 1 MB.
pub const MAX_NOTE_SIZE: usize = 1_000_000;

/// The algorithm byte of an Ed25519 key.
const ALG_ED25519: u8 = 1;

/// At most this many signature lines, as in Go.
const MAX_SIGNATURES: usize = 100;

/// Why a key or a note is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("malformed verifier key `{key}`: {reason}")]
    MalformedKey { key: String, reason: &'static str },
    #[error("verifier key `{key}`: its hash is not that of its name and key (want {want:08x})")]
    KeyHashMismatch { key: String, want: u32 },
    #[error("verifier key `{key}`: unknown algorithm {alg} (only Ed25519, 1, is known)")]
    UnknownAlgorithm { key: String, alg: u8 },
    #[error("malformed note: {0}")]
    Malformed(&'static str),
    #[error("note of {size} bytes is larger than the {limit} bytes accepted")]
    TooLarge { size: usize, limit: usize },
    #[error("note is not signed by {want}: its signatures are by {}", if signers.is_empty() { "nobody".to_string() } else { signers.join(", ") })]
    UnknownKey { want: String, signers: Vec<String> },
    #[error("invalid signature for key {name}+{hash:08x}")]
    BadSignature { name: String, hash: u32 },
}

/// The key hash of `name` and `key` (the algorithm byte and the key).
pub fn key_hash(name: &str, key: &[u8]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update(key);
    let sum = h.finalize();
    u32::from_be_bytes([sum[0], sum[1], sum[2], sum[3]])
}

/// A name is non-empty, has no white space and no `+`.
fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(char::is_whitespace) && !name.contains('+')
}

/// A parsed verifier key: whose it is, its hash and the Ed25519 key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifier {
    name: String,
    hash: u32,
    key: VerifyingKey,
}

impl Verifier {
    /// Parses `name+hash+keydata`.
    pub fn parse(vkey: &str) -> Result<Verifier, NoteError> {
        let malformed = |reason| NoteError::MalformedKey {
            key: vkey.to_string(),
            reason,
        };
        let mut parts = vkey.splitn(3, '+');
        let (Some(name), Some(hash16), Some(key64)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed("want name+hash+key"));
        };
        if !is_valid_name(name) {
            return Err(malformed("the name is empty or has spaces"));
        }
        if hash16.len() != 8 || !hash16.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(malformed("the hash is not 8 hex digits"));
        }
        let hash = u32::from_str_radix(hash16, 16)
            .map_err(|_| malformed("the hash is not 8 hex digits"))?;
        let key = base64::engine::general_purpose::STANDARD
            .decode(key64)
            .map_err(|_| malformed("the key is not base64"))?;
        let Some((&alg, raw)) = key.split_first() else {
            return Err(malformed("the key is empty"));
        };
        let want = key_hash(name, &key);
        if hash != want {
            return Err(NoteError::KeyHashMismatch {
                key: vkey.to_string(),
                want,
            });
        }
        if alg != ALG_ED25519 {
            return Err(NoteError::UnknownAlgorithm {
                key: vkey.to_string(),
                alg,
            });
        }
        let raw: [u8; 32] = raw
            .try_into()
            .map_err(|_| malformed("an Ed25519 key has 32 bytes"))?;
        let key =
            VerifyingKey::from_bytes(&raw).map_err(|_| malformed("not an Ed25519 public key"))?;
        Ok(Verifier {
            name: name.to_string(),
            hash,
            key,
        })
    }

    /// The key's name (the database's name, `sum.golang.org`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key hash.
    pub fn key_hash(&self) -> u32 {
        self.hash
    }

    /// The key in its `name+hash+keydata` form.
    pub fn key_text(&self) -> String {
        let mut data = vec![ALG_ED25519];
        data.extend_from_slice(self.key.as_bytes());
        format!(
            "{}+{:08x}+{}",
            self.name,
            self.hash,
            base64::engine::general_purpose::STANDARD.encode(data)
        )
    }

    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        let Ok(sig) = Signature::from_slice(sig) else {
            return false;
        };
        // Plain RFC 8032 verification, as Go's `crypto/ed25519`.
        ed25519_dalek::Verifier::verify(&self.key, msg, &sig).is_ok()
    }
}

/// Opens a signed note: its text, once a signature by `verifier` on it
/// checks out. Signatures by other keys are ignored; a bad signature by
/// the key (name and hash) is an error, as is a note with none by it.
pub fn open<'a>(msg: &'a [u8], verifier: &Verifier) -> Result<&'a str, NoteError> {
    if msg.len() > MAX_NOTE_SIZE {
        return Err(NoteError::TooLarge {
            size: msg.len(),
            limit: MAX_NOTE_SIZE,
        });
    }
    let msg = std::str::from_utf8(msg).map_err(|_| NoteError::Malformed("not UTF-8"))?;
    if msg.chars().any(|c| c < ' ' && c != '\n') {
        return Err(NoteError::Malformed("a control character"));
    }
    let split = msg
        .rfind("\n\n")
        .ok_or(NoteError::Malformed("no blank line before the signatures"))?;
    let (text, sigs) = (&msg[..split + 1], &msg[split + 2..]);
    if sigs.is_empty() || !sigs.ends_with('\n') {
        return Err(NoteError::Malformed("no signature lines"));
    }

    let mut signers = Vec::new();
    let mut verified = false;
    for (count, line) in sigs.lines().enumerate() {
        if count >= MAX_SIGNATURES {
            return Err(NoteError::Malformed("more than 100 signatures"));
        }
        let line = line.strip_prefix("— ").ok_or(NoteError::Malformed(
            "a signature line does not start with `— `",
        ))?;
        let (name, b64) = line.split_once(' ').unwrap_or((line, ""));
        let sig = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| NoteError::Malformed("a signature is not base64"))?;
        if !is_valid_name(name) || sig.len() < 5 {
            return Err(NoteError::Malformed(
                "a signature line has a bad name or too short a signature",
            ));
        }
        let hash = u32::from_be_bytes([sig[0], sig[1], sig[2], sig[3]]);
        if name != verifier.name || hash != verifier.hash {
            signers.push(format!("{name}+{hash:08x}"));
            continue;
        }
        if verified {
            // Go checks the first signature by a key and skips repeats.
            continue;
        }
        if !verifier.verify(text.as_bytes(), &sig[4..]) {
            return Err(NoteError::BadSignature {
                name: name.to_string(),
                hash,
            });
        }
        verified = true;
    }
    if !verified {
        return Err(NoteError::UnknownKey {
            want: format!("{}+{:08x}", verifier.name, verifier.hash),
            signers,
        });
    }
    Ok(text)
}

/// Test helpers: keys made from a seed, notes signed with them.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;
    use ed25519_dalek::{Signer as _, SigningKey};

    /// A signing key for `name` from `seed`, and its verifier key text.
    pub fn key(name: &str, seed: u8) -> (SigningKey, String) {
        let signing = SigningKey::from_bytes(&[seed; 32]);
        let mut data = vec![ALG_ED25519];
        data.extend_from_slice(signing.verifying_key().as_bytes());
        let hash = key_hash(name, &data);
        let vkey = format!(
            "{name}+{hash:08x}+{}",
            base64::engine::general_purpose::STANDARD.encode(&data)
        );
        (signing, vkey)
    }

    /// `text` signed by `key` under `name`, as Go's `note.Sign` writes it.
    pub fn sign(text: &str, name: &str, key: &SigningKey) -> Vec<u8> {
        let mut data = vec![ALG_ED25519];
        data.extend_from_slice(key.verifying_key().as_bytes());
        let hash = key_hash(name, &data);
        let mut sig = hash.to_be_bytes().to_vec();
        sig.extend_from_slice(&key.sign(text.as_bytes()).to_bytes());
        format!(
            "{text}\n— {name} {}\n",
            base64::engine::general_purpose::STANDARD.encode(sig)
        )
        .into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{key, sign};
    use super::*;

    const GO_KEY: &str = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";

    #[test]
    fn the_published_key_parses() {
        let v = Verifier::parse(GO_KEY).unwrap();
        assert_eq!(v.name(), "sum.golang.org");
        assert_eq!(v.key_hash(), 0x033de0ae);
        assert_eq!(format!("{:08x}", v.key_hash()), "033de0ae");
        assert_eq!(v.key_text(), GO_KEY);
    }

    /// Tree notes sum.golang.org signed (public: any lookup shows one).
    #[test]
    fn real_sum_golang_org_notes_verify() {
        let v = Verifier::parse(GO_KEY).unwrap();
        let notes = [
            ("49189689", "ftjbAOzaupaIvaPo/G+Dk63nxOZ2s1OPOKIaPtXs7S4=", "Az3grlKZssqRoMNPpZfKt0TphbbcF+pzXqElURJKRNFKfaUAgqeI5k2AORH0QAhg/ebRwyIqD/OqP4oLtLnNumvOBAM="),
            ("31700353", "qINS1GRFhWHwdkUeqLEoP4yEMkTBBzxBkGwGQlVlVcs=", "Az3grnmrIUEDFqHzAElIQCPNoRFRAAdFo47fooyWKMHb89k11GJh5zHIfNCOBmwn/C3YI8oW9/C8DJ87F61QqspBYwM="),
            ("65209736", "5+uGFjx6xBZG8ip1+wi77v+grwbhhukIrxEUS8PXvRo=", "Az3grnbssgK7ubgFX36gVETtNv0U23qxyAhAMai2QUfeGa3nB/akvkMdlUErfcZz7l/R3cVtYspg3dxXABkGZZKdsQ8="),
        ];
        for (size, hash, sig) in notes {
            let text = format!("go.sum database tree\n{size}\n{hash}\n");
            let msg = format!("{text}\n— sum.golang.org {sig}\n");
            assert_eq!(open(msg.as_bytes(), &v), Ok(text.as_str()));
            // One more record claimed: the signature no longer holds.
            let bumped = msg.replacen(size, &format!("{size}1"), 1);
            assert!(matches!(
                open(bumped.as_bytes(), &v),
                Err(NoteError::BadSignature { .. })
            ));
        }
    }

    /// Go's `note.Sign` with the same key, on the same text (Ed25519
    /// signatures are deterministic).
    #[test]
    fn signs_as_go_does() {
        let (signing, vkey) = key("sumdb.example.com", 1);
        assert_eq!(
            vkey,
            "sumdb.example.com+f53d632f+AYqI4910CfGV/VLbLTy6XXLKZwm/HZQSG/N0iAG0D29c"
        );
        let go = base64::engine::general_purpose::STANDARD
            .decode("aGVsbG8KCuKAlCBzdW1kYi5leGFtcGxlLmNvbSA5VDFqTDRMM0xWaWh0bG9UQkFndUpvMHRwd1hoQW84Nm9ZYTN5N3AzUjNYa05TbWhKcCtxaTRJMG03SWhlbVVjR0JPKys0NGszNHhUVjk2Qjh0T0x0OEpjdlEwPQo=")
            .unwrap();
        assert_eq!(sign("hello\n", "sumdb.example.com", &signing), go);
        assert_eq!(open(&go, &Verifier::parse(&vkey).unwrap()), Ok("hello\n"));
    }

    #[test]
    fn malformed_keys() {
        let (_, good) = key("example.com", 7);
        assert!(Verifier::parse(&good).is_ok());
        let (name, rest) = good.split_once('+').unwrap();
        let (hash, data) = rest.split_once('+').unwrap();
        let cases = [
            (format!("{name}+{hash}"), "malformed"),
            (format!("+{hash}+{data}"), "malformed"),
            (format!("{name}+{}+{data}", &hash[..7]), "malformed"),
            (format!("{name}+{hash}+!!!"), "malformed"),
            (format!("{name}+00000000+{data}"), "hash"),
            (format!("other.example+{hash}+{data}"), "hash"),
        ];
        for (vkey, want) in cases {
            let err = Verifier::parse(&vkey).unwrap_err();
            match want {
                "malformed" => assert!(
                    matches!(err, NoteError::MalformedKey { .. }),
                    "{vkey}: {err}"
                ),
                _ => assert!(
                    matches!(err, NoteError::KeyHashMismatch { .. }),
                    "{vkey}: {err}"
                ),
            }
        }
        // Algorithm 2 with a matching hash.
        let data = [2u8; 33];
        let hash = key_hash("x", &data);
        let vkey = format!(
            "x+{hash:08x}+{}",
            base64::engine::general_purpose::STANDARD.encode(data)
        );
        assert!(matches!(
            Verifier::parse(&vkey),
            Err(NoteError::UnknownAlgorithm { alg: 2, .. })
        ));
    }

    #[test]
    fn notes_verify_only_with_the_right_key() {
        let (signing, vkey) = key("example.com", 1);
        let v = Verifier::parse(&vkey).unwrap();
        let text = "go.sum database tree\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
        let note = sign(text, "example.com", &signing);
        assert_eq!(open(&note, &v), Ok(text));

        // Another key, same name: its hash differs, so the key is unknown.
        let (other, _) = key("example.com", 2);
        let forged = sign(text, "example.com", &other);
        assert!(matches!(
            open(&forged, &v),
            Err(NoteError::UnknownKey { .. })
        ));

        // The right name and hash, a signature by another key.
        let mut sig_line = String::from_utf8(forged.clone()).unwrap();
        let good_line = String::from_utf8(note.clone()).unwrap();
        let good_b64 = good_line.rsplit(' ').next().unwrap().trim_end();
        let forged_b64 = sig_line.rsplit(' ').next().unwrap().trim_end().to_string();
        let good_raw = base64::engine::general_purpose::STANDARD
            .decode(good_b64)
            .unwrap();
        let mut bad_raw = base64::engine::general_purpose::STANDARD
            .decode(&forged_b64)
            .unwrap();
        bad_raw[..4].copy_from_slice(&good_raw[..4]);
        sig_line = sig_line.replace(
            &forged_b64,
            &base64::engine::general_purpose::STANDARD.encode(bad_raw),
        );
        assert!(matches!(
            open(sig_line.as_bytes(), &v),
            Err(NoteError::BadSignature { .. })
        ));

        // A changed text.
        let changed = String::from_utf8(note.clone())
            .unwrap()
            .replace("\n5\n", "\n6\n");
        assert!(matches!(
            open(changed.as_bytes(), &v),
            Err(NoteError::BadSignature { .. })
        ));

        // Extra signatures by unknown keys are fine.
        let mut both = forged.clone();
        both.extend_from_slice(good_line.lines().last().unwrap().as_bytes());
        both.push(b'\n');
        assert_eq!(open(&both, &v), Ok(text));
    }

    #[test]
    fn malformed_notes() {
        let (signing, vkey) = key("example.com", 1);
        let v = Verifier::parse(&vkey).unwrap();
        let note = String::from_utf8(sign("hello\n", "example.com", &signing)).unwrap();
        let cases: Vec<Vec<u8>> = vec![
            b"hello\n".to_vec(),
            b"hello\n\n".to_vec(),
            note.trim_end().as_bytes().to_vec(),
            note.replace("— ", "-- ").into_bytes(),
            note.replace("hello", "hel\tlo").into_bytes(),
            note.replace("— example.com ", "— example.com").into_bytes(),
            b"hello\n\n\xe2\x80\x94 example.com AAAA\n".to_vec(),
            [b"hello\xff\n".as_slice(), &note.as_bytes()[6..]].concat(),
        ];
        for msg in cases {
            assert!(
                matches!(open(&msg, &v), Err(NoteError::Malformed(_))),
                "{:?}: {:?}",
                String::from_utf8_lossy(&msg),
                open(&msg, &v)
            );
        }
        let huge = vec![b'a'; MAX_NOTE_SIZE + 1];
        assert!(matches!(open(&huge, &v), Err(NoteError::TooLarge { .. })));
    }
}
