//! QueryRequest / FilterRequest / QueryResult (query.md): parsed and checked against an entity's
//! fields into a typed [`Query`] that a store turns into SQL.
//!
//! [`model`] holds the typed query, [`conditions`] the conditions and their operands, [`parse`]
//! the requests; every name is used from this module's root.

mod conditions;
mod model;
mod parse;

pub use conditions::Condition;
pub use model::{
    FieldRef, Filter, Operand, Page, PropertyColumn, PropertyResolver, Query, Sort, MAX_PAGE_SIZE, PROPERTY_PREFIX, SEARCHED, SEARCH_FIELD,
};
pub use parse::{
    as_u64, new_filter_request, new_query_request, parse_filter, parse_query, parse_query_with, property_names, ANSWER_FIELDS,
};

use serde_json::{json, Value as Json};

/// Builds the QueryResult envelope of query.md.
pub fn result(content: Vec<Json>, total: u64, page: Option<Page>) -> Json {
    let has_content = !content.is_empty();
    match page {
        Some(p) => {
            let pages = total.div_ceil(p.size);
            json!({
                "content": content,
                "totalElements": total,
                "totalPages": pages,
                "pageSize": p.size,
                "pageIndex": p.index,
                "hasContent": has_content,
                "isFirst": p.index == 0,
                "isLast": p.index.saturating_add(1) >= pages,
                "hasNext": p.index.saturating_add(1) < pages,
                "hasPrevious": p.index > 0,
            })
        }
        None => {
            let n = content.len();
            json!({
                "content": content,
                "totalElements": total,
                "totalPages": if total == 0 { 0 } else { 1 },
                "pageSize": n,
                "pageIndex": 0,
                "hasContent": has_content,
                "isFirst": true,
                "isLast": true,
                "hasNext": false,
                "hasPrevious": false,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_paged_envelope_counts_pages() {
        let r = result(vec![json!(1)], 101, Some(Page { size: 50, index: 2 }));
        assert_eq!(r["totalPages"], 3);
        assert_eq!(r["isLast"], true);
        assert_eq!(r["hasPrevious"], true);
    }
}
