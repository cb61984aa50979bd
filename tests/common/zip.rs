// A small zip writer for tests: stored and deflate entries, plus the knobs
// that make hostile archives (lying sizes and CRCs, local headers that
// disagree with the central directory, zip64 fields, data descriptors,
// entries placed by hand so that they overlap).
//
// The unit tests of `src/install/unzip.rs` include this file as it is, so
// it holds items only (no `//!` docs, no `use super`).

use std::io::Write as _;

/// One entry as the writer lays it out; `Entry::file` and `Entry::dir`
/// give an honest one, the fields bend it.
#[derive(Clone, Debug)]
pub struct Entry {
    pub name: Vec<u8>,
    /// The content, before compression.
    pub data: Vec<u8>,
    /// 0 stored, 8 deflate; anything else writes `data` as it is.
    pub method: u16,
    /// Written instead of the compressed data (a cut or padded stream).
    pub raw: Option<Vec<u8>>,
    pub flags: u16,
    /// The mode in the external attributes (Unix "made by").
    pub unix_mode: u32,
    /// Declares this uncompressed size instead of the true one.
    pub declared_size: Option<u64>,
    /// Declares this CRC-32 instead of the true one.
    pub crc: Option<u32>,
    /// The local header names this instead.
    pub local_name: Option<Vec<u8>>,
    /// The local header says this method instead.
    pub local_method: Option<u16>,
    /// The local header declares this uncompressed size instead.
    pub local_size: Option<u64>,
    /// Sizes and offset go in zip64 extra fields (the classic fields say
    /// 0xFFFFFFFF).
    pub zip64: bool,
    /// Sizes and CRC in a data descriptor after the data (flag bit 3), as
    /// Go's own writer does.
    pub descriptor: bool,
}

impl Entry {
    pub fn file(name: &str, data: &[u8]) -> Entry {
        Entry {
            name: name.as_bytes().to_vec(),
            data: data.to_vec(),
            method: 8,
            raw: None,
            flags: 0x800,
            unix_mode: 0o100644,
            declared_size: None,
            crc: None,
            local_name: None,
            local_method: None,
            local_size: None,
            zip64: false,
            descriptor: false,
        }
    }

    pub fn dir(name: &str) -> Entry {
        Entry {
            method: 0,
            unix_mode: 0o040755,
            ..Entry::file(name, b"")
        }
    }

    pub fn stored(mut self) -> Entry {
        self.method = 0;
        self
    }

    /// The bytes between the local header and the next entry.
    pub fn compressed(&self) -> Vec<u8> {
        if let Some(raw) = &self.raw {
            return raw.clone();
        }
        match self.method {
            8 => {
                let mut z =
                    flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
                z.write_all(&self.data).unwrap();
                z.finish().unwrap()
            }
            _ => self.data.clone(),
        }
    }

    fn true_crc(&self) -> u32 {
        let mut crc = flate2::Crc::new();
        crc.update(&self.data);
        crc.sum()
    }

    fn size(&self) -> u64 {
        self.declared_size.unwrap_or(self.data.len() as u64)
    }

    fn crc32(&self) -> u32 {
        self.crc.unwrap_or_else(|| self.true_crc())
    }

    fn flags(&self) -> u16 {
        self.flags | if self.descriptor { 0x8 } else { 0 }
    }

    /// Its local header, data and data descriptor, as written at some offset.
    pub fn local_bytes(&self) -> Vec<u8> {
        let body = self.compressed();
        let name = self.local_name.as_ref().unwrap_or(&self.name);
        let size = self.local_size.unwrap_or(self.size());
        let (crc, csize, usize_) = if self.descriptor {
            (0, 0, 0)
        } else {
            (self.crc32(), body.len() as u64, size)
        };
        let mut extra = Vec::new();
        if self.zip64 {
            put16(&mut extra, 1);
            put16(&mut extra, 16);
            put64(&mut extra, usize_);
            put64(&mut extra, csize);
        }
        let mut out = Vec::new();
        put32(&mut out, 0x04034b50);
        put16(&mut out, if self.zip64 { 45 } else { 20 });
        put16(&mut out, self.flags());
        put16(&mut out, self.local_method.unwrap_or(self.method));
        put32(&mut out, 0); // time, date
        put32(&mut out, crc);
        put32(&mut out, if self.zip64 { u32::MAX } else { csize as u32 });
        put32(&mut out, if self.zip64 { u32::MAX } else { usize_ as u32 });
        put16(&mut out, name.len() as u16);
        put16(&mut out, extra.len() as u16);
        out.extend_from_slice(name);
        out.extend_from_slice(&extra);
        out.extend_from_slice(&body);
        if self.descriptor {
            put32(&mut out, 0x08074b50);
            put32(&mut out, self.crc32());
            if self.zip64 {
                put64(&mut out, body.len() as u64);
                put64(&mut out, self.size());
            } else {
                put32(&mut out, body.len() as u32);
                put32(&mut out, self.size() as u32);
            }
        }
        out
    }

    /// Its central directory record, its local header at `offset`.
    pub fn central_bytes(&self, offset: u64) -> Vec<u8> {
        let csize = self.compressed().len() as u64;
        let mut extra = Vec::new();
        if self.zip64 {
            put16(&mut extra, 1);
            put16(&mut extra, 24);
            put64(&mut extra, self.size());
            put64(&mut extra, csize);
            put64(&mut extra, offset);
        }
        let mut out = Vec::new();
        put32(&mut out, 0x02014b50);
        put16(&mut out, (3 << 8) | 45); // made by Unix
        put16(&mut out, if self.zip64 { 45 } else { 20 });
        put16(&mut out, self.flags());
        put16(&mut out, self.method);
        put32(&mut out, 0);
        put32(&mut out, self.crc32());
        let small = |v: u64| if self.zip64 { u32::MAX } else { v as u32 };
        put32(&mut out, small(csize));
        put32(&mut out, small(self.size()));
        put16(&mut out, self.name.len() as u16);
        put16(&mut out, extra.len() as u16);
        put16(&mut out, 0); // comment
        put16(&mut out, 0); // disk
        put16(&mut out, 0); // internal attributes
        put32(&mut out, self.unix_mode << 16);
        put32(&mut out, small(offset));
        out.extend_from_slice(&self.name);
        out.extend_from_slice(&extra);
        out
    }
}

/// Lays out a zip: `local` writes an entry's local part where the archive
/// is, `central` lists an entry at any offset, `finish` writes the end.
#[derive(Default)]
pub struct ZipWriter {
    pub out: Vec<u8>,
    central: Vec<u8>,
    count: u64,
    /// Write the zip64 end records (and saturate the classic end record).
    pub zip64_end: bool,
    /// Declare this many entries instead of those listed.
    pub declared_count: Option<u64>,
    /// The archive comment.
    pub comment: Vec<u8>,
}

impl ZipWriter {
    pub fn new() -> ZipWriter {
        ZipWriter::default()
    }

    /// Writes `entry`'s local header and data; returns its offset.
    pub fn local(&mut self, entry: &Entry) -> u64 {
        let offset = self.out.len() as u64;
        self.out.extend_from_slice(&entry.local_bytes());
        offset
    }

    /// Lists `entry` in the central directory, its local header at `offset`.
    pub fn central(&mut self, entry: &Entry, offset: u64) {
        self.central.extend_from_slice(&entry.central_bytes(offset));
        self.count += 1;
    }

    pub fn add(&mut self, entry: &Entry) {
        let offset = self.local(entry);
        self.central(entry, offset);
    }

    pub fn finish(mut self) -> Vec<u8> {
        let offset = self.out.len() as u64;
        let size = self.central.len() as u64;
        let count = self.declared_count.unwrap_or(self.count);
        self.out.extend_from_slice(&self.central);
        if self.zip64_end {
            let end64 = self.out.len() as u64;
            put32(&mut self.out, 0x06064b50);
            put64(&mut self.out, 44);
            put16(&mut self.out, 45);
            put16(&mut self.out, 45);
            put32(&mut self.out, 0);
            put32(&mut self.out, 0);
            put64(&mut self.out, count);
            put64(&mut self.out, count);
            put64(&mut self.out, size);
            put64(&mut self.out, offset);
            put32(&mut self.out, 0x07064b50);
            put32(&mut self.out, 0);
            put64(&mut self.out, end64);
            put32(&mut self.out, 1);
        }
        let saturate = self.zip64_end;
        put32(&mut self.out, 0x06054b50);
        put32(&mut self.out, 0); // disks
        let n = if saturate {
            0xFFFF
        } else {
            count.min(0xFFFF) as u16
        };
        put16(&mut self.out, n);
        put16(&mut self.out, n);
        put32(&mut self.out, if saturate { u32::MAX } else { size as u32 });
        put32(
            &mut self.out,
            if saturate { u32::MAX } else { offset as u32 },
        );
        put16(&mut self.out, self.comment.len() as u16);
        let comment = std::mem::take(&mut self.comment);
        self.out.extend_from_slice(&comment);
        self.out
    }
}

/// A zip of honest `entries`, in order.
pub fn zip_of(entries: &[Entry]) -> Vec<u8> {
    let mut w = ZipWriter::new();
    for e in entries {
        w.add(e);
    }
    w.finish()
}

fn put16(out: &mut Vec<u8>, v: u16) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(&v.to_le_bytes());
}
