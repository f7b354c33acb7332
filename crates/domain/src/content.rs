//! Entry text and the rules a client's text must pass before it may be stored.

use serde::Serialize;

/// Why a piece of text cannot become an entry. Messages are safe to show a client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContentError {
    #[error("content must not be empty or only whitespace")]
    Blank,
    #[error("content is {actual} bytes of UTF-8, more than the maximum of {max}")]
    TooLong { max: usize, actual: usize },
    #[error("content must not contain the NUL character")]
    ContainsNul,
}

/// Limits applied to entry text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentRules {
    /// Largest accepted entry, counted in bytes of UTF-8. Default: 65,536 (64 KiB).
    pub max_bytes: usize,
}

impl Default for ContentRules {
    fn default() -> Self {
        Self {
            max_bytes: 64 * 1024,
        }
    }
}

impl ContentRules {
    /// Checks `text` and keeps it byte for byte when it passes: no trimming, no normalisation.
    pub fn accept(&self, text: String) -> Result<EntryContent, ContentError> {
        if text.trim().is_empty() {
            return Err(ContentError::Blank);
        }

        if text.len() > self.max_bytes {
            return Err(ContentError::TooLong {
                max: self.max_bytes,
                actual: text.len(),
            });
        }

        // Postgres `text` cannot hold U+0000, so refusing it here keeps storage byte-exact.
        if text.contains('\0') {
            return Err(ContentError::ContainsNul);
        }

        Ok(EntryContent(text))
    }
}

/// Entry text that passed [`ContentRules::accept`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct EntryContent(String);

impl EntryContent {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(max_bytes: usize) -> ContentRules {
        ContentRules { max_bytes }
    }

    #[test]
    fn ordinary_text_is_kept_byte_for_byte() {
        let text = "  Dear diary 📓 \"quoted\" שלום\tend\n".to_owned();

        let content = rules(1024).accept(text.clone()).unwrap();

        assert_eq!(content.as_str(), text);
    }

    #[test]
    fn empty_and_whitespace_only_text_is_blank() {
        for text in ["", " ", "\n\t  \r\n", "\u{3000}"] {
            assert_eq!(
                rules(1024).accept(text.to_owned()),
                Err(ContentError::Blank),
                "{text:?}"
            );
        }
    }

    #[test]
    fn the_limit_counts_utf8_bytes_not_characters() {
        let four_emoji = "😀".repeat(4);

        assert!(rules(16).accept(four_emoji.clone()).is_ok());
        assert_eq!(
            rules(15).accept(four_emoji),
            Err(ContentError::TooLong {
                max: 15,
                actual: 16
            })
        );
    }

    #[test]
    fn nul_is_refused_but_other_control_characters_are_kept() {
        assert_eq!(
            rules(64).accept("a\0b".to_owned()),
            Err(ContentError::ContainsNul)
        );
        assert!(
            rules(64)
                .accept("bell \u{7} escape \u{1b}".to_owned())
                .is_ok()
        );
    }

    #[test]
    fn the_default_limit_is_64_kib() {
        assert_eq!(ContentRules::default().max_bytes, 65_536);
    }
}
