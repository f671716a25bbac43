//! What an import job imports (migration 0015): production orders, or the master data of one
//! [`Exchange`]. The queue stores the kind's name with each job, applies each row with its
//! kind's rules and permission, and counts and cancels the rows of one kind at a time.

use crate::master_data::Exchange;

#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Orders,
    MasterData(&'static Exchange),
}

/// The kind of the order imports (and of every job queued before migration 0015).
pub const ORDERS: &str = "ProductionOrder";

impl Kind {
    /// As stored with a job: `ProductionOrder`, `Location`, `Material`, …
    pub fn name(self) -> &'static str {
        match self {
            Kind::Orders => ORDERS,
            Kind::MasterData(x) => x.kind(),
        }
    }

    /// The kind a stored name stands for; `None` for a name this build does not know.
    pub fn parse(name: &str) -> Option<Kind> {
        match name {
            ORDERS => Some(Kind::Orders),
            other => Exchange::by_kind(other).map(Kind::MasterData),
        }
    }

    /// What applying a row needs: the permission of its save.
    pub fn save_permission(self) -> String {
        match self {
            Kind::Orders => "PRODUCTION_ORDER.WRITE.SAVE".to_string(),
            Kind::MasterData(x) => x.save_permission(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_found_again_by_its_stored_name_and_unknown_names_by_none() {
        let kinds = [Kind::Orders]
            .into_iter()
            .chain(crate::master_data::ALL.iter().map(|x| Kind::MasterData(x)));
        for kind in kinds {
            assert_eq!(Kind::parse(kind.name()).map(Kind::name), Some(kind.name()));
        }
        assert!(Kind::parse("Customer").is_none(), "customers are not exchanged (yet)");
        assert_eq!(Kind::parse("Material").unwrap().save_permission(), "MATERIAL.WRITE.SAVE");
    }
}
