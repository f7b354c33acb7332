//! The API's routes.

pub(crate) mod entries;
pub(crate) mod fallback;
pub(crate) mod health;
