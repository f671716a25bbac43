//! ISA-95 B2MML (`SyncProductionSchedule` / `ProcessProductionSchedule`, V0401 and later
//! namespaces) import, and `SyncProductionSchedule` / `SyncProductionPerformance` export.
//!
//! The document is read from a reader, event by event. The reader never processes a DTD: a
//! document with a `<!DOCTYPE` is refused, so entity expansion (billion laughs) and external
//! entities cannot happen; only the five predefined entities and character references are
//! unescaped. Each `ProductionRequest` is read into a small tree and mapped as soon as it ends,
//! so memory holds one request (and one event's bytes) at a time.
//!
//! Mapping (ADR 0006): `ID` → name; `Description` → notes; `Priority` (1 highest) →
//! schedulePriority; `StartTime`/`EndTime` (else the first segment's
//! `EarliestStartTime`/`LatestEndTime`) → startDate/endDate; the first `Produced` material
//! requirement → product (`MaterialDefinitionID` as the material's erpId, else its path),
//! quantity and unit (by name, else symbol); `Consumed` requirements in document order → the
//! bill of materials (a material listed again is merged into its first item, quantities
//! added); production parameters → property values. Everything else is ignored and listed in
//! the row's notes.

use quick_xml::events::Event;
use quick_xml::reader::Reader;
use serde_json::{json, Map, Value as Json};
use shopfloor_core::errors::{CoreError, CoreResult};
use std::io::BufRead;

mod write;

pub use write::{performance, schedule};

const ROOTS: [&str; 2] = ["SyncProductionSchedule", "ProcessProductionSchedule"];
/// The deepest element nesting accepted (B2MML schedules nest about ten levels).
pub const MAX_DEPTH: usize = 64;
/// The most elements one `ProductionRequest` may hold.
pub const MAX_REQUEST_ELEMENTS: usize = 100_000;
/// The most attributes one element may have.
pub const MAX_ATTRIBUTES: usize = 64;
const NAMESPACE: &str = "http://www.mesa.org/xml/B2MML";

#[derive(Debug, Default)]
struct Node {
    name: String,
    text: String,
    children: Vec<Node>,
}

impl Node {
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    fn text_of(&self, name: &str) -> Option<String> {
        self.child(name).map(|c| c.text.trim().to_string()).filter(|t| !t.is_empty())
    }
}

fn file_error(message: impl Into<String>) -> CoreError {
    CoreError::field("data", format!("malformed B2MML import file: {}", message.into()))
}

/// Calls `each(n, order)` for every `ProductionRequest` of the document read from `input`.
pub fn for_each_request(input: impl BufRead, each: &mut dyn FnMut(u64, Json) -> CoreResult<()>) -> CoreResult<()> {
    let mut reader = Reader::from_reader(input);
    reader.config_mut().trim_text(true);
    let mut open: Vec<String> = Vec::new();
    let mut tree: Vec<Node> = Vec::new();
    let mut n = 0u64;
    let mut root_seen = false;
    // Elements of the current request, against MAX_REQUEST_ELEMENTS.
    let mut elements = 0usize;
    // The bytes of the current event (markup or text), reused from one event to the next.
    let mut buf: Vec<u8> = Vec::new();
    loop {
        buf.clear();
        let event = reader
            .read_event_into(&mut buf)
            .map_err(|e| file_error(format!("{e} (byte {})", reader.error_position())))?;
        match event {
            Event::DocType(_) => return Err(file_error("a DOCTYPE declaration is not accepted (no DTDs, no entity definitions)")),
            Event::Start(ref e) | Event::Empty(ref e) => {
                check_element(e, open.len() + 1, &reader)?;
                if !tree.is_empty() {
                    elements += 1;
                    if elements > MAX_REQUEST_ELEMENTS {
                        return Err(file_error(format!(
                            "a ProductionRequest has more than {MAX_REQUEST_ELEMENTS} elements (the limit)"
                        )));
                    }
                }
                match event {
                    Event::Start(e) => start(e, &mut open, &mut tree, &mut root_seen)?,
                    Event::Empty(e) => empty(e, &mut tree, &mut root_seen)?,
                    _ => unreachable!("matched above"),
                }
            }
            Event::End(_) => {
                open.pop();
                if let Some(node) = tree.pop() {
                    match tree.last_mut() {
                        Some(parent) => parent.children.push(node),
                        None => {
                            n += 1;
                            elements = 0;
                            each(n, map_request(&node))?;
                        }
                    }
                }
            }
            Event::Text(t) => {
                let text = t
                    .unescape()
                    .map_err(|e| file_error(format!("{e} (byte {})", reader.buffer_position())))?;
                if let Some(node) = tree.last_mut() {
                    node.text.push_str(&text);
                }
            }
            Event::CData(c) => {
                if let Some(node) = tree.last_mut() {
                    node.text.push_str(&String::from_utf8_lossy(&c.into_inner()));
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if !root_seen {
        return Err(file_error("the document has no root element"));
    }
    if let Some(inner) = open.last() {
        return Err(file_error(format!("the document ends inside <{inner}>")));
    }
    Ok(())
}

/// Refuses an element nested deeper than [`MAX_DEPTH`], with more than [`MAX_ATTRIBUTES`]
/// attributes, or with an attribute that is not well-formed (a duplicate name among them).
fn check_element<R>(e: &quick_xml::events::BytesStart, depth: usize, reader: &Reader<R>) -> CoreResult<()> {
    if depth > MAX_DEPTH {
        return Err(file_error(format!(
            "elements are nested more than {MAX_DEPTH} levels deep (the limit)"
        )));
    }
    for (i, attribute) in e.attributes().enumerate() {
        if i >= MAX_ATTRIBUTES {
            return Err(file_error(format!(
                "an element has more than {MAX_ATTRIBUTES} attributes (the limit)"
            )));
        }
        attribute.map_err(|err| file_error(format!("{err} (byte {})", reader.buffer_position())))?;
    }
    Ok(())
}

/// An element opens: the root is checked; inside a request it becomes a node of its tree.
fn start(e: quick_xml::events::BytesStart, open: &mut Vec<String>, tree: &mut Vec<Node>, root_seen: &mut bool) -> CoreResult<()> {
    if !*root_seen {
        open.push(root_name(e.local_name().as_ref())?);
        *root_seen = true;
        return Ok(());
    }
    let name = String::from_utf8_lossy(e.local_name().as_ref()).to_string();
    if !tree.is_empty() || name == "ProductionRequest" {
        tree.push(Node {
            name: name.clone(),
            ..Node::default()
        });
    }
    open.push(name);
    Ok(())
}

/// An empty element (`<X/>`): the root is checked; inside a request it is a leaf node.
fn empty(e: quick_xml::events::BytesStart, tree: &mut [Node], root_seen: &mut bool) -> CoreResult<()> {
    if !*root_seen {
        root_name(e.local_name().as_ref())?;
        *root_seen = true;
        return Ok(());
    }
    if let Some(parent) = tree.last_mut() {
        parent.children.push(Node {
            name: String::from_utf8_lossy(e.local_name().as_ref()).to_string(),
            ..Node::default()
        });
    }
    Ok(())
}

fn root_name(local: &[u8]) -> CoreResult<String> {
    let name = String::from_utf8_lossy(local).to_string();
    if ROOTS.contains(&name.as_str()) {
        Ok(name)
    } else {
        Err(file_error(format!(
            "the root element is <{name}>; expected SyncProductionSchedule or ProcessProductionSchedule"
        )))
    }
}

fn priority(text: &str) -> String {
    match text.trim().parse::<i64>() {
        Ok(p) if p <= 1 => "URGENT".into(),
        Ok(2) => "HIGH".into(),
        Ok(3) => "NORMAL".into(),
        Ok(_) => "LOW".into(),
        Err(_) => text.trim().to_ascii_uppercase(),
    }
}

fn priority_number(p: &str) -> &'static str {
    match p {
        "URGENT" => "1",
        "HIGH" => "2",
        "LOW" => "4",
        _ => "3",
    }
}

struct Mapped {
    row: Map<String, Json>,
    items: Vec<Map<String, Json>>,
    values: Map<String, Json>,
    notes: Vec<String>,
    quantity: Option<f64>,
}

impl Mapped {
    fn note(&mut self, note: String) {
        if !self.notes.contains(&note) {
            self.notes.push(note);
        }
    }
}

/// One `ProductionRequest` as an import row (with `importNotes` listing what was ignored).
fn map_request(request: &Node) -> Json {
    let mut m = Mapped {
        row: Map::new(),
        items: Vec::new(),
        values: Map::new(),
        notes: Vec::new(),
        quantity: None,
    };
    for c in &request.children {
        match c.name.as_str() {
            "ID" => {
                m.row.insert("name".into(), json!(c.text.trim()));
            }
            "Description" => {
                m.row.insert("notes".into(), json!(c.text.trim()));
            }
            "Priority" => {
                m.row.insert("schedulePriority".into(), json!(priority(&c.text)));
            }
            "StartTime" => {
                m.row.insert("startDate".into(), json!(c.text.trim()));
            }
            "EndTime" => {
                m.row.insert("endDate".into(), json!(c.text.trim()));
            }
            "SegmentRequirement" | "ProductionParameter" | "MaterialRequirement" => {}
            other => m.note(format!("ignored ProductionRequest/{other}")),
        }
    }
    // Produced first, so that consumed quantities can be related to the order quantity.
    walk(request, "ProductionRequest", &mut m, true);
    walk(request, "ProductionRequest", &mut m, false);
    if let Some(first) = request.child("SegmentRequirement") {
        for (element, key) in [("EarliestStartTime", "startDate"), ("LatestEndTime", "endDate")] {
            if let (Some(t), false) = (first.text_of(element), m.row.contains_key(key)) {
                m.row.insert(key.into(), json!(t));
            }
        }
    }
    let mut row = m.row;
    if !m.items.is_empty() {
        let items = m
            .items
            .into_iter()
            .map(|mut item| {
                if let (Some(q), Some(total)) = (m.quantity.filter(|q| *q > 0.0), item.get("quantityOrder").and_then(Json::as_f64)) {
                    item.insert("quantityPerProducedUnit".into(), json!(total / q));
                }
                Json::Object(item)
            })
            .collect();
        row.insert("billOfMaterials".into(), Json::Array(items));
    }
    if !m.values.is_empty() {
        row.insert("propertyValues".into(), Json::Object(m.values));
    }
    if !m.notes.is_empty() {
        row.insert("importNotes".into(), json!(m.notes));
    }
    Json::Object(row)
}

fn quantity_of(requirement: &Node) -> (Option<String>, Option<String>) {
    match requirement.child("Quantity") {
        Some(q) => (q.text_of("QuantityString"), q.text_of("UnitOfMeasure")),
        None => (None, None),
    }
}

/// Visits the material requirements and parameters of a request and its (nested) segments.
fn walk(node: &Node, path: &str, m: &mut Mapped, produced_pass: bool) {
    for c in &node.children {
        let here = format!("{path}/{}", c.name);
        match c.name.as_str() {
            "SegmentRequirement" => {
                if !produced_pass {
                    for s in &c.children {
                        if !matches!(
                            s.name.as_str(),
                            "SegmentRequirement" | "MaterialRequirement" | "ProductionParameter" | "EarliestStartTime" | "LatestEndTime"
                        ) {
                            m.note(format!("ignored {}/{}", generic(&here), s.name));
                        }
                    }
                }
                walk(c, &here, m, produced_pass);
            }
            "MaterialRequirement" => requirement(c, &here, m, produced_pass),
            "ProductionParameter" if !produced_pass => {
                let parameters: Vec<&Node> = match c.child("Parameter") {
                    Some(_) => c.all("Parameter").collect(),
                    None => vec![c],
                };
                for p in parameters {
                    let Some(id) = p.text_of("ID") else {
                        m.note(format!("ignored {} without ID", generic(&here)));
                        continue;
                    };
                    let value = p.child("Value").and_then(|v| v.text_of("ValueString"));
                    if m.values.contains_key(&id) {
                        m.note(format!("parameter {id} given more than once; the last value is used"));
                    }
                    m.values.insert(id, value.map(Json::String).unwrap_or(Json::Null));
                }
            }
            _ => {}
        }
    }
}

/// `ProductionRequest/SegmentRequirement/SegmentRequirement/X` → one spelling per element.
fn generic(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        if out.last() != Some(&part) {
            out.push(part);
        }
    }
    out.join("/")
}

fn requirement(r: &Node, path: &str, m: &mut Mapped, produced_pass: bool) {
    let usage = r.text_of("MaterialUse");
    let material = r.text_of("MaterialDefinitionID");
    let (quantity, unit) = quantity_of(r);
    match (usage.as_deref(), produced_pass) {
        (Some("Produced"), true) => {
            if m.row.contains_key("productDefinitionId") {
                m.note(format!("a second Produced material ({}) was ignored", material.unwrap_or_default()));
                return;
            }
            if let Some(material) = material {
                m.row.insert("productDefinitionId".into(), json!(material));
            }
            if let Some(q) = quantity {
                m.quantity = q.parse::<f64>().ok();
                m.row.insert("quantity".into(), json!(q));
            }
            if let Some(u) = unit {
                m.row.insert("unitOfMeasure".into(), json!(u));
            }
        }
        (Some("Consumed"), false) => {
            let Some(material) = material else {
                m.note(format!("ignored a {} without MaterialDefinitionID", generic(path)));
                return;
            };
            let amount = quantity.as_deref().and_then(|q| q.parse::<f64>().ok());
            if let Some(existing) = m.items.iter_mut().find(|i| i.get("materialDefinitionId") == Some(&json!(material))) {
                let before = existing.get("quantityOrder").and_then(Json::as_f64).unwrap_or(0.0);
                existing.insert("quantityOrder".into(), json!(before + amount.unwrap_or(0.0)));
                let note = format!("material {material} is consumed more than once; its quantities were added into one item");
                m.note(note);
            } else {
                let mut item = Map::new();
                item.insert("materialDefinitionId".into(), json!(material));
                if let Some(a) = amount {
                    item.insert("quantityOrder".into(), json!(a));
                } else if let Some(q) = quantity {
                    item.insert("quantityOrder".into(), json!(q));
                }
                if let Some(u) = unit {
                    item.insert("unitOfMeasure".into(), json!(u));
                }
                m.items.push(item);
            }
            for c in &r.children {
                if !matches!(c.name.as_str(), "MaterialDefinitionID" | "MaterialUse" | "Quantity") {
                    m.note(format!("ignored {}/{}", generic(path), c.name));
                }
            }
        }
        (Some("Produced"), false) | (Some("Consumed"), true) => {}
        (other, false) => m.note(format!(
            "ignored a {} with MaterialUse {} ({})",
            generic(path),
            other.unwrap_or("missing"),
            material.unwrap_or_default()
        )),
        (_, true) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> CoreResult<Vec<Json>> {
        let mut out = Vec::new();
        for_each_request(text.as_bytes(), &mut |_, r| {
            out.push(r);
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn entities_and_doctypes_are_never_processed() {
        let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><SyncProductionSchedule><DataArea><ProductionSchedule><ProductionRequest><ID>&lol2;</ID></ProductionRequest></ProductionSchedule></DataArea></SyncProductionSchedule>"#;
        let e = rows(laughs).unwrap_err();
        assert!(
            e.to_string().contains("validation") && format!("{e:?}").contains("DOCTYPE"),
            "{e:?}"
        );
        let external = r#"<SyncProductionSchedule><DataArea><ProductionSchedule><ProductionRequest><ID>&xxe;</ID></ProductionRequest></ProductionSchedule></DataArea></SyncProductionSchedule>"#;
        assert!(rows(external).is_err(), "an undefined entity is an error, never looked up");
    }

    #[test]
    fn broken_documents_are_refused() {
        for bad in [
            "",
            "<Other/>",
            "<SyncProductionSchedule><DataArea>",
            "<SyncProductionSchedule><a></b></SyncProductionSchedule>",
            "not xml",
        ] {
            assert!(rows(bad).is_err(), "{bad:?}");
        }
        assert_eq!(rows("<ProcessProductionSchedule/>").unwrap().len(), 0);
    }

    fn limit_error(text: &str) -> String {
        format!("{:?}", rows(text).unwrap_err())
    }

    #[test]
    fn deep_nesting_is_refused_at_the_limit_without_exhausting_the_stack() {
        // 50,000 levels inside a request aborted the process before the depth limit existed.
        let depth = 50_000;
        let deep = format!(
            "<SyncProductionSchedule><ProductionRequest>{}{}</ProductionRequest></SyncProductionSchedule>",
            "<a>".repeat(depth),
            "</a>".repeat(depth)
        );
        assert!(limit_error(&deep).contains("nested more than 64 levels"));
        let ok = format!(
            "<SyncProductionSchedule><ProductionRequest><ID>x</ID>{}{}</ProductionRequest></SyncProductionSchedule>",
            "<a>".repeat(MAX_DEPTH - 3),
            "</a>".repeat(MAX_DEPTH - 3)
        );
        assert_eq!(rows(&ok).unwrap().len(), 1);
    }

    #[test]
    fn attributes_must_be_well_formed_and_few() {
        let duplicate = r#"<SyncProductionSchedule><ProductionRequest a="1" a="2"><ID>x</ID></ProductionRequest></SyncProductionSchedule>"#;
        assert!(limit_error(duplicate).contains("malformed B2MML"));
        let many: String = (0..=MAX_ATTRIBUTES).map(|i| format!(" a{i}=\"1\"")).collect();
        let text = format!("<SyncProductionSchedule><ProductionRequest{many}><ID>x</ID></ProductionRequest></SyncProductionSchedule>");
        assert!(limit_error(&text).contains("more than 64 attributes"));
    }

    #[test]
    fn a_request_with_too_many_elements_is_refused() {
        let text = format!(
            "<SyncProductionSchedule><ProductionRequest>{}</ProductionRequest></SyncProductionSchedule>",
            "<x/>".repeat(MAX_REQUEST_ELEMENTS + 1)
        );
        assert!(limit_error(&text).contains("more than 100000 elements"));
    }
}
