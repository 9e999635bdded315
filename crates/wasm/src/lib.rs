//! rolectl for Node and browsers: a wasm-bindgen front end that drives the
//! resolver with a fetch transport and JavaScript callbacks.

use wasm_bindgen::prelude::*;

/// The version of the rolectl package.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
