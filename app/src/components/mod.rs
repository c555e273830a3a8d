//! Pieces the pages share.

mod field;
mod nav;

pub use field::Field;
pub use nav::Nav;
