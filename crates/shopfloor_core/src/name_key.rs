//! The comparison key of names (and of every text compared by a condition): what uniqueness,
//! look-ups by name or path, import natural keys and text conditions compare, while the stored
//! name keeps what the user typed (issue 22 #7, docs/adr/0010-name-comparison.md).
//!
//! The key is Unicode's NFKC_Casefold idea built from ICU4X's parts, all of one Unicode
//! version: Default_Ignorable_Code_Point characters removed (zero-width space, joiners, word
//! joiner, byte-order mark, soft hyphen, variation selectors, …), NFKC (compatibility forms such
//! as fullwidth `ＡＢＣ` become `ABC`, decomposed `A` + U+0308 becomes `Ä`), full case folding
//! (`ß` and `SS` alike), then NFKC again, since folding can leave a string unnormalised. So
//! `ÄPFEL` composed and decomposed, `ＡＢＣ` and `abc`, `AB\u{200B}C` and `abc` have one key.

use icu_casemap::CaseMapperBorrowed;
use icu_normalizer::ComposingNormalizerBorrowed;
use icu_properties::props::DefaultIgnorableCodePoint;
use icu_properties::CodePointSetDataBorrowed;

/// The key under which `text` is unique and found. Idempotent: `name_key(&name_key(s)) ==
/// name_key(s)`, so a key can be compared with keys and given where a name is expected.
pub fn name_key(text: &str) -> String {
    // ASCII has no ignorable, compatibility or multi-character fold: lower case is the key.
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    let mut key = one_pass(text);
    // Removing an ignorable or folding can expose a new composition or an ignorable from a
    // compatibility mapping (U+FFA0 → U+3164); a second pass settles what is left.
    for _ in 0..3 {
        let next = one_pass(&key);
        if next == key {
            break;
        }
        key = next;
    }
    key
}

fn one_pass(text: &str) -> String {
    let ignorable = CodePointSetDataBorrowed::new::<DefaultIgnorableCodePoint>();
    let nfkc = ComposingNormalizerBorrowed::new_nfkc();
    let visible: String = text.chars().filter(|c| !ignorable.contains(*c)).collect();
    let normalised = nfkc.normalize(&visible);
    let folded = CaseMapperBorrowed::new().fold_string(&normalised);
    nfkc.normalize(&folded).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn composed_and_decomposed_letters_have_one_key() {
        assert_eq!(name_key("\u{C4}PFEL"), name_key("A\u{308}PFEL"));
        assert_eq!(name_key("A\u{308}PFEL"), "\u{E4}pfel");
    }

    #[test]
    fn fullwidth_and_compatibility_forms_have_the_key_of_their_plain_form() {
        assert_eq!(name_key("\u{FF21}\u{FF22}\u{FF23}"), "abc");
        assert_eq!(name_key("\u{FB01}le"), "file");
    }

    #[test]
    fn zero_width_and_format_characters_are_ignored() {
        for c in ['\u{200B}', '\u{200C}', '\u{200D}', '\u{2060}', '\u{FEFF}', '\u{AD}'] {
            assert_eq!(name_key(&format!("A{c}BC")), "abc", "U+{:04X}", c as u32);
        }
    }

    #[test]
    fn case_is_folded_fully() {
        assert_eq!(name_key("STRASSE"), name_key("Stra\u{DF}e"));
        assert_eq!(name_key("\u{39F}\u{394}\u{39F}\u{3A3}"), name_key("\u{3BF}\u{3B4}\u{3BF}\u{3C2}"));
        assert_eq!(name_key("Order-1"), "order-1");
    }

    #[test]
    fn different_names_keep_different_keys() {
        assert_ne!(name_key("Apfel"), name_key("\u{C4}pfel"));
        assert_ne!(name_key("a b"), name_key("ab"));
    }

    proptest! {
        #[test]
        fn the_key_of_a_key_is_the_key(s in "\\PC{0,12}") {
            let key = name_key(&s);
            prop_assert_eq!(name_key(&key), key);
        }
    }
}
