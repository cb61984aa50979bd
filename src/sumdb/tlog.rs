//! The transparency log under a checksum database, in the form Go's
//! `golang.org/x/mod/sumdb/tlog` gives it: an RFC 6962 Merkle tree over
//! records, its hashes stored in one sequence and served in tiles.
//!
//! - Hashes: a record hashes to `SHA-256(0x00 ‖ record)`, two subtrees to
//!   `SHA-256(0x01 ‖ left ‖ right)`.
//! - Stored hashes: every complete subtree's hash, in the order a log
//!   appends them; [`stored_hash_index`] numbers the hash of the `n`th
//!   subtree of height `level`.
//! - Tiles: the stored hashes cut into tiles of `2^h` hashes each (`h = 8`
//!   for `sum.golang.org`), named `tile/8/L/NNN[.p/W]` ([`Tile::path`]).
//! - Proofs: a record is in a tree ([`prove_record`], [`check_record`]), an
//!   older tree is a prefix of a newer one ([`prove_tree`], [`check_tree`]).
//! - [`TileHashReader`] reads hashes out of downloaded tiles, trusting a
//!   tile only once it hashes up to a signed tree.
//!
//! Sizes and indexes are `u64`; a tree larger than [`MAX_TREE_SIZE`]
//! records is refused where it is parsed, so the index arithmetic never
//! overflows.

use std::collections::HashMap;
use std::fmt;

use base64::Engine as _;
use sha2::{Digest, Sha256};

/// A SHA-256 hash in the tree.
pub type Hash = [u8; 32];

/// Bytes in a [`Hash`].
pub const HASH_SIZE: usize = 32;

/// The largest tree accepted (2^62 records): far more than any log holds,
/// and small enough that no stored-hash index overflows a `u64`.
pub const MAX_TREE_SIZE: u64 = 1 << 62;

/// What went wrong in the tree: a proof or a tile that does not add up, or
/// text that is not what the log format says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TlogError {
    #[error("invalid transparency proof")]
    ProofFailed,
    #[error("invalid proof request: {0}")]
    InvalidInput(String),
    #[error("malformed tree note")]
    MalformedTree,
    #[error("malformed record data")]
    MalformedRecord,
    #[error("malformed hash `{0}`")]
    MalformedHash(String),
    #[error("malformed tile path `{0}`")]
    MalformedTilePath(String),
    #[error("tile `{path}` has {len} bytes, want {want}")]
    TileSize {
        path: String,
        len: usize,
        want: usize,
    },
    #[error("hash {index} is in tile `{holder}`, not in `{tile}`")]
    WrongTile {
        index: u64,
        holder: String,
        tile: String,
    },
    #[error("tile `{0}` does not hash up to the signed tree: downloaded inconsistent tile")]
    InconsistentTile(String),
    #[error("hash {index} is not in the tree of size {size}")]
    NotInTree { index: u64, size: u64 },
    #[error("the hash reader gave {got} hashes for {want} indexes")]
    ReaderCount { got: usize, want: usize },
}

/// The hash of a record (a leaf).
pub fn record_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0x00]);
    h.update(data);
    h.finalize().into()
}

/// The hash of a node from its two children.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x01]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// A hash in the base64 form notes and `go.sum` lines use.
pub fn format_hash(h: &Hash) -> String {
    base64::engine::general_purpose::STANDARD.encode(h)
}

/// A hash from its base64 form.
pub fn parse_hash(s: &str) -> Result<Hash, TlogError> {
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .ok()
        .and_then(|bytes| Hash::try_from(bytes.as_slice()).ok())
        .ok_or_else(|| TlogError::MalformedHash(s.to_string()))
}

/// The largest power of two below `n` (for `n > 1`) and its log.
fn maxpow2(n: u64) -> (u64, u32) {
    let mut l = 0;
    while (1u64 << (l + 1)) < n {
        l += 1;
    }
    (1 << l, l)
}

/// Where the hash of the `n`th subtree of height `level` sits in the
/// sequence of stored hashes. The log appends, after record `m`, the
/// record's hash and then the hash of every subtree that record completes.
pub fn stored_hash_index(level: u32, n: u64) -> u64 {
    // The last record of that subtree; the hashes stored up to it, then
    // the `level` subtree hashes it completes.
    let mut n = n;
    for _ in 0..level {
        n = 2 * n + 1;
    }
    let mut i = 0;
    while n > 0 {
        i += n;
        n >>= 1;
    }
    i + u64::from(level)
}

/// The inverse of [`stored_hash_index`]: the level and number of the
/// subtree whose hash is stored at `index`.
pub fn split_stored_hash_index(index: u64) -> (u32, u64) {
    // Record n's hash sits at least at index 2n - popcount, so start near
    // index / 2 and walk forward over whole records.
    let mut n = index / 2;
    let mut index_n = stored_hash_index(0, n);
    debug_assert!(index_n <= index);
    loop {
        // The next record's hash comes after record n's and the
        // subtrees record n completes.
        let next = index_n + 1 + u64::from((n + 1).trailing_zeros());
        if next > index {
            break;
        }
        n += 1;
        index_n = next;
    }
    let level = (index - index_n) as u32;
    (level, n >> level)
}

/// How many hashes a log of `n` records stores.
pub fn stored_hash_count(n: u64) -> u64 {
    if n == 0 {
        return 0;
    }
    let mut count = stored_hash_index(0, n - 1) + 1;
    let mut i = n - 1;
    while i & 1 != 0 {
        count += 1;
        i >>= 1;
    }
    count
}

/// The hashes to append to a log of `n` records when record `n` (with
/// `data`) is added: its record hash and those of the subtrees it
/// completes. What a server does; the tests build their logs with it.
pub fn stored_hashes<R: HashReader + ?Sized>(
    n: u64,
    data: &[u8],
    r: &mut R,
) -> Result<Vec<Hash>, R::Error> {
    let mut h = record_hash(data);
    let mut hashes = vec![h];
    let m = (n + 1).trailing_zeros();
    // The left siblings, from the highest level down.
    let indexes: Vec<u64> = (0..m)
        .rev()
        .map(|i| stored_hash_index(i, (n >> i) - 1))
        .collect();
    let old = read_exactly(r, &indexes)?;
    for left in old.iter().rev() {
        h = node_hash(left, &h);
        hashes.push(h);
    }
    Ok(hashes)
}

/// Something that gives stored hashes by index: a log in memory, or
/// tiles ([`TileHashReader`]).
pub trait HashReader {
    type Error: From<TlogError>;
    /// The hashes at `indexes`, in that order.
    fn read_hashes(&mut self, indexes: &[u64]) -> Result<Vec<Hash>, Self::Error>;
}

/// A whole log's stored hashes, in memory.
impl HashReader for &[Hash] {
    type Error = TlogError;
    fn read_hashes(&mut self, indexes: &[u64]) -> Result<Vec<Hash>, TlogError> {
        indexes
            .iter()
            .map(|&i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|i| self.get(i))
                    .copied()
                    .ok_or(TlogError::NotInTree {
                        index: i,
                        size: self.len() as u64,
                    })
            })
            .collect()
    }
}

fn read_exactly<R: HashReader + ?Sized>(r: &mut R, indexes: &[u64]) -> Result<Vec<Hash>, R::Error> {
    if indexes.is_empty() {
        return Ok(Vec::new());
    }
    let hashes = r.read_hashes(indexes)?;
    if hashes.len() != indexes.len() {
        return Err(TlogError::ReaderCount {
            got: hashes.len(),
            want: indexes.len(),
        }
        .into());
    }
    Ok(hashes)
}

/// The hash of the tree of the first `n` records.
pub fn tree_hash<R: HashReader + ?Sized>(n: u64, r: &mut R) -> Result<Hash, R::Error> {
    if n == 0 {
        return Ok(Hash::default());
    }
    let indexes = sub_tree_index(0, n, Vec::new());
    let hashes = read_exactly(r, &indexes)?;
    let (hash, rest) = sub_tree_hash(0, n, &hashes);
    debug_assert!(rest.is_empty());
    Ok(hash)
}

/// Appends to `need` the stored hashes of the complete subtrees that make
/// up records `lo..hi`, left to right.
fn sub_tree_index(mut lo: u64, hi: u64, mut need: Vec<u64>) -> Vec<u64> {
    while lo < hi {
        let (k, level) = maxpow2(hi - lo + 1);
        debug_assert!(lo & (k - 1) == 0);
        need.push(stored_hash_index(level, lo >> level));
        lo += k;
    }
    need
}

/// The hash of records `lo..hi` from the hashes [`sub_tree_index`] named,
/// and the hashes left over.
fn sub_tree_hash(mut lo: u64, hi: u64, hashes: &[Hash]) -> (Hash, &[Hash]) {
    let mut count = 0;
    while lo < hi {
        let (k, _) = maxpow2(hi - lo + 1);
        count += 1;
        lo += k;
    }
    let mut h = hashes[count - 1];
    for left in hashes[..count - 1].iter().rev() {
        h = node_hash(left, &h);
    }
    (h, &hashes[count..])
}

/// The proof that record `n` is in the tree of size `t`: the sibling
/// hashes on its path to the root, lowest first.
pub fn prove_record<R: HashReader + ?Sized>(
    t: u64,
    n: u64,
    r: &mut R,
) -> Result<Vec<Hash>, R::Error> {
    if n >= t || t > MAX_TREE_SIZE {
        return Err(TlogError::InvalidInput(format!("record {n} in a tree of size {t}")).into());
    }
    let indexes = leaf_proof_index(0, t, n, Vec::new());
    let hashes = read_exactly(r, &indexes)?;
    let (proof, rest) = leaf_proof(0, t, n, &hashes);
    debug_assert!(rest.is_empty());
    Ok(proof)
}

fn leaf_proof_index(lo: u64, hi: u64, n: u64, mut need: Vec<u64>) -> Vec<u64> {
    if lo + 1 == hi {
        return need;
    }
    let (k, _) = maxpow2(hi - lo);
    if n < lo + k {
        need = leaf_proof_index(lo, lo + k, n, need);
        sub_tree_index(lo + k, hi, need)
    } else {
        need = sub_tree_index(lo, lo + k, need);
        leaf_proof_index(lo + k, hi, n, need)
    }
}

fn leaf_proof(lo: u64, hi: u64, n: u64, hashes: &[Hash]) -> (Vec<Hash>, &[Hash]) {
    if lo + 1 == hi {
        return (Vec::new(), hashes);
    }
    let (k, _) = maxpow2(hi - lo);
    let (mut proof, sibling, rest) = if n < lo + k {
        let (proof, rest) = leaf_proof(lo, lo + k, n, hashes);
        let (sibling, rest) = sub_tree_hash(lo + k, hi, rest);
        (proof, sibling, rest)
    } else {
        let (sibling, rest) = sub_tree_hash(lo, lo + k, hashes);
        let (proof, rest) = leaf_proof(lo + k, hi, n, rest);
        (proof, sibling, rest)
    };
    proof.push(sibling);
    (proof, rest)
}

/// Checks that `proof` shows record `n`, with hash `h`, in the tree of
/// size `t` and hash `th`.
pub fn check_record(proof: &[Hash], t: u64, th: &Hash, n: u64, h: &Hash) -> Result<(), TlogError> {
    if n >= t || t > MAX_TREE_SIZE {
        return Err(TlogError::InvalidInput(format!(
            "record {n} in a tree of size {t}"
        )));
    }
    if run_record_proof(proof, 0, t, n, h)? == *th {
        Ok(())
    } else {
        Err(TlogError::ProofFailed)
    }
}

fn run_record_proof(p: &[Hash], lo: u64, hi: u64, n: u64, leaf: &Hash) -> Result<Hash, TlogError> {
    if lo + 1 == hi {
        return if p.is_empty() {
            Ok(*leaf)
        } else {
            Err(TlogError::ProofFailed)
        };
    }
    let Some((sibling, p)) = p.split_last() else {
        return Err(TlogError::ProofFailed);
    };
    let (k, _) = maxpow2(hi - lo);
    if n < lo + k {
        let th = run_record_proof(p, lo, lo + k, n, leaf)?;
        Ok(node_hash(&th, sibling))
    } else {
        let th = run_record_proof(p, lo + k, hi, n, leaf)?;
        Ok(node_hash(sibling, &th))
    }
}

/// The proof that the tree of size `n` is a prefix of the tree of size
/// `t` (`1 ≤ n ≤ t`).
pub fn prove_tree<R: HashReader + ?Sized>(
    t: u64,
    n: u64,
    r: &mut R,
) -> Result<Vec<Hash>, R::Error> {
    if n < 1 || n > t || t > MAX_TREE_SIZE {
        return Err(
            TlogError::InvalidInput(format!("tree of size {n} in a tree of size {t}")).into(),
        );
    }
    let indexes = tree_proof_index(0, t, n, Vec::new());
    let hashes = read_exactly(r, &indexes)?;
    let (proof, rest) = tree_proof(0, t, n, &hashes);
    debug_assert!(rest.is_empty());
    Ok(proof)
}

fn tree_proof_index(lo: u64, hi: u64, n: u64, mut need: Vec<u64>) -> Vec<u64> {
    if n == hi {
        return if lo == 0 {
            need
        } else {
            sub_tree_index(lo, hi, need)
        };
    }
    let (k, _) = maxpow2(hi - lo);
    if n <= lo + k {
        need = tree_proof_index(lo, lo + k, n, need);
        sub_tree_index(lo + k, hi, need)
    } else {
        need = sub_tree_index(lo, lo + k, need);
        tree_proof_index(lo + k, hi, n, need)
    }
}

fn tree_proof(lo: u64, hi: u64, n: u64, hashes: &[Hash]) -> (Vec<Hash>, &[Hash]) {
    if n == hi {
        if lo == 0 {
            return (Vec::new(), hashes);
        }
        let (th, rest) = sub_tree_hash(lo, hi, hashes);
        return (vec![th], rest);
    }
    let (k, _) = maxpow2(hi - lo);
    let (mut proof, sibling, rest) = if n <= lo + k {
        let (proof, rest) = tree_proof(lo, lo + k, n, hashes);
        let (sibling, rest) = sub_tree_hash(lo + k, hi, rest);
        (proof, sibling, rest)
    } else {
        let (sibling, rest) = sub_tree_hash(lo, lo + k, hashes);
        let (proof, rest) = tree_proof(lo + k, hi, n, rest);
        (proof, sibling, rest)
    };
    proof.push(sibling);
    (proof, rest)
}

/// Checks that `proof` shows the tree of size `n` and hash `h` to be a
/// prefix of the tree of size `t` and hash `th`.
pub fn check_tree(proof: &[Hash], t: u64, th: &Hash, n: u64, h: &Hash) -> Result<(), TlogError> {
    if n < 1 || n > t || t > MAX_TREE_SIZE {
        return Err(TlogError::InvalidInput(format!(
            "tree of size {n} in a tree of size {t}"
        )));
    }
    let (h2, th2) = run_tree_proof(proof, 0, t, n, h)?;
    if h2 == *h && th2 == *th {
        Ok(())
    } else {
        Err(TlogError::ProofFailed)
    }
}

/// The old tree's and the new tree's hashes the proof leads to.
fn run_tree_proof(
    p: &[Hash],
    lo: u64,
    hi: u64,
    n: u64,
    old: &Hash,
) -> Result<(Hash, Hash), TlogError> {
    if n == hi {
        if lo == 0 {
            return if p.is_empty() {
                Ok((*old, *old))
            } else {
                Err(TlogError::ProofFailed)
            };
        }
        return match p {
            [only] => Ok((*only, *only)),
            _ => Err(TlogError::ProofFailed),
        };
    }
    let Some((sibling, p)) = p.split_last() else {
        return Err(TlogError::ProofFailed);
    };
    let (k, _) = maxpow2(hi - lo);
    if n <= lo + k {
        let (oh, th) = run_tree_proof(p, lo, lo + k, n, old)?;
        Ok((oh, node_hash(&th, sibling)))
    } else {
        let (oh, th) = run_tree_proof(p, lo + k, hi, n, old)?;
        Ok((node_hash(sibling, &oh), node_hash(sibling, &th)))
    }
}

/// A signed tree head: the log's size and root hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tree {
    pub n: u64,
    pub hash: Hash,
}

const TREE_PREFIX: &str = "go.sum database tree\n";

/// The text of a tree note: `go.sum database tree\nN\nbase64hash\n`.
pub fn format_tree(tree: &Tree) -> String {
    format!("{TREE_PREFIX}{}\n{}\n", tree.n, format_hash(&tree.hash))
}

/// A tree from a note's text. As in Go, lines after the hash are allowed
/// (and ignored); the size is plain decimal, no sign or leading zeros.
pub fn parse_tree(text: &str) -> Result<Tree, TlogError> {
    let rest = text
        .strip_prefix(TREE_PREFIX)
        .ok_or(TlogError::MalformedTree)?;
    if text.len() > 1_000_000 {
        return Err(TlogError::MalformedTree);
    }
    let mut lines = rest.splitn(3, '\n');
    let (Some(size), Some(hash), Some(_)) = (lines.next(), lines.next(), lines.next()) else {
        return Err(TlogError::MalformedTree);
    };
    let n: u64 = size.parse().map_err(|_| TlogError::MalformedTree)?;
    if n.to_string() != size || n > MAX_TREE_SIZE {
        return Err(TlogError::MalformedTree);
    }
    let hash = parse_hash(hash).map_err(|_| TlogError::MalformedTree)?;
    Ok(Tree { n, hash })
}

/// Whether `text` is record text: lines of printable UTF-8 (tabs are not),
/// each ending in a newline, none of them empty.
fn is_valid_record_text(text: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(text) else {
        return false;
    };
    let mut last = '\n';
    for (i, c) in text.chars().enumerate() {
        if (c < ' ' && c != '\n') || (i > 0 && last == '\n' && c == '\n') {
            return false;
        }
        last = c;
    }
    !text.is_empty() && last == '\n'
}

/// A lookup answer as a server writes it: `id\n`, the record text, a
/// blank line (the signed tree note follows it).
pub fn format_record(id: u64, text: &[u8]) -> Result<Vec<u8>, TlogError> {
    if !is_valid_record_text(text) {
        return Err(TlogError::MalformedRecord);
    }
    let mut msg = format!("{id}\n").into_bytes();
    msg.extend_from_slice(text);
    msg.push(b'\n');
    Ok(msg)
}

/// Splits a lookup answer into the record id, the record text (ending in a
/// newline) and what follows the blank line (the signed tree note).
pub fn parse_record(msg: &[u8]) -> Result<(u64, &[u8], &[u8]), TlogError> {
    let nl = msg
        .iter()
        .position(|&b| b == b'\n')
        .ok_or(TlogError::MalformedRecord)?;
    let id = std::str::from_utf8(&msg[..nl])
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .ok_or(TlogError::MalformedRecord)?;
    let msg = &msg[nl + 1..];
    let blank = msg
        .windows(2)
        .position(|w| w == b"\n\n")
        .ok_or(TlogError::MalformedRecord)?;
    let (text, rest) = (&msg[..blank + 1], &msg[blank + 2..]);
    if !is_valid_record_text(text) {
        return Err(TlogError::MalformedRecord);
    }
    Ok((id, text, rest))
}

/// The level of data tiles (the records themselves) in [`Tile::l`].
pub const DATA_LEVEL: i32 = -1;

/// A tile: `w` consecutive hashes (of `2^h`) at level `l` of the tiling,
/// the `n`th such tile there. Level `l` holds the hashes of subtrees of
/// height `l·h`; level [`DATA_LEVEL`] holds the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tile {
    /// Height: 1 to 30 (8 for the Go checksum database).
    pub h: u32,
    /// Level in the tiling, or [`DATA_LEVEL`].
    pub l: i32,
    /// Number within the level.
    pub n: u64,
    /// Width: how many hashes, 1 to `2^h` (a full tile).
    pub w: u32,
}

impl Tile {
    /// The tile of height `h` holding the stored hash `index`, as wide as it
    /// needs to be to hold it.
    pub fn for_index(h: u32, index: u64) -> Tile {
        Tile::for_index_with_range(h, index).0
    }

    /// The tile, and where in its bytes the hash `index` is found (a
    /// hash of a level inside the tile spans the hashes under it).
    fn for_index_with_range(h: u32, index: u64) -> (Tile, std::ops::Range<usize>) {
        let (level, n) = split_stored_hash_index(index);
        let l = level / h;
        let level = level - l * h; // the level within the tile
        let tile_n = (n << level) >> h;
        let n = n - ((tile_n << h) >> level); // n within the tile at its level
        let tile = Tile {
            h,
            l: l as i32,
            n: tile_n,
            w: ((n + 1) << level) as u32,
        };
        let start = ((n << level) as usize) * HASH_SIZE;
        let end = (((n + 1) << level) as usize) * HASH_SIZE;
        (tile, start..end)
    }

    /// Whether the tile holds all `2^h` hashes.
    pub fn is_full(&self) -> bool {
        u64::from(self.w) == 1u64 << self.h
    }

    /// The same tile at full width.
    pub fn full(&self) -> Tile {
        Tile {
            w: 1 << self.h,
            ..*self
        }
    }

    /// The tile's path on a server: `tile/H/L/NNN` with `N` in groups of
    /// three digits (`x001/234` for 1234), `.p/W` for a partial tile,
    /// `data` for level [`DATA_LEVEL`].
    pub fn path(&self) -> String {
        let mut n = self.n;
        let mut n_str = format!("{:03}", n % 1000);
        while n >= 1000 {
            n /= 1000;
            n_str = format!("x{:03}/{n_str}", n % 1000);
        }
        let partial = if self.is_full() {
            String::new()
        } else {
            format!(".p/{}", self.w)
        };
        let level = if self.l == DATA_LEVEL {
            "data".to_string()
        } else {
            self.l.to_string()
        };
        format!("tile/{}/{level}/{n_str}{partial}", self.h)
    }

    /// The tile a path names; only the exact form [`Tile::path`] writes.
    pub fn parse(path: &str) -> Result<Tile, TlogError> {
        let bad = || TlogError::MalformedTilePath(path.to_string());
        let mut parts: Vec<&str> = path.split('/').collect();
        if parts.len() < 4 || parts[0] != "tile" {
            return Err(bad());
        }
        let h: u32 = parts[1].parse().map_err(|_| bad())?;
        if !(1..=30).contains(&h) {
            return Err(bad());
        }
        let l = if parts[2] == "data" {
            DATA_LEVEL
        } else {
            parts[2]
                .parse::<i32>()
                .ok()
                .filter(|l| (0..64).contains(l))
                .ok_or_else(bad)?
        };
        let mut w: u32 = 1 << h;
        let second_last = parts[parts.len() - 2];
        if let Some(stem) = second_last.strip_suffix(".p") {
            let width: u32 = parts[parts.len() - 1].parse().map_err(|_| bad())?;
            if width == 0 || width >= w {
                return Err(bad());
            }
            w = width;
            let at = parts.len() - 2;
            parts[at] = stem;
            parts.pop();
        }
        let mut n: u64 = 0;
        for part in &parts[3..] {
            let digits = part.strip_prefix('x').unwrap_or(part);
            let group: u64 = digits.parse().ok().filter(|g| *g < 1000).ok_or_else(bad)?;
            n = n
                .checked_mul(1000)
                .and_then(|n| n.checked_add(group))
                .ok_or_else(bad)?;
        }
        let tile = Tile { h, l, n, w };
        // Only the canonical spelling: no missing `x`, no extra zeros.
        if tile.path() != path {
            return Err(bad());
        }
        Ok(tile)
    }

    /// The stored hash `index` out of this tile's bytes `data`.
    pub fn hash_at(&self, data: &[u8], index: u64) -> Result<Hash, TlogError> {
        let want = self.w as usize * HASH_SIZE;
        if data.len() < want {
            return Err(TlogError::TileSize {
                path: self.path(),
                len: data.len(),
                want,
            });
        }
        let (holder, range) = Tile::for_index_with_range(self.h, index);
        if self.l != holder.l || self.n != holder.n || self.w < holder.w {
            return Err(TlogError::WrongTile {
                index,
                holder: holder.path(),
                tile: self.path(),
            });
        }
        Ok(tile_hash(&data[range]))
    }
}

impl fmt::Display for Tile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.path())
    }
}

/// The hash of the subtree whose bottom row is `data` (a power-of-two
/// number of hashes).
fn tile_hash(data: &[u8]) -> Hash {
    if data.len() == HASH_SIZE {
        let mut h = Hash::default();
        h.copy_from_slice(data);
        return h;
    }
    let half = data.len() / 2;
    node_hash(&tile_hash(&data[..half]), &tile_hash(&data[half..]))
}

/// The bytes of hash tile `tile`, read from a log's stored hashes: what a
/// server sends for it.
pub fn read_tile_data<R: HashReader + ?Sized>(tile: &Tile, r: &mut R) -> Result<Vec<u8>, R::Error> {
    let level =
        u32::try_from(tile.l).map_err(|_| TlogError::MalformedTilePath(tile.path()))? * tile.h;
    // Beyond any tree this code accepts (and beyond `u64` arithmetic).
    let records = MAX_TREE_SIZE.checked_shr(level).unwrap_or(0);
    if tile.n > records >> tile.h {
        return Err(TlogError::NotInTree {
            index: tile.n,
            size: MAX_TREE_SIZE,
        }
        .into());
    }
    let start = tile.n << tile.h;
    let indexes: Vec<u64> = (0..u64::from(tile.w))
        .map(|i| stored_hash_index(level, start + i))
        .collect();
    let hashes = read_exactly(r, &indexes)?;
    Ok(hashes.concat())
}

/// Where [`TileHashReader`] gets tiles: from a server, through a cache.
pub trait TileReader {
    type Error: From<TlogError>;
    /// The tile height (8 for the Go checksum database).
    fn height(&self) -> u32;
    /// The bytes of each tile, in order. Not trusted yet.
    fn read_tiles(&mut self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, Self::Error>;
    /// Called with tiles once they are proven to belong to the signed tree,
    /// so they may be cached. Best effort: a tile not saved is fetched again.
    fn save_tiles(&mut self, tiles: &[Tile], data: &[Vec<u8>]);
}

/// Reads stored hashes of the signed tree `tree` out of tiles, trusting
/// none until it hashes up to the tree's root: the tiles holding the
/// tree's top-level subtrees must hash to `tree.hash`, and every other
/// tile must hash to the hash its parent tile holds for it.
pub struct TileHashReader<'a, T> {
    tree: Tree,
    reader: &'a mut T,
}

impl<'a, T: TileReader> TileHashReader<'a, T> {
    pub fn new(tree: Tree, reader: &'a mut T) -> Self {
        TileHashReader { tree, reader }
    }
}

/// The tile `k` levels above `t`, cut to what a tree of `n` records has;
/// `None` when the tree has nothing there.
fn tile_parent(t: Tile, k: u32, n: u64) -> Option<Tile> {
    let l = t.l + k as i32;
    let tile_n = t.n >> (k * t.h);
    let mut w = 1u64 << t.h;
    let max = n.checked_shr(l as u32 * t.h).unwrap_or(0);
    if (tile_n << t.h) + w >= max {
        if (tile_n << t.h) >= max {
            return None;
        }
        w = max - (tile_n << t.h);
    }
    Some(Tile {
        h: t.h,
        l,
        n: tile_n,
        w: w as u32,
    })
}

impl<T: TileReader> HashReader for TileHashReader<'_, T> {
    type Error = T::Error;

    fn read_hashes(&mut self, indexes: &[u64]) -> Result<Vec<Hash>, T::Error> {
        let h = self.reader.height();
        let size = self.tree.n;
        // The tiles to read: first those holding the tree's top-level
        // subtree hashes, then for each index its tile and the full tiles
        // between it and one already listed.
        let mut order: HashMap<Tile, usize> = HashMap::new();
        let mut tiles: Vec<Tile> = Vec::new();
        let stx = sub_tree_index(0, size, Vec::new());
        if stx.is_empty() {
            return Err(
                TlogError::InvalidInput(format!("hashes of the empty tree (size {size})")).into(),
            );
        }
        let mut stx_tile = Vec::with_capacity(stx.len());
        for &x in &stx {
            let tile = tile_parent(Tile::for_index(h, x), 0, size)
                .ok_or(TlogError::NotInTree { index: x, size })?;
            let j = *order.entry(tile).or_insert_with(|| {
                tiles.push(tile);
                tiles.len() - 1
            });
            stx_tile.push(j);
        }
        let top_tiles = tiles.len();

        let mut index_tile = Vec::with_capacity(indexes.len());
        for &x in indexes {
            if x >= stored_hash_index(0, size) {
                return Err(TlogError::NotInTree { index: x, size }.into());
            }
            let tile = Tile::for_index(h, x);
            // The lowest ancestor (or the tile itself) already listed.
            let mut k = 0;
            let found = loop {
                if let Some(j) = tile_parent(tile, k, size).and_then(|p| order.get(&p)) {
                    break *j;
                }
                k += 1;
                if k > 64 {
                    return Err(TlogError::NotInTree { index: x, size }.into());
                }
            };
            if k == 0 {
                index_tile.push(found);
                continue;
            }
            // List the tiles below it, down to the index's own; all full,
            // since only the top-level tiles can be partial.
            for k in (0..k).rev() {
                let p =
                    tile_parent(tile, k, size).ok_or(TlogError::NotInTree { index: x, size })?;
                if !p.is_full() {
                    return Err(TlogError::NotInTree { index: x, size }.into());
                }
                order.insert(p, tiles.len());
                tiles.push(p);
            }
            index_tile.push(tiles.len() - 1);
        }

        let data = self.reader.read_tiles(&tiles)?;
        if data.len() != tiles.len() {
            return Err(TlogError::ReaderCount {
                got: data.len(),
                want: tiles.len(),
            }
            .into());
        }
        for (tile, bytes) in tiles.iter().zip(&data) {
            let want = tile.w as usize * HASH_SIZE;
            if bytes.len() != want {
                return Err(TlogError::TileSize {
                    path: tile.path(),
                    len: bytes.len(),
                    want,
                }
                .into());
            }
        }

        // The top-level tiles must hash up to the signed root.
        let last = stx.len() - 1;
        let mut th = tiles[stx_tile[last]].hash_at(&data[stx_tile[last]], stx[last])?;
        for i in (0..last).rev() {
            let left = tiles[stx_tile[i]].hash_at(&data[stx_tile[i]], stx[i])?;
            th = node_hash(&left, &th);
        }
        if th != self.tree.hash {
            // The top-level subtrees often share a tile: each named once.
            let mut paths: Vec<String> = Vec::new();
            for path in stx_tile.iter().map(|&j| tiles[j].path()) {
                if !paths.contains(&path) {
                    paths.push(path);
                }
            }
            return Err(TlogError::InconsistentTile(paths.join(", ")).into());
        }

        // Every other tile must hash to what its (already trusted) parent
        // holds for it; they were listed parents first. (The top-level
        // subtrees often share tiles, so these start after the distinct
        // top-level tiles, not after one tile per subtree.)
        for i in top_tiles..tiles.len() {
            let tile = tiles[i];
            let parent =
                tile_parent(tile, 1, size).ok_or(TlogError::InconsistentTile(tile.path()))?;
            let j = *order
                .get(&parent)
                .ok_or(TlogError::InconsistentTile(tile.path()))?;
            let parent_level = parent.l as u32 * parent.h;
            let want = parent.hash_at(&data[j], stored_hash_index(parent_level, tile.n))?;
            if want != tile_hash(&data[i]) {
                return Err(TlogError::InconsistentTile(tile.path()).into());
            }
        }

        self.reader.save_tiles(&tiles, &data);

        let mut hashes = Vec::with_capacity(indexes.len());
        for (&x, &j) in indexes.iter().zip(&index_tile) {
            hashes.push(tiles[j].hash_at(&data[j], x)?);
        }
        Ok(hashes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A log of `n` records `record i`, as its stored hashes.
    fn build_log(n: u64) -> Vec<Hash> {
        let mut stored = Vec::new();
        for i in 0..n {
            let data = format!("record {i}\n");
            let more = stored_hashes(i, data.as_bytes(), &mut stored.as_slice()).unwrap();
            stored.extend(more);
        }
        stored
    }

    #[test]
    fn stored_hash_indexes_round_trip() {
        for index in 0..5000 {
            let (level, n) = split_stored_hash_index(index);
            assert_eq!(stored_hash_index(level, n), index, "index {index}");
        }
        // Record 0, record 1, their parent, record 2, record 3, …
        assert_eq!(stored_hash_index(0, 0), 0);
        assert_eq!(stored_hash_index(0, 1), 1);
        assert_eq!(stored_hash_index(1, 0), 2);
        assert_eq!(stored_hash_index(0, 2), 3);
        assert_eq!(stored_hash_index(2, 0), 6);
        for n in 0..300 {
            assert_eq!(stored_hash_count(n), build_log(n).len() as u64, "n {n}");
        }
    }

    #[test]
    fn tree_hash_matches_rfc6962() {
        // RFC 6962 §2.1 directly, recursively.
        fn mth(leaves: &[Vec<u8>]) -> Hash {
            match leaves.len() {
                0 => Sha256::digest(b"").into(),
                1 => record_hash(&leaves[0]),
                n => {
                    let (k, _) = maxpow2(n as u64);
                    let k = k as usize;
                    node_hash(&mth(&leaves[..k]), &mth(&leaves[k..]))
                }
            }
        }
        let leaves: Vec<Vec<u8>> = (0..70)
            .map(|i| format!("record {i}\n").into_bytes())
            .collect();
        let log = build_log(70);
        for n in 1..=70 {
            assert_eq!(
                tree_hash(n, &mut log.as_slice()).unwrap(),
                mth(&leaves[..n as usize])
            );
        }
    }

    #[test]
    fn every_proof_on_trees_up_to_300_verifies() {
        let log = build_log(300);
        let r = &mut log.as_slice();
        let hashes: Vec<Hash> = (0..=300).map(|n| tree_hash(n, r).unwrap()).collect();
        for t in 1..=300u64 {
            let th = hashes[t as usize];
            for n in 0..t {
                let leaf = record_hash(format!("record {n}\n").as_bytes());
                let proof = prove_record(t, n, r).unwrap();
                check_record(&proof, t, &th, n, &leaf).unwrap();
                let other = record_hash(b"another record\n");
                assert_eq!(
                    check_record(&proof, t, &th, n, &other),
                    Err(TlogError::ProofFailed)
                );
            }
            for n in 1..=t {
                let proof = prove_tree(t, n, r).unwrap();
                check_tree(&proof, t, &th, n, &hashes[n as usize]).unwrap();
                let wrong = record_hash(b"not a tree\n");
                assert_eq!(
                    check_tree(&proof, t, &th, n, &wrong),
                    Err(TlogError::ProofFailed)
                );
            }
        }
    }

    proptest! {
        /// A log with one record changed proves nothing about the honest one.
        #[test]
        fn a_changed_record_fails(t in 2u64..300, changed in 0u64..300, n in 0u64..300) {
            let changed = changed % t;
            let n = n % t;
            let honest = build_log(t);
            let mut forged = Vec::new();
            for i in 0..t {
                let data = if i == changed { "forged\n".to_string() } else { format!("record {i}\n") };
                let more = stored_hashes(i, data.as_bytes(), &mut forged.as_slice()).unwrap();
                forged.extend(more);
            }
            let th = tree_hash(t, &mut honest.as_slice()).unwrap();
            let forged_leaf = record_hash(b"forged\n");
            let proof = prove_record(t, changed, &mut forged.as_slice()).unwrap();
            prop_assert_eq!(check_record(&proof, t, &th, changed, &forged_leaf), Err(TlogError::ProofFailed));
            // The forged tree extends the honest tree of size n + 1 only
            // when the change is beyond it: a fork is caught.
            let old = n + 1;
            let old_hash = tree_hash(old, &mut honest.as_slice()).unwrap();
            let forged_th = tree_hash(t, &mut forged.as_slice()).unwrap();
            let proof = prove_tree(t, old, &mut forged.as_slice()).unwrap();
            let checked = check_tree(&proof, t, &forged_th, old, &old_hash);
            if changed < old {
                prop_assert_eq!(checked, Err(TlogError::ProofFailed));
            } else {
                prop_assert_eq!(checked, Ok(()));
            }
        }
    }

    #[test]
    fn tile_paths() {
        let cases = [
            (
                "tile/8/0/001",
                Tile {
                    h: 8,
                    l: 0,
                    n: 1,
                    w: 256,
                },
            ),
            (
                "tile/8/0/001.p/5",
                Tile {
                    h: 8,
                    l: 0,
                    n: 1,
                    w: 5,
                },
            ),
            (
                "tile/8/0/x001/234",
                Tile {
                    h: 8,
                    l: 0,
                    n: 1234,
                    w: 256,
                },
            ),
            (
                "tile/8/0/x001/234.p/5",
                Tile {
                    h: 8,
                    l: 0,
                    n: 1234,
                    w: 5,
                },
            ),
            (
                "tile/8/1/x123/x456/789",
                Tile {
                    h: 8,
                    l: 1,
                    n: 123_456_789,
                    w: 256,
                },
            ),
            (
                "tile/8/data/x001/234.p/5",
                Tile {
                    h: 8,
                    l: DATA_LEVEL,
                    n: 1234,
                    w: 5,
                },
            ),
            (
                "tile/3/5/x123/x999/x888/777.p/3",
                Tile {
                    h: 3,
                    l: 5,
                    n: 123_999_888_777,
                    w: 3,
                },
            ),
        ];
        for (path, tile) in cases {
            assert_eq!(tile.path(), path);
            assert_eq!(Tile::parse(path), Ok(tile), "{path}");
        }
        for bad in [
            "tile/8/0/1234",
            "tile/8/0/01",
            "tile/8/0/x001/234.p/256",
            "tile/8/0/x001/234.p/0",
            "tile/8/0/001.p/05",
            "tile/31/0/001",
            "tile/8/-1/001",
            "tiles/8/0/001",
            "tile/8/0",
            "tile/8/0/x000/001",
            "tile/8/0/1000",
        ] {
            assert_eq!(
                Tile::parse(bad),
                Err(TlogError::MalformedTilePath(bad.into())),
                "{bad}"
            );
        }
    }

    #[test]
    fn tiles_hold_the_stored_hashes() {
        let log = build_log(1000);
        let r = &mut log.as_slice();
        for index in 0..stored_hash_count(1000) {
            let tile = Tile::for_index(2, index);
            let data = read_tile_data(&tile, r).unwrap();
            assert_eq!(
                tile.hash_at(&data, index).unwrap(),
                log[index as usize],
                "{tile}"
            );
            let full = tile.full();
            if let Ok(data) = read_tile_data(&full, r) {
                assert_eq!(full.hash_at(&data, index).unwrap(), log[index as usize]);
            }
        }
    }

    /// Tiles out of an in-memory log, one of them forged.
    struct Tiles<'a> {
        log: &'a [Hash],
        forge: Option<Tile>,
        saved: Vec<Tile>,
    }

    impl TileReader for Tiles<'_> {
        type Error = TlogError;
        fn height(&self) -> u32 {
            8
        }
        fn read_tiles(&mut self, tiles: &[Tile]) -> Result<Vec<Vec<u8>>, TlogError> {
            let mut out = Vec::new();
            for tile in tiles {
                let mut data = read_tile_data(tile, &mut { self.log })?;
                if Some(*tile) == self.forge {
                    data[5 * HASH_SIZE] ^= 1;
                }
                out.push(data);
            }
            Ok(out)
        }
        fn save_tiles(&mut self, tiles: &[Tile], _: &[Vec<u8>]) {
            self.saved.extend_from_slice(tiles);
        }
    }

    #[test]
    fn tile_hash_reader_trusts_only_tiles_that_hash_up_to_the_tree() {
        let log = build_log(300);
        let tree = Tree {
            n: 300,
            hash: tree_hash(300, &mut log.as_slice()).unwrap(),
        };
        let mut honest = Tiles {
            log: &log,
            forge: None,
            saved: Vec::new(),
        };
        for n in 0..300 {
            let index = stored_hash_index(0, n);
            let got = TileHashReader::new(tree, &mut honest)
                .read_hashes(&[index])
                .unwrap();
            assert_eq!(got, [log[index as usize]]);
        }
        assert_eq!(
            tree_hash(300, &mut TileHashReader::new(tree, &mut honest)),
            Ok(tree.hash)
        );

        // Record 5's tile is neither a top-level tile of the tree of 300 (those
        // are tile/8/1/000.p/1 and tile/8/0/001.p/44) nor one of as many
        // tiles as there are top-level subtrees: it must still be checked
        // against its parent.
        let forged_tile = Tile {
            h: 8,
            l: 0,
            n: 0,
            w: 256,
        };
        let mut forged = Tiles {
            log: &log,
            forge: Some(forged_tile),
            saved: Vec::new(),
        };
        let err = TileHashReader::new(tree, &mut forged)
            .read_hashes(&[stored_hash_index(0, 5)])
            .unwrap_err();
        assert_eq!(err, TlogError::InconsistentTile("tile/8/0/000".into()));
        assert!(forged.saved.is_empty());

        // A forged top-level tile does not hash up to the root.
        forged.forge = Some(Tile {
            h: 8,
            l: 0,
            n: 1,
            w: 44,
        });
        let err = TileHashReader::new(tree, &mut forged)
            .read_hashes(&[stored_hash_index(0, 261)])
            .unwrap_err();
        assert!(matches!(err, TlogError::InconsistentTile(_)), "{err}");
        // Named once each, though the top-level subtrees share tiles.
        let TlogError::InconsistentTile(paths) = &err else {
            unreachable!()
        };
        let paths: Vec<&str> = paths.split(", ").collect();
        assert_eq!(paths, ["tile/8/1/000.p/1", "tile/8/0/001.p/44"], "{err}");

        // Hashes beyond the tree are not read.
        let err = TileHashReader::new(tree, &mut honest)
            .read_hashes(&[stored_hash_index(0, 300)])
            .unwrap_err();
        assert!(matches!(err, TlogError::NotInTree { .. }), "{err}");
    }

    #[test]
    fn absurd_tiles_are_refused_not_computed() {
        let log = build_log(3);
        for path in ["tile/30/63/999", "tile/8/0/x999/x999/x999/x999/x999/999"] {
            let tile = Tile::parse(path).unwrap();
            assert!(matches!(
                read_tile_data(&tile, &mut log.as_slice()),
                Err(TlogError::NotInTree { .. })
            ));
        }
    }

    /// What Go's tlog (x/mod 0.7.0) computes for the same log.
    #[test]
    fn agrees_with_go() {
        let log = build_log(1000);
        let r = &mut log.as_slice();
        for (n, hash) in [
            (1, "hH2/O6WqM8SXbRrP04wkRcdxBnXjSED3frqPG1Slmqo="),
            (2, "iDYylbHW0Tfc8TPv9Zsm3tnGSeG45mXMQ+Eqym5W/aw="),
            (7, "VVOPta6muLtr4TjexJLyDN2n5k9t9+4IYo4R6tZk+rQ="),
            (256, "YM4q9B2yxJjQzI3wjS28QSe5lhVenLORq/0HtRJm3q4="),
            (300, "Ey++6U8jR3/07muS3KCjyN5ywJOyyUIHrJWv/iryBOQ="),
            (513, "8m4/7KKVVKa/XRJxsoImwu6NMzwC+0MHyLaKdstSNuQ="),
            (1000, "/OM0wh4QVBZH2yGIJAxlVIH0IqehjKLfQ+JUXW3B0iM="),
        ] {
            assert_eq!(format_hash(&tree_hash(n, r).unwrap()), hash, "tree {n}");
        }
        for (index, path) in [
            (0, "tile/8/0/000.p/1"),
            (1, "tile/8/0/000.p/2"),
            (2, "tile/8/0/000.p/2"),
            (255, "tile/8/0/000.p/129"),
            (256, "tile/8/0/000.p/130"),
            (299, "tile/8/0/000.p/152"),
            (510, "tile/8/1/000.p/1"),
            (1000, "tile/8/0/001.p/248"),
            (1997, "tile/8/0/003.p/235"),
        ] {
            assert_eq!(Tile::for_index(8, index).path(), path, "index {index}");
        }
        let data = Tile {
            h: 8,
            l: DATA_LEVEL,
            n: 1_234_067,
            w: 256,
        };
        assert_eq!(data.path(), "tile/8/data/x001/x234/067");
    }

    #[test]
    fn tree_notes() {
        let tree = Tree {
            n: 5,
            hash: record_hash(b"x"),
        };
        let text = format_tree(&tree);
        assert!(text.starts_with("go.sum database tree\n5\n"));
        assert_eq!(parse_tree(&text), Ok(tree));
        for bad in [
            "go.sum database tree\n05\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
            "go.sum database tree\n-5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
            "go.sum database tree\n5\nAAAA\n",
            "go.sum database tree\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
            "go.sum database\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
        ] {
            assert_eq!(parse_tree(bad), Err(TlogError::MalformedTree), "{bad:?}");
        }
    }

    #[test]
    fn records() {
        let msg = b"7\ngolang.org/x/text v0.3.0 h1:abc=\ngolang.org/x/text v0.3.0/go.mod h1:def=\n\nnote\n";
        let (id, text, rest) = parse_record(msg).unwrap();
        assert_eq!(id, 7);
        assert_eq!(
            text,
            b"golang.org/x/text v0.3.0 h1:abc=\ngolang.org/x/text v0.3.0/go.mod h1:def=\n"
        );
        assert_eq!(rest, b"note\n");
        let mut again = format_record(id, text).unwrap();
        again.extend_from_slice(rest);
        assert_eq!(again, msg);
        for bad in [
            &b"x\na\n\n"[..],
            b"7\na\n",
            b"7\na\tb\n\n",
            b"7\na\xff\n\n",
            b"",
        ] {
            assert_eq!(
                parse_record(bad),
                Err(TlogError::MalformedRecord),
                "{bad:?}"
            );
        }
    }
}
