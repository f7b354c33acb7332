//! Entry text and the rules a client's text must pass before it may be stored.

use serde::Serialize;

/// Why a piece of text cannot become an entry. Messages are safe to show a client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContentError {
    #[error("content must have a visible character, not only whitespace or invisible ones")]
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
        if !text.chars().any(is_visible) {
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

/// Whether `character` shows as something on a page: not whitespace, not a control character,
/// and not one of the zero-width or formatting characters that render as nothing.
// Limitation: this names the common invisible characters (zero-width spaces and joiners,
// direction marks, the byte order mark, the soft hyphen, invisible operators), not every
// character of Unicode's Default_Ignorable_Code_Point property.
fn is_visible(character: char) -> bool {
    let invisible = matches!(
        character,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
    );
    !(character.is_whitespace() || character.is_control() || invisible)
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
    fn text_with_nothing_visible_is_blank() {
        let invisible = [
            "",
            " ",
            "\n\t  \r\n",
            "\u{3000}",
            "\u{a0}",
            "\u{200b}",
            "\u{feff}",
            "\u{1}",
            " \u{200d}\u{2060} \u{7}",
        ];
        for text in invisible {
            assert_eq!(
                rules(1024).accept(text.to_owned()),
                Err(ContentError::Blank),
                "{text:?}"
            );
        }
    }

    #[test]
    fn one_visible_character_among_invisible_ones_is_enough() {
        for text in ["\u{200b}a", "\u{1}.", "👍🏽", "\u{feff}שלום"] {
            assert_eq!(
                rules(64)
                    .accept(text.to_owned())
                    .map(EntryContent::into_string),
                Ok(text.to_owned())
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
