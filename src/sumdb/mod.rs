//! The Go checksum database (`sum.golang.org`): its signed notes and its
//! transparency log.

pub mod note;
pub mod tlog;
