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

/// Every permission a function of the script API needs (the catalogue's test keeps the two
/// equal): what a role may be given, with `*` and prefixes of these.
pub const KNOWN: &[&str] = &[
    "CUSTOMER.READ.GET",
    "CUSTOMER.READ.VALIDATE",
    "CUSTOMER.WRITE.DELETE",
    "CUSTOMER.WRITE.SAVE",
    "INTEGRATION.READ.GET",
    "INTEGRATION.READ.VALIDATE",
    "INTEGRATION.WRITE.DELETE",
    "INTEGRATION.WRITE.SAVE",
    "LOCATION.READ.GET",
    "LOCATION.READ.VALIDATE",
    "LOCATION.WRITE.DELETE",
    "LOCATION.WRITE.SAVE",
    "MATERIAL.READ.GET",
    "MATERIAL.READ.VALIDATE",
    "MATERIAL.WRITE.DELETE",
    "MATERIAL.WRITE.SAVE",
    "PERSONNEL.READ.GET",
    "PERSONNEL.READ.VALIDATE",
    "PERSONNEL.WRITE.DELETE",
    "PERSONNEL.WRITE.SAVE",
    "PRODUCTION_ORDER.EXECUTE.CANCEL",
    "PRODUCTION_ORDER.EXECUTE.CLOSE",
    "PRODUCTION_ORDER.EXECUTE.PAUSE",
    "PRODUCTION_ORDER.EXECUTE.REPORT",
    "PRODUCTION_ORDER.EXECUTE.SCHEDULE",
    "PRODUCTION_ORDER.EXECUTE.START",
    "PRODUCTION_ORDER.EXECUTE.STOP",
    "PRODUCTION_ORDER.EXECUTE.UNSCHEDULE",
    "PRODUCTION_ORDER.READ.GET",
    "PRODUCTION_ORDER.READ.VALIDATE",
    "PRODUCTION_ORDER.WRITE.DELETE",
    "PRODUCTION_ORDER.WRITE.SAVE",
    "QUERY.READ.VALIDATE",
    "SCHEDULE.READ.GET",
    "SHIFT.EXECUTE",
    "SHIFT.READ.GET",
    "SHIFT.READ.VALIDATE",
    "SHIFT.WRITE.DELETE",
    "SHIFT.WRITE.SAVE",
    "SYSTEM.ADMIN",
    "UNIT_OF_MEASURE.READ.GET",
    "UNIT_OF_MEASURE.READ.VALIDATE",
    "UNIT_OF_MEASURE.WRITE.DELETE",
    "UNIT_OF_MEASURE.WRITE.SAVE",
];

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
