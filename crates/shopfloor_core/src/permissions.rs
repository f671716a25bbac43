//! Dotted, hierarchical permission strings (api.md): a held prefix grants everything below it.

/// Whether holding `held` grants `needed`.
pub fn grants(held: &str, needed: &str) -> bool {
    held == "*" || held == needed || (needed.len() > held.len() && needed.starts_with(held) && needed.as_bytes()[held.len()] == b'.')
}

/// The permission strings of one module prefix (`PRODUCTION_ORDER` → `PRODUCTION_ORDER.READ.GET`, …).
pub fn module_permissions(prefix: &str) -> Vec<String> {
    ["READ.GET", "READ.VALIDATE", "WRITE.SAVE", "WRITE.DELETE", "EXECUTE"]
        .iter()
        .map(|p| format!("{prefix}.{p}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_grant_what_lies_below_them() {
        assert!(grants("PRODUCTION_ORDER.WRITE", "PRODUCTION_ORDER.WRITE.SAVE"));
        assert!(grants("PRODUCTION_ORDER", "PRODUCTION_ORDER.WRITE.SAVE"));
        assert!(grants("*", "MATERIAL.READ.GET"));
        assert!(!grants("PRODUCTION_ORDER.WRITE.SAVE", "PRODUCTION_ORDER.WRITE"));
        assert!(!grants("PRODUCTION", "PRODUCTION_ORDER.READ.GET"));
    }
}
