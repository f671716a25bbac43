//! Import and export of master data (issue 18, ADR 0006 "Master data"): one generic exchange
//! for any entity with a natural key, over the machinery of the order import — files parsed
//! before the write transaction ([`ParsedFile`]), rows applied through the entity's own save
//! service (`service::entity::save`: validation, references, history events) one savepoint
//! each, the per-row report, dry runs and the queue.
//!
//! A file is a list of records as `getX` answers them, with references written as the natural
//! key of the record they point at (`parentPath` for `parentId`, `unitOfMeasureName` for
//! `unitOfMeasureId`: [`key_column`]), so that a file exported from one database imports into
//! another. A row is an upsert: it updates the record its natural key finds ([`apply`]) and
//! creates one otherwise. An [`Exchange`] is the records one script module's file holds (the
//! material module's holds material classes and materials); its kind names its import jobs.

mod apply;
mod export;

pub use apply::{apply_row, import_all};
pub use export::{bytes_json, export, rows, Selection};

use crate::kind::Kind;
use crate::{csv, input, json, Format, ParsedFile};
use serde_json::Value as Json;
use shopfloor_core::errors::{CoreError, CoreResult};
use shopfloor_core::record::is_input_key;
use shopfloor_core::schema::{Access, Entity, FieldDef, Kind as FieldKind, Lookup};

/// The records of one kind of master-data file.
#[derive(Debug)]
pub struct Exchange {
    /// In the order they are applied and exported: what the last (the main one) refers to
    /// first, so that an exported file imports in one pass (material classes, then materials).
    pub entities: &'static [Entity],
}

pub static LOCATIONS: Exchange = Exchange {
    entities: &[Entity::Location],
};
pub static MATERIALS: Exchange = Exchange {
    entities: &[Entity::MaterialClass, Entity::Material],
};
pub static UNITS_OF_MEASURE: Exchange = Exchange {
    entities: &[Entity::UnitOfMeasure],
};
pub static SHIFTS: Exchange = Exchange {
    entities: &[Entity::Shift],
};
pub static PEOPLE: Exchange = Exchange {
    entities: &[Entity::Person],
};
pub static DEPARTMENTS: Exchange = Exchange {
    entities: &[Entity::Department],
};

pub static ROLES: Exchange = Exchange { entities: &[Entity::Role] };

/// Every exchange, so that a queued job finds its own by kind.
pub static ALL: [&Exchange; 7] = [&LOCATIONS, &MATERIALS, &UNITS_OF_MEASURE, &SHIFTS, &PEOPLE, &DEPARTMENTS, &ROLES];

/// The column of a file that says which record a row is, in a file of more than one
/// (`MaterialClass` or `Material`); without it a row is the main record.
pub const RECORD_TYPE: &str = "recordType";

impl Exchange {
    /// The record the file is about (materials, in a file that also holds their classes).
    pub fn main(&self) -> Entity {
        *self.entities.last().expect("an exchange has records")
    }

    /// The kind of its import jobs: the main record's noun (`Location`).
    pub fn kind(&self) -> &'static str {
        self.main().def().noun
    }

    /// What importing needs: `<PREFIX>.WRITE.SAVE` (the records of one file share a prefix),
    /// and `SYSTEM.ADMIN` for the security records, which only administrators write.
    pub fn save_permission(&self) -> String {
        match self.main().def().permission_prefix {
            "SYSTEM" => "SYSTEM.ADMIN".to_string(),
            prefix => format!("{prefix}.WRITE.SAVE"),
        }
    }

    /// What exporting and reading its queue need: `<PREFIX>.READ.GET`.
    pub fn read_permission(&self) -> String {
        self.main().def().read_permission()
    }

    /// The exchange whose jobs are of `kind`.
    pub fn by_kind(kind: &str) -> Option<&'static Exchange> {
        ALL.iter().copied().find(|x| x.kind() == kind)
    }

    /// The record a row is: its `recordType` (taken out of the row), else the main record.
    fn entity_of(&self, row: &mut serde_json::Map<String, Json>) -> CoreResult<Entity> {
        match row.remove(RECORD_TYPE) {
            None | Some(Json::Null) => Ok(self.main()),
            Some(Json::String(t)) => self
                .entities
                .iter()
                .copied()
                .find(|e| e.def().noun.eq_ignore_ascii_case(t.trim()))
                .ok_or_else(|| CoreError::field(RECORD_TYPE, format!("must be one of {}, got '{t}'", self.nouns()))),
            Some(other) => Err(CoreError::field(
                RECORD_TYPE,
                format!("must be one of {}, got {}", self.nouns(), shopfloor_core::record::describe(&other)),
            )),
        }
    }

    fn nouns(&self) -> String {
        self.entities.iter().map(|e| e.def().noun).collect::<Vec<_>>().join(", ")
    }

    /// Refuses a CSV header naming a column no record of the file has: a cell in it would be
    /// lost, so the file is refused before any row, naming the column.
    fn check_header(&self, columns: &[String]) -> CoreResult<()> {
        let unknown: Vec<&str> = columns.iter().map(String::as_str).filter(|c| !self.knows_column(c)).collect();
        if unknown.is_empty() {
            return Ok(());
        }
        let labels: Vec<&str> = self.entities.iter().map(|e| e.def().label).collect();
        Err(CoreError::field(
            "data",
            format!(
                "unknown column{} {}: not a field of a {}, nor the natural key of a record it refers to{}",
                if unknown.len() > 1 { "s" } else { "" },
                unknown.iter().map(|c| format!("'{c}'")).collect::<Vec<_>>().join(", "),
                labels.join(" or a "),
                if self.entities.len() > 1 {
                    format!(", nor '{RECORD_TYPE}'")
                } else {
                    String::new()
                }
            ),
        ))
    }

    fn knows_column(&self, column: &str) -> bool {
        (column == RECORD_TYPE && self.entities.len() > 1)
            || self.entities.iter().any(|e| {
                let def = e.def();
                is_input_key(def, column) || def.fields.iter().any(|f| key_column(f).is_some_and(|(c, _, _)| c == column))
            })
    }
}

/// The field by which a record of `entity` is named in files: its path, name or lookup field;
/// `None` for records found only by id.
fn natural_key_field(entity: Entity) -> Option<&'static str> {
    match entity.def().lookup {
        Lookup::Path => Some("path"),
        Lookup::Name => Some("name"),
        Lookup::Field(key) => Some(key),
        Lookup::IdOnly => None,
    }
}

/// For a reference field a file may set, the column that names the referenced record by its
/// natural key, the referenced entity and the key field: `parentId` → `parentPath`,
/// `unitOfMeasureId` → `unitOfMeasureName`, `userId` → `userName`. The names are the ones the
/// order import reads and `getX` answers as derived keys.
pub fn key_column(field: &FieldDef) -> Option<(String, Entity, &'static str)> {
    let FieldKind::Ref(target) = field.kind else { return None };
    if field.access != Access::Input {
        return None;
    }
    let base = field.key.strip_suffix("Id")?;
    let key = natural_key_field(target)?;
    let mut upper = key.chars();
    let first = upper.next()?.to_ascii_uppercase();
    Some((format!("{base}{first}{}", upper.as_str()), target, key))
}

/// What a row is listed as before it is applied: its path, else its name, else the lookup
/// field of its record (a person's `username`).
pub(crate) fn row_name(row: &Json) -> Option<&str> {
    let lookups = ALL.iter().flat_map(|x| x.entities.iter()).filter_map(|e| match e.def().lookup {
        Lookup::Field(key) => Some(key),
        _ => None,
    });
    ["path", "name"]
        .into_iter()
        .chain(lookups)
        .find_map(|k| row.get(k).and_then(Json::as_str))
}

/// The format argument of a master-data import or export: `json` or `csv`.
pub fn format(text: Option<&str>) -> CoreResult<Format> {
    match Format::parse(text.unwrap_or("json"))? {
        f @ (Format::Json | Format::Csv) => Ok(f),
        other => Err(CoreError::field(
            "format",
            format!("master data is exchanged as json or csv, not {}", other.as_str()),
        )),
    }
}

/// Reads `data` into rows of exchange `x`, before any transaction: a JSON list of records (in
/// the JSON format), the text of a file, or its bytes as a list of numbers (what a script
/// passes for a byte array; -128 to -1 are read as Java's signed bytes). A file that cannot
/// be read — not UTF-8, malformed, an unknown CSV column, beyond a limit — fails as a whole.
pub fn parse(x: &'static Exchange, data: &Json, format: Format) -> CoreResult<ParsedFile> {
    let format = match format {
        Format::Json | Format::Csv => format,
        other => {
            return Err(CoreError::field(
                "format",
                format!("master data is exchanged as json or csv, not {}", other.as_str()),
            ))
        }
    };
    ParsedFile::collect(Kind::MasterData(x), format, row_name, |each| {
        let read = |bytes: &mut dyn std::io::Read, each: &mut dyn FnMut(u64, Json) -> CoreResult<()>| {
            input::read_text(bytes, u64::MAX, |text| match format {
                Format::Csv => csv::for_each_record(text, &|columns| x.check_header(columns), each).map(|()| Vec::new()),
                _ => json::for_each_row(text, each).map(|()| Vec::new()),
            })
        };
        match data {
            Json::String(text) => read(&mut text.as_bytes(), each),
            Json::Array(items) if items.first().is_some_and(Json::is_number) => read(&mut bytes_of(items)?.as_slice(), each),
            Json::Array(rows) if format == Format::Json => {
                for (i, row) in rows.iter().enumerate() {
                    each(i as u64 + 1, row.clone())?;
                }
                Ok(Vec::new())
            }
            other => Err(CoreError::field(
                "data",
                format!(
                    "must be the text of a {} file, its bytes{}, got {}",
                    format.as_str(),
                    if format == Format::Json { " or a list of records" } else { "" },
                    shopfloor_core::record::describe(other)
                ),
            )),
        }
    })
}

/// A list of numbers as bytes: 0 to 255, or -128 to -1 for a signed byte.
fn bytes_of(items: &[Json]) -> CoreResult<Vec<u8>> {
    items
        .iter()
        .enumerate()
        .map(|(i, v)| match v.as_i64() {
            Some(b @ -128..=255) => Ok((b & 0xff) as u8),
            _ => Err(CoreError::field(
                "data",
                format!("item {i} of the bytes is not a byte (a whole number from -128 to 255): {v}"),
            )),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_named_by_the_natural_key_of_what_they_point_at() {
        let column = |e: Entity, key: &str| key_column(e.def().field(key).unwrap()).map(|(c, _, _)| c);
        assert_eq!(column(Entity::Location, "parentId").as_deref(), Some("parentPath"));
        assert_eq!(
            column(Entity::Location, "storageCapacityUnitId").as_deref(),
            Some("storageCapacityUnitName")
        );
        assert_eq!(column(Entity::Material, "materialClassId").as_deref(), Some("materialClassPath"));
        assert_eq!(column(Entity::Material, "unitOfMeasureId").as_deref(), Some("unitOfMeasureName"));
        assert_eq!(column(Entity::Shift, "locationId").as_deref(), Some("locationPath"));
        assert_eq!(column(Entity::Person, "departmentId").as_deref(), Some("departmentPath"));
        assert_eq!(column(Entity::Person, "userId").as_deref(), Some("userName"));
        assert_eq!(column(Entity::Shift, "currentRecordId"), None, "server state, not a file's");
    }

    #[test]
    fn every_exchange_has_one_permission_prefix_and_a_natural_key_for_each_record() {
        for x in ALL {
            assert_eq!(Exchange::by_kind(x.kind()).map(Exchange::kind), Some(x.kind()));
            for e in x.entities {
                let def = e.def();
                assert_eq!(def.permission_prefix, x.main().def().permission_prefix, "{}", def.noun);
                assert!(
                    def.lookup != Lookup::IdOnly || matches!(def.unique_name, shopfloor_core::schema::UniqueName::Within(_)),
                    "{} has no natural key",
                    def.noun
                );
            }
        }
    }

    #[test]
    fn bytes_are_read_as_text_and_bad_bytes_are_refused() {
        let text = "name,symbol\nKilogram,kg\n";
        let bytes = Json::Array(text.bytes().map(Json::from).collect());
        let file = parse(&UNITS_OF_MEASURE, &bytes, Format::Csv).unwrap();
        assert_eq!(file.len(), 1);
        let signed = Json::Array(vec![Json::from(-61), Json::from(-87)]);
        assert_eq!(bytes_of(signed.as_array().unwrap()).unwrap(), "é".as_bytes());
        let bad = serde_json::json!([65, 256]);
        assert!(matches!(parse(&UNITS_OF_MEASURE, &bad, Format::Csv), Err(CoreError::Validation(f)) if f.has("data")));
    }

    #[test]
    fn an_unknown_column_refuses_the_file_naming_it() {
        let data = Json::String("name,symbol,colour\nKilogram,kg,red\n".into());
        let Err(CoreError::Validation(f)) = parse(&UNITS_OF_MEASURE, &data, Format::Csv) else {
            panic!("an unknown column must refuse the file")
        };
        assert!(f.to_json()["data"][0].as_str().unwrap().contains("'colour'"), "{f:?}");
        let known = Json::String("recordType,path,name,materialClassPath,unitOfMeasureName,erpId\n".into());
        assert!(parse(&MATERIALS, &known, Format::Csv).unwrap().is_empty());
        assert!(parse(&LOCATIONS, &known, Format::Csv).is_err(), "a location file has no recordType");
    }
}
