//! Record identifiers: ULIDs with the dashed 10-8-8 canonical text form (SPEC §1).

use std::fmt;
use std::str::FromStr;

/// A ULID. Displays as `01JCH3ENGW-82KJDZDR-JHGYCXQN`; parses the dashed or the plain 26-symbol
/// form in any letter case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(ulid::Ulid);

impl Id {
    /// A new, time-ordered identifier.
    pub fn generate() -> Self {
        Id(ulid::Ulid::new())
    }

    /// The identifier with this 128-bit value.
    pub fn from_u128(value: u128) -> Self {
        Id(ulid::Ulid(value))
    }

    /// Parses either text form; the message says what is wrong, for a field error.
    pub fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.trim().as_bytes();
        // The 26 symbols, upper-cased, without allocating (ids are parsed on every read).
        let mut plain = [0u8; 26];
        match trimmed.len() {
            28 => {
                if trimmed[10] != b'-' || trimmed[19] != b'-' {
                    return Err(format!("'{text}' is not a ULID (expected 10-8-8 groups separated by dashes)"));
                }
                plain[..10].copy_from_slice(&trimmed[..10]);
                plain[10..18].copy_from_slice(&trimmed[11..19]);
                plain[18..].copy_from_slice(&trimmed[20..]);
            }
            26 => plain.copy_from_slice(trimmed),
            _ => return Err(format!("'{text}' is not a ULID (expected 26 symbols, optionally dashed 10-8-8)")),
        }
        if !plain.iter().all(u8::is_ascii_alphanumeric) {
            return Err(format!("'{text}' is not a ULID (only the symbols 0-9 and A-Z are allowed)"));
        }
        if plain[0] > b'7' {
            return Err(format!("'{text}' is not a ULID (value too large: the first symbol must be 0-7)"));
        }
        plain.make_ascii_uppercase();
        let plain = std::str::from_utf8(&plain).map_err(|_| format!("'{text}' is not a ULID"))?;
        ulid::Ulid::from_string(plain)
            .map(Id)
            .map_err(|_| format!("'{text}' is not a ULID (invalid Crockford base-32 symbol or value too large)"))
    }
}

impl Id {
    /// The dashed text form in a fixed buffer (ids are written on every stored reference).
    fn dashed(&self) -> [u8; 28] {
        let mut plain = [0u8; ulid::ULID_LEN];
        self.0.array_to_str(&mut plain);
        let mut out = [b'-'; 28];
        out[..10].copy_from_slice(&plain[..10]);
        out[11..19].copy_from_slice(&plain[10..18]);
        out[20..].copy_from_slice(&plain[18..]);
        out
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.dashed();
        f.write_str(std::str::from_utf8(&text).map_err(|_| fmt::Error)?)
    }
}

impl FromStr for Id {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Id::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dashed_form_round_trips() {
        let id = Id::parse("01JCH3ENGW-82KJDZDR-JHGYCXQN").unwrap();
        assert_eq!(id.to_string(), "01JCH3ENGW-82KJDZDR-JHGYCXQN");
    }

    #[test]
    fn the_plain_lower_case_form_is_accepted() {
        let id = Id::parse("01jch3engw82kjdzdrjhgycxqn").unwrap();
        assert_eq!(id.to_string(), "01JCH3ENGW-82KJDZDR-JHGYCXQN");
    }

    #[test]
    fn malformed_ids_are_rejected() {
        for bad in [
            "",
            "x",
            "01JCH3ENGW-82KJDZDR-JHGYCXQ",
            "01JCH3ENGW_82KJDZDR_JHGYCXQN",
            "01JCH3ENGW-82KJDZDR-JHGYCXQU",
            "81JCH3ENGW82KJDZDRJHGYCXQN",
            "01JCH3ENG-W82KJDZDR-JHGYCXQN",
            // Found by the fuzzer: 28 characters with dashes in the right places but too few
            // symbols once the dashes are gone (this panicked).
            "----------------------------",
            "01JCH3ENGW-82KJ-ZDR-JHGYCXQN",
        ] {
            assert!(Id::parse(bad).is_err(), "{bad} should be rejected");
        }
    }

    #[test]
    fn generated_ids_are_dashed_and_parse_back() {
        let id = Id::generate();
        let text = id.to_string();
        assert_eq!(text.len(), 28);
        assert_eq!(Id::parse(&text).unwrap(), id);
    }
}
