//! Software bills of materials: of the installed toolchains (from their
//! install records) and of Go programs (from the build information Go
//! embeds in them).

pub mod buildinfo;
