//! The library part of `bearer`: only the rendering of `bearer inspect`
//! ([`render`]), kept apart from the binary so that tests and the fuzz
//! target `inspect_render` can call it. Everything else of the CLI lives in
//! the binary.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod render;
