//! The build information Go embeds in every executable it links (what
//! `go version -m` prints), read from the file itself: no Go needed.
