//! The journal's vocabulary: who owns an entry, what an entry holds, and which content is
//! acceptable. Invariant: nothing here performs I/O, knows about HTTP or speaks SQL; the other
//! crates translate to and from these types at their edges.

mod content;
mod entry;

pub use content::{ContentError, ContentRules, EntryContent};
pub use entry::{EntryId, JournalEntry, NewEntry, PagePosition, PageRequest, UserId};
