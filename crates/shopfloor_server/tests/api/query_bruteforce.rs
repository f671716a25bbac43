//! `findProductionOrders` against a brute-force model: a few thousand varied orders are saved,
//! read back with `getAllProductionOrders`, and every query's answer is compared with the
//! filter + sort + page computed here in Rust from query.md and the SQL semantics:
//! text compares case-insensitively, `%` and `_` are literal, NOT_EQUALS / NOT_IN also match
//! nulls (no other condition does), nulls sort first ascending and last descending, ties are
//! broken by `id` in the direction of the last sort key (ascending without sort).

use crate::helpers::{spawn_app, TestApp};
use futures_util::stream::{self, StreamExt};
use serde_json::{json, Value};
use shopfloor_core::time::Timestamp;
use std::cmp::Ordering;
use std::collections::HashMap;

const ORDERS: usize = 1500;
const PARALLEL: usize = 16;
/// Unpaged queries matching more rows than this are checked page by page (see `Checker::check`).
const FULL_LIMIT: u64 = 60;

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// How a field compares: `Text` case-insensitively (names, free text, derived names), `Exact`
/// in canonical spelling (enums, ids), numbers, timestamps, booleans.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Ty {
    Text,
    Exact,
    Num,
    Date,
    Bool,
}

const FIELDS: &[(&str, Ty)] = &[
    ("id", Ty::Exact),
    ("name", Ty::Text),
    ("productId", Ty::Exact),
    ("customerId", Ty::Exact),
    ("locationId", Ty::Exact),
    ("status", Ty::Exact),
    ("schedulePriority", Ty::Exact),
    ("quantity", Ty::Num),
    ("quantityProduced", Ty::Num),
    ("quantityScheduled", Ty::Num),
    ("startDate", Ty::Date),
    ("endDate", Ty::Date),
    ("dueDate", Ty::Date),
    ("unitOfMeasureId", Ty::Exact),
    ("enabled", Ty::Bool),
    ("notes", Ty::Text),
    ("spare1", Ty::Text),
    ("createdDate", Ty::Date),
    ("modifiedDate", Ty::Date),
    ("version", Ty::Num),
    ("productName", Ty::Text),
    ("productPath", Ty::Text),
    ("customerName", Ty::Text),
    ("locationName", Ty::Text),
    ("locationPath", Ty::Text),
    ("unitOfMeasureName", Ty::Text),
    ("unitOfMeasureSymbol", Ty::Text),
];

fn ty(field: &str) -> Ty {
    FIELDS
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, t)| *t)
        .unwrap_or_else(|| panic!("field {field} is not modelled"))
}

#[derive(Clone, Debug, PartialEq)]
enum V {
    Null,
    S(String),
    N(f64),
    B(bool),
}

fn millis(text: &str) -> i64 {
    Timestamp::parse(text)
        .unwrap_or_else(|e| panic!("bad timestamp in output: {e}"))
        .millis()
}

/// One stored order: its JSON and its typed field values.
struct Row {
    json: Value,
    id: String,
    vals: HashMap<&'static str, V>,
}

impl Row {
    fn new(json: Value) -> Row {
        let mut vals = HashMap::new();
        for (field, t) in FIELDS {
            let v = match (t, &json[*field]) {
                (_, Value::Null) => V::Null,
                (Ty::Date, Value::String(s)) => V::N(millis(s) as f64),
                (Ty::Num, Value::Number(n)) => V::N(n.as_f64().unwrap()),
                (Ty::Bool, Value::Bool(b)) => V::B(*b),
                (Ty::Text | Ty::Exact, Value::String(s)) => V::S(s.clone()),
                (t, other) => panic!("{field} ({t:?}) has unexpected value {other}"),
            };
            vals.insert(*field, v);
        }
        let id = json["id"].as_str().expect("id").to_string();
        Row { json, id, vals }
    }

    fn get(&self, field: &str) -> &V {
        &self.vals[field]
    }
}

#[derive(Clone, Debug)]
enum Op {
    None,
    S(String),
    N(f64),
    D(i64),
    B(bool),
    NRange(f64, f64),
    DRange(i64, i64),
    SList(Vec<String>),
    NList(Vec<f64>),
    DList(Vec<i64>),
}

#[derive(Clone, Debug)]
struct Filter {
    field: &'static str,
    cond: &'static str,
    op: Op,
}

fn f(field: &'static str, cond: &'static str, op: Op) -> Filter {
    Filter { field, cond, op }
}

/// Dates go out as RFC 3339 text or as epoch milliseconds; both are accepted.
fn date_json(ms: i64) -> Value {
    if ms % 2 == 0 {
        json!(Timestamp(ms).to_string())
    } else {
        json!(ms)
    }
}

/// The condition as sent: canonical, or in one of the accepted spellings.
fn spelled(cond: &str, variant: usize) -> String {
    match variant % 3 {
        0 => cond.to_string(),
        1 => cond.to_lowercase(),
        _ => cond.replace('_', " ").to_lowercase(),
    }
}

impl Filter {
    fn to_json(&self, variant: usize) -> Value {
        let mut m = json!({"field": self.field, "condition": spelled(self.cond, variant)});
        match &self.op {
            Op::None => {}
            Op::S(s) => m["stringValue"] = json!(s),
            Op::N(n) if variant % 4 == 3 => m["numberValue"] = json!(n.to_string()),
            Op::N(n) => m["numberValue"] = json!(n),
            Op::D(d) => m["dateValue"] = date_json(*d),
            Op::B(b) => m["booleanValue"] = json!(b),
            Op::NRange(a, b) => {
                m["minNumberValue"] = json!(a);
                m["maxNumberValue"] = json!(b);
            }
            Op::DRange(a, b) => {
                m["minDateValue"] = date_json(*a);
                m["maxDateValue"] = date_json(*b);
            }
            Op::SList(l) => m["stringListValue"] = json!(l),
            Op::NList(l) => m["numberListValue"] = json!(l),
            Op::DList(l) => m["dateListValue"] = Value::Array(l.iter().map(|d| date_json(*d)).collect()),
        }
        m
    }

    /// The model: does `row` match?
    fn matches(&self, row: &Row) -> bool {
        let t = ty(self.field);
        let v = row.get(self.field);
        let null = *v == V::Null;
        let eq = |op: &Op| -> bool {
            match (v, op) {
                (V::S(a), Op::S(b)) if t == Ty::Text => a.to_lowercase() == b.to_lowercase(),
                (V::S(a), Op::S(b)) => a.eq_ignore_ascii_case(b),
                (V::N(a), Op::N(b)) => a == b,
                (V::N(a), Op::D(b)) => *a == *b as f64,
                (V::B(a), Op::B(b)) => a == b,
                (V::Null, _) => false,
                _ => panic!("operand {op:?} does not fit {} = {v:?}", self.field),
            }
        };
        let num = |op: &Op| -> f64 {
            match op {
                Op::N(n) => *n,
                Op::D(d) => *d as f64,
                _ => panic!("{op:?} is not a number or date"),
            }
        };
        let cmp = |op: &Op| -> Option<Ordering> {
            match v {
                V::N(a) => a.partial_cmp(&num(op)),
                V::Null => None,
                other => panic!("ordering on {other:?}"),
            }
        };
        let text = |op: &Op| -> (String, String) {
            match (v, op) {
                (V::S(a), Op::S(b)) => (a.to_lowercase(), b.to_lowercase()),
                _ => panic!("text condition on {v:?} / {op:?}"),
            }
        };
        let list = |op: &Op| -> Vec<Op> {
            match op {
                Op::SList(l) => l.iter().map(|s| Op::S(s.clone())).collect(),
                Op::NList(l) => l.iter().map(|n| Op::N(*n)).collect(),
                Op::DList(l) => l.iter().map(|d| Op::D(*d)).collect(),
                other => panic!("{other:?} is not a list"),
            }
        };
        match self.cond {
            "IS_NULL" => null,
            "IS_NOT_NULL" => !null,
            "TRUE" => *v == V::B(true),
            "FALSE" => *v == V::B(false),
            "EQUALS" => !null && eq(&self.op),
            "NOT_EQUALS" => null || !eq(&self.op),
            "IN" => !null && list(&self.op).iter().any(eq),
            "NOT_IN" => null || !list(&self.op).iter().any(eq),
            "CONTAINS" => {
                !null && {
                    let (a, b) = text(&self.op);
                    a.contains(&b)
                }
            }
            "STARTS_WITH" => {
                !null && {
                    let (a, b) = text(&self.op);
                    a.starts_with(&b)
                }
            }
            "ENDS_WITH" => {
                !null && {
                    let (a, b) = text(&self.op);
                    a.ends_with(&b)
                }
            }
            "GREATER_THAN" => cmp(&self.op) == Some(Ordering::Greater),
            "GREATER_THAN_OR_EQUAL_TO" => matches!(cmp(&self.op), Some(Ordering::Greater | Ordering::Equal)),
            "LESS_THAN" => cmp(&self.op) == Some(Ordering::Less),
            "LESS_THAN_OR_EQUAL_TO" => matches!(cmp(&self.op), Some(Ordering::Less | Ordering::Equal)),
            "BETWEEN" => match (&self.op, v) {
                (Op::NRange(lo, hi), V::N(a)) => lo <= a && a <= hi,
                (Op::DRange(lo, hi), V::N(a)) => *lo as f64 <= *a && *a <= *hi as f64,
                (_, V::Null) => false,
                other => panic!("BETWEEN on {other:?}"),
            },
            other => panic!("condition {other} is not modelled"),
        }
    }
}

/// Sort order of a field's values: the schedule priority by rank (its values in rank order),
/// every other field by [`cmp_v`].
fn cmp_sort(field: &str, a: &V, b: &V) -> Ordering {
    if field != "schedulePriority" {
        return cmp_v(a, b);
    }
    let rank = |v: &V| match v {
        V::S(s) => PRIORITY.iter().position(|p| p == s).expect("a known priority"),
        other => panic!("priority {other:?}"),
    };
    rank(a).cmp(&rank(b))
}

/// The schedule priorities in rank order (LOW < NORMAL < HIGH < URGENT).
const PRIORITY: &[&str] = &["LOW", "NORMAL", "HIGH", "URGENT"];

/// Stored order of values: nulls first, text by code point (SQLite BINARY), numbers, booleans.
fn cmp_v(a: &V, b: &V) -> Ordering {
    match (a, b) {
        (V::Null, V::Null) => Ordering::Equal,
        (V::Null, _) => Ordering::Less,
        (_, V::Null) => Ordering::Greater,
        (V::S(x), V::S(y)) => x.cmp(y),
        (V::N(x), V::N(y)) => x.partial_cmp(y).expect("finite numbers"),
        (V::B(x), V::B(y)) => x.cmp(y),
        other => panic!("comparing {other:?}"),
    }
}

#[derive(Clone, Debug, Default)]
struct Q {
    filters: Vec<Filter>,
    sort: Vec<(&'static str, bool)>,
    page: Option<(u64, u64)>,
    /// How sort directions and conditions are spelled.
    style: usize,
}

impl Q {
    fn filtered(filters: Vec<Filter>) -> Q {
        Q { filters, ..Q::default() }
    }

    fn request(&self) -> Value {
        let mut r = json!({});
        if !self.filters.is_empty() {
            let filters: Vec<Value> = self.filters.iter().enumerate().map(|(i, f)| f.to_json(self.style + i)).collect();
            r["filters"] = json!(filters);
        }
        if !self.sort.is_empty() {
            r["sortFields"] = json!(self.sort.iter().map(|(f, _)| *f).collect::<Vec<_>>());
            let all_same = self.sort.iter().all(|(_, d)| *d == self.sort[0].1);
            if all_same && self.style % 5 == 4 {
                r["sortDirection"] = json!(if self.sort[0].1 { "Descending" } else { "Ascending" });
            } else if !(self.style % 5 == 3 && self.sort.iter().all(|(_, d)| !d)) {
                // (style 3 with all-ascending keys sends no directions: the default is ascending)
                let dirs: Vec<&str> = self
                    .sort
                    .iter()
                    .map(|(_, d)| match (self.style % 3, d) {
                        (0, false) => "asc",
                        (0, true) => "desc",
                        (1, false) => "Ascending",
                        (1, true) => "Descending",
                        (_, false) => "ASC",
                        (_, true) => "DESC",
                    })
                    .collect();
                r["sortDirections"] = json!(dirs);
            }
        }
        if let Some((size, index)) = self.page {
            r["pageSize"] = json!(size);
            r["pageIndex"] = json!(index);
        }
        r
    }

    /// The model's answer: matching rows, sorted.
    fn expected<'a>(&self, rows: &'a [Row]) -> Vec<&'a Row> {
        let mut out: Vec<&Row> = rows.iter().filter(|r| self.filters.iter().all(|f| f.matches(r))).collect();
        let last_desc = self.sort.last().is_some_and(|(_, d)| *d);
        out.sort_by(|a, b| {
            for (field, desc) in &self.sort {
                let o = cmp_sort(field, a.get(field), b.get(field));
                let o = if *desc { o.reverse() } else { o };
                if o != Ordering::Equal {
                    return o;
                }
            }
            let o = a.id.cmp(&b.id);
            if last_desc {
                o.reverse()
            } else {
                o
            }
        });
        out
    }
}

struct Checker<'a> {
    app: &'a TestApp,
    rows: &'a [Row],
    queries: usize,
}

impl Checker<'_> {
    /// Checks `q` against the model and returns the number of matches. Rows cost time on the
    /// wire (debug builds), so an unpaged query matching many rows is checked as two or three
    /// small pages of it instead (first, last, sometimes one between): count, order, envelopes.
    async fn check(&mut self, q: &Q) -> usize {
        let expected = q.expected(self.rows);
        let n = expected.len() as u64;
        if q.page.is_some() || n <= FULL_LIMIT {
            return self.check_against(q, &expected).await;
        }
        let size = 8 + (q.style as u64 % 4) * 3;
        let pages = n.div_ceil(size);
        let mut indexes = vec![0, pages - 1];
        if q.style.is_multiple_of(2) {
            indexes.push(1 + q.style as u64 % (pages - 1));
        }
        for index in indexes {
            let paged = Q {
                page: Some((size, index)),
                ..q.clone()
            };
            self.check_against(&paged, &expected).await;
        }
        n as usize
    }

    /// Runs `q`, compares content and envelope with the model; returns the number of matches.
    async fn check_exact(&mut self, q: &Q) -> usize {
        let expected = q.expected(self.rows);
        self.check_against(q, &expected).await
    }

    /// Like [`Checker::check_exact`], with the model's answer already computed.
    async fn check_against(&mut self, q: &Q, expected: &[&Row]) -> usize {
        self.queries += 1;
        let request = q.request();
        let answer = self.app.ok("productionOrder", "findProductionOrders", request.clone()).await;
        let n = expected.len() as u64;
        let content = answer["content"]
            .as_array()
            .unwrap_or_else(|| panic!("no content for {request}: {answer}"));
        let (rows, envelope): (&[&Row], Value) = match q.page {
            Some((size, index)) => {
                let pages = n.div_ceil(size);
                let start = (size * index).min(n) as usize;
                let end = (size * (index + 1)).min(n) as usize;
                (
                    &expected[start..end],
                    json!({
                        "totalElements": n, "totalPages": pages, "pageSize": size, "pageIndex": index,
                        "hasContent": end > start, "isFirst": index == 0, "isLast": index + 1 >= pages,
                        "hasNext": index + 1 < pages, "hasPrevious": index > 0,
                    }),
                )
            }
            None => (
                expected,
                json!({
                    "totalElements": n, "totalPages": if n == 0 { 0 } else { 1 }, "pageSize": n, "pageIndex": 0,
                    "hasContent": n > 0, "isFirst": true, "isLast": true, "hasNext": false, "hasPrevious": false,
                }),
            ),
        };
        let got_ids: Vec<&str> = content.iter().map(|r| r["id"].as_str().unwrap_or("?")).collect();
        let want_ids: Vec<&str> = rows.iter().map(|r| r.id.as_str()).collect();
        if got_ids != want_ids {
            let first = got_ids
                .iter()
                .zip(&want_ids)
                .position(|(a, b)| a != b)
                .unwrap_or(got_ids.len().min(want_ids.len()));
            let show = |ids: &[&str]| -> Vec<Value> {
                ids.iter()
                    .skip(first)
                    .take(3)
                    .map(|id| {
                        let row = self.rows.iter().find(|r| r.id == *id).expect("known id");
                        let mut shown = json!({"id": id});
                        for (field, _) in &q.sort {
                            shown[*field] = row.json[*field].clone();
                        }
                        for flt in &q.filters {
                            shown[flt.field] = row.json[flt.field].clone();
                        }
                        shown
                    })
                    .collect()
            };
            panic!(
                "query {request}\n  got {} rows, expected {} (of {} matches); first difference at {first}:\n  got      {:?}\n  expected {:?}",
                got_ids.len(),
                want_ids.len(),
                n,
                show(&got_ids),
                show(&want_ids),
            );
        }
        for (got, want) in content.iter().zip(rows) {
            assert_eq!(got, &want.json, "query {request}: a found row differs from getAllProductionOrders");
        }
        for (key, want) in envelope.as_object().unwrap() {
            assert_eq!(&answer[key], want, "query {request}: `{key}` (expected envelope {envelope})");
        }
        expected.len()
    }
}

fn swap_case(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_lowercase() {
                c.to_uppercase().next().unwrap_or(c)
            } else {
                c.to_lowercase().next().unwrap_or(c)
            }
        })
        .collect()
}

/// Master data with mixed case, `%`, `_` and non-ASCII letters in the names.
struct Master {
    units: Vec<String>,
    materials: Vec<String>,
    customers: Vec<String>,
    locations: Vec<String>,
}

async fn master(app: &TestApp) -> Master {
    let id = |v: Value| v["id"].as_str().unwrap().to_string();
    let mut units = vec![];
    for (name, symbol) in [("Each", "ea"), ("Kilogram", "KG"), ("liter_%", "l")] {
        units.push(id(app
            .ok("unitOfMeasure", "saveUnitOfMeasure", json!({"name": name, "symbol": symbol}))
            .await));
    }
    let fg = id(app.ok("material", "saveMaterialClass", json!({"name": "FG"})).await);
    let raw = id(app.ok("material", "saveMaterialClass", json!({"name": "Raw_Mat"})).await);
    let mut materials = vec![];
    for (i, (name, class)) in [
        ("Widget", &fg),
        ("widget%Pro", &fg),
        ("Bolt_M8", &fg),
        ("Äpfel", &raw),
        ("ZETA", &raw),
    ]
    .into_iter()
    .enumerate()
    {
        let m = app
            .ok(
                "material",
                "saveMaterial",
                json!({"name": name, "materialClassId": class, "unitOfMeasureId": units[i % units.len()]}),
            )
            .await;
        materials.push(id(m));
    }
    let mut customers = vec![];
    for name in ["Acme", "ACME Foods", "Big_Co", "100% Dairy", "Ölmühle"] {
        customers.push(id(app.ok("customer", "saveCustomer", json!({"name": name})).await));
    }
    let plant = id(app.ok("location", "saveLocation", json!({"name": "Plant", "type": "SITE"})).await);
    let mut locations = vec![plant.clone()];
    for name in ["Line_1", "Line%2", "line3"] {
        locations.push(id(app
            .ok("location", "saveLocation", json!({"name": name, "parentId": plant, "type": "LINE"}))
            .await));
    }
    let cell = app
        .ok(
            "location",
            "saveLocation",
            json!({"name": "Cell_A", "parentId": locations[1], "type": "CELL"}),
        )
        .await;
    assert_eq!(cell["path"], "Plant/Line_1/Cell_A", "{cell}");
    locations.push(id(cell));
    Master {
        units,
        materials,
        customers,
        locations,
    }
}

const DAY: i64 = 86_400_000;
const JAN_2025: i64 = 1_735_689_600_000;

fn order_data(i: usize, m: &Master, rng: &mut Rng) -> Value {
    const PREFIX: &[&str] = &["Order", "ORDER", "order", "Ord%", "Ord_", "Äuftrag", "x", "Z"];
    const SUFFIX: &[&str] = &["", "_a", "%", "-B", "z", " END"];
    const STATUS: &[&str] = &["IDLE", "SCHEDULED", "RUNNING", "PAUSED", "STOPPED", "CLOSED", "CANCELLED"];
    const QUANTITY: &[f64] = &[0.0, 1.0, 2.5, 10.0, 100.0, 250.0, 999.75, 1000.0];
    const NOTES: &[&str] = &[
        "",
        "Rush %",
        "check_this",
        "NOTE",
        "note",
        "50% done",
        "a_b",
        "Ünïcode",
        "multi word note",
    ];
    let name = format!("{}{i:04}{}", rng.pick(PREFIX), rng.pick(SUFFIX));
    let status = *rng.pick(STATUS);
    let mut data = json!({
        "name": name,
        "productId": rng.pick(&m.materials),
        "unitOfMeasureId": rng.pick(&m.units),
        "status": status,
        "schedulePriority": rng.pick(PRIORITY),
        "quantity": if rng.chance(50) { *rng.pick(QUANTITY) } else { rng.below(5000) as f64 },
        "quantityProduced": if rng.chance(40) { 0.0 } else { rng.below(50) as f64 / 2.0 },
        "quantityScheduled": rng.below(4) as f64 * 10.0,
        "enabled": !rng.chance(15),
    });
    if !rng.chance(30) {
        data["customerId"] = json!(rng.pick(&m.customers));
    }
    if !rng.chance(25) {
        data["locationId"] = json!(rng.pick(&m.locations));
    }
    if !rng.chance(20) {
        // Whole days over ~13 months: many ties.
        data["dueDate"] = date_json(JAN_2025 + rng.below(400) as i64 * DAY);
    }
    if rng.chance(40) {
        // In the past, so the end date set now on entering a final status is never before it.
        data["startDate"] = date_json(JAN_2025 - rng.below(300) as i64 * DAY - rng.below(1000) as i64);
    }
    if !rng.chance(30) {
        data["notes"] = json!(rng.pick(NOTES));
    }
    if rng.chance(10) {
        data["spare1"] = json!(if rng.chance(50) { "X" } else { "spare_%" });
    }
    data
}

fn ids(rows: &[Row], field: &str, n: usize, rng: &mut Rng) -> Vec<String> {
    let values: Vec<&str> = rows.iter().filter_map(|r| r.json[field].as_str()).collect();
    (0..n).map(|_| rng.pick(&values).to_lowercase()).collect()
}

/// A value of `field` from some row that has one.
fn sample<'a>(rows: &'a [Row], field: &str, rng: &mut Rng) -> &'a V {
    loop {
        let v = rows[rng.below(rows.len())].get(field);
        if *v != V::Null {
            return v;
        }
    }
}

fn sample_s(rows: &[Row], field: &str, rng: &mut Rng) -> String {
    match sample(rows, field, rng) {
        V::S(s) => s.clone(),
        other => panic!("{field}: {other:?} is not text"),
    }
}

fn sample_n(rows: &[Row], field: &str, rng: &mut Rng) -> f64 {
    match sample(rows, field, rng) {
        V::N(n) => *n,
        other => panic!("{field}: {other:?} is not a number"),
    }
}

/// Every condition that fits each modelled field, with operands drawn from the data (so
/// boundaries hit stored values) and a few that match nothing.
fn filter_suite(rows: &[Row], rng: &mut Rng) -> Vec<Filter> {
    let mut out = vec![];
    let s = |v: &str| Op::S(v.to_string());
    for (field, t) in FIELDS {
        let field = *field;
        if !matches!(t, Ty::Bool) {
            out.push(f(field, "IS_NULL", Op::None));
            out.push(f(field, "IS_NOT_NULL", Op::None));
        }
        match t {
            Ty::Text => {
                let a = swap_case(&sample_s(rows, field, rng));
                let b = sample_s(rows, field, rng).to_uppercase();
                out.push(f(field, "EQUALS", Op::S(a.clone())));
                out.push(f(field, "EQUALS", s("no such thing")));
                out.push(f(field, "NOT_EQUALS", Op::S(b.clone())));
                out.push(f(field, "IN", Op::SList(vec![a.clone(), b.clone(), "nothing".into()])));
                out.push(f(field, "NOT_IN", Op::SList(vec![a.clone(), b.clone()])));
                // A fragment of a stored value, in the other case.
                let frag: String = a.chars().skip(1).take(3).collect();
                out.push(f(field, "CONTAINS", Op::S(swap_case(&frag))));
                out.push(f(field, "STARTS_WITH", Op::S(a.chars().take(2).collect())));
                let chars: Vec<char> = b.chars().collect();
                let tail: String = chars[chars.len().saturating_sub(3)..].iter().collect();
                out.push(f(field, "ENDS_WITH", Op::S(tail.to_lowercase())));
                // Literal `%` / `_`, non-ASCII folding and empty operands, on the fields whose
                // values contain them.
                let wild = ["name", "notes", "locationPath", "customerName", "productName", "spare1"].contains(&field);
                let (contains, starts, ends): (&[&str], &[&str], &[&str]) = if wild {
                    (
                        &["%", "_", "ORD_", "äu", "e", ""],
                        &["ord%", "ORD_", "z", "plant/line_", "ä", "100%", ""],
                        &["%", "_a", " end", "Z", "_1", "e", ""],
                    )
                } else {
                    (&["_", "%"], &[""], &[""])
                };
                for op in contains {
                    out.push(f(field, "CONTAINS", s(op)));
                }
                for op in starts {
                    out.push(f(field, "STARTS_WITH", s(op)));
                }
                for op in ends {
                    out.push(f(field, "ENDS_WITH", s(op)));
                }
            }
            Ty::Exact => {
                let sampled = sample_s(rows, field, rng);
                let other = sample_s(rows, field, rng);
                // Enums and ids are accepted in any letter case.
                out.push(f(field, "EQUALS", Op::S(sampled.to_lowercase())));
                out.push(f(field, "NOT_EQUALS", Op::S(sampled.clone())));
                out.push(f(field, "IN", Op::SList(vec![sampled.to_lowercase(), other.clone()])));
                out.push(f(field, "NOT_IN", Op::SList(vec![sampled.clone(), other.to_lowercase()])));
                // String conditions are case-insensitive on every string field.
                let frag: String = sampled.chars().skip(2).take(3).collect();
                out.push(f(field, "CONTAINS", Op::S(frag.to_lowercase())));
                out.push(f(field, "CONTAINS", Op::S(frag)));
                out.push(f(
                    field,
                    "STARTS_WITH",
                    Op::S(sampled.chars().take(3).collect::<String>().to_lowercase()),
                ));
                let chars: Vec<char> = sampled.chars().collect();
                let tail: String = chars[chars.len().saturating_sub(2)..].iter().collect();
                out.push(f(field, "ENDS_WITH", Op::S(tail.to_lowercase())));
            }
            Ty::Num | Ty::Date => {
                let one = |rng: &mut Rng| -> Op {
                    let n = sample_n(rows, field, rng);
                    if *t == Ty::Date {
                        Op::D(n as i64)
                    } else {
                        Op::N(n)
                    }
                };
                for cond in [
                    "EQUALS",
                    "NOT_EQUALS",
                    "GREATER_THAN",
                    "GREATER_THAN_OR_EQUAL_TO",
                    "LESS_THAN",
                    "LESS_THAN_OR_EQUAL_TO",
                ] {
                    out.push(f(field, cond, one(rng)));
                }
                let (a, b) = (sample_n(rows, field, rng), sample_n(rows, field, rng));
                let (lo, hi) = (a.min(b), a.max(b));
                let (l1, l2, l3) = (sample_n(rows, field, rng), sample_n(rows, field, rng), sample_n(rows, field, rng));
                if *t == Ty::Date {
                    out.push(f(field, "BETWEEN", Op::DRange(lo as i64, hi as i64)));
                    out.push(f(field, "BETWEEN", Op::DRange(hi as i64 + 1, hi as i64 + 2)));
                    out.push(f(field, "IN", Op::DList(vec![l1 as i64, l2 as i64, l3 as i64])));
                    out.push(f(field, "NOT_IN", Op::DList(vec![l1 as i64, l2 as i64])));
                    out.push(f(field, "GREATER_THAN", Op::D(JAN_2025 + 10_000 * DAY)));
                } else {
                    out.push(f(field, "BETWEEN", Op::NRange(lo, hi)));
                    out.push(f(field, "BETWEEN", Op::NRange(lo, lo)));
                    out.push(f(field, "IN", Op::NList(vec![l1, l2, l3, -1.0])));
                    out.push(f(field, "NOT_IN", Op::NList(vec![l1, l2])));
                    out.push(f(field, "LESS_THAN", Op::N(-0.5)));
                }
            }
            Ty::Bool => {
                out.push(f(field, "TRUE", Op::None));
                out.push(f(field, "FALSE", Op::None));
                out.push(f(field, "EQUALS", Op::B(false)));
                out.push(f(field, "NOT_EQUALS", Op::B(false)));
                out.push(f(field, "IS_NULL", Op::None));
                out.push(f(field, "IS_NOT_NULL", Op::None));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn find_agrees_with_a_brute_force_model() {
    let started = std::time::Instant::now();
    let app = spawn_app().await;
    let m = master(&app).await;
    let mut rng = Rng(0x005E_ED0F_5407_F100);

    // Fast fill: PARALLEL saves at a time (the writer groups their commits).
    let bodies: Vec<Value> = (0..ORDERS).map(|i| order_data(i, &m, &mut rng)).collect();
    let saved: Vec<Value> = stream::iter(bodies.clone())
        .map(|body| {
            let app = &app;
            async move { app.ok("productionOrder", "saveProductionOrder", body).await }
        })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    assert_eq!(saved.len(), ORDERS);
    // Some updates, so that modifiedDate / version vary (notes stay editable in every status).
    let mut updates: Vec<Value> = vec![];
    for o in &saved {
        if rng.chance(10) {
            let notes = if rng.chance(50) { json!("Edited_%") } else { json!(null) };
            updates.push(json!({"id": o["id"], "notes": notes}));
        }
    }
    stream::iter(updates)
        .map(|body| {
            let app = &app;
            async move { app.ok("productionOrder", "saveProductionOrder", body).await }
        })
        .buffer_unordered(PARALLEL)
        .collect::<Vec<_>>()
        .await;
    let filled = started.elapsed();

    let all = app.ok("productionOrder", "getAllProductionOrders", json!([])).await;
    let rows: Vec<Row> = all.as_array().expect("list").iter().cloned().map(Row::new).collect();
    assert_eq!(rows.len(), ORDERS);
    // The data exercises what it should.
    for field in ["dueDate", "customerId", "locationPath", "notes", "startDate", "modifiedDate"] {
        let nulls = rows.iter().filter(|r| *r.get(field) == V::Null).count();
        assert!(nulls > 0 && nulls < ORDERS, "{field}: {nulls} nulls");
    }

    let mut checker = Checker {
        app: &app,
        rows: &rows,
        queries: 0,
    };

    // 1. Every condition on every field, unpaged, no sort (ties by id ascending).
    let suite = filter_suite(&rows, &mut rng);
    let mut matched = vec![];
    for (i, flt) in suite.iter().enumerate() {
        let q = Q {
            style: i,
            ..Q::filtered(vec![flt.clone()])
        };
        matched.push(checker.check(&q).await);
    }
    // Both sides of the suite: conditions that match nothing, some and everything.
    assert!(matched.contains(&0) && matched.contains(&ORDERS), "{matched:?}");
    assert!(matched.iter().filter(|n| **n > 0 && **n < ORDERS).count() > suite.len() / 2);

    // 2. Combinations (AND).
    let combos = vec![
        vec![
            f("status", "IN", Op::SList(vec!["running".into(), "PAUSED".into(), "Stopped".into()])),
            f("quantity", "GREATER_THAN_OR_EQUAL_TO", Op::N(100.0)),
            f("name", "CONTAINS", Op::S("%".into())),
        ],
        vec![
            f("locationPath", "STARTS_WITH", Op::S("plant/line_1".into())),
            f("dueDate", "IS_NOT_NULL", Op::None),
            f("enabled", "TRUE", Op::None),
        ],
        vec![
            f("customerName", "NOT_IN", Op::SList(vec!["acme".into(), "BIG_CO".into()])),
            f("notes", "NOT_EQUALS", Op::S("note".into())),
            f("productName", "ENDS_WITH", Op::S("PRO".into())),
        ],
        vec![
            f("schedulePriority", "NOT_EQUALS", Op::S("normal".into())),
            f("dueDate", "BETWEEN", Op::DRange(JAN_2025 + 30 * DAY, JAN_2025 + 200 * DAY)),
            f("quantityProduced", "LESS_THAN", Op::N(10.0)),
        ],
    ];
    for (i, filters) in combos.into_iter().enumerate() {
        checker
            .check(&Q {
                style: i,
                ..Q::filtered(filters)
            })
            .await;
    }

    // 3. Sorts: single and multi-key, both directions, nulls and ties, each paged at a random
    //    page and unpaged.
    let sorts: Vec<Vec<(&str, bool)>> = vec![
        vec![("name", false)],
        vec![("name", true)],
        vec![("dueDate", false)],
        vec![("dueDate", true)],
        vec![("quantity", true)],
        vec![("quantity", false)],
        vec![("status", false), ("quantity", true)],
        vec![("schedulePriority", true), ("dueDate", false)],
        vec![("customerName", false), ("locationPath", true), ("quantity", false)],
        vec![("locationPath", false), ("dueDate", true)],
        vec![("enabled", false), ("createdDate", true)],
        vec![("notes", true), ("name", false)],
        vec![("productName", true), ("customerId", true)],
        vec![("modifiedDate", false), ("version", true), ("unitOfMeasureSymbol", false)],
        vec![("startDate", true), ("endDate", true)],
        vec![("status", true), ("schedulePriority", true)],
    ];
    let sort_filters = [
        vec![],
        vec![f("enabled", "TRUE", Op::None)],
        vec![f("notes", "IS_NOT_NULL", Op::None), f("quantity", "LESS_THAN", Op::N(1000.0))],
    ];
    for (i, sort) in sorts.iter().enumerate() {
        let filters = sort_filters[i % sort_filters.len()].clone();
        let base = Q {
            filters,
            sort: sort.clone(),
            page: None,
            style: i,
        };
        let n = checker.check(&base).await as u64;
        let size = [7, 25, 50, 120][i % 4];
        let pages = n.div_ceil(size);
        for index in [0, rng.below(pages as usize) as u64, pages.saturating_sub(1)] {
            checker
                .check(&Q {
                    page: Some((size, index)),
                    ..base.clone()
                })
                .await;
        }
    }

    // 4. Paging edges on one filtered, sorted query with n matches.
    let base = Q {
        filters: vec![f("status", "EQUALS", Op::S("RUNNING".into()))],
        sort: vec![("quantity", true), ("name", false)],
        page: None,
        style: 0,
    };
    let n = checker.check(&base).await as u64;
    assert!(n > 20, "{n} running orders");
    let divisor = (2..n).find(|d| n.is_multiple_of(*d) && n / d > 1);
    let mut edges = vec![
        (n, 0),       // exactly one full page
        (n, 1),       // past the end
        (n + 1, 0),   // one partial page
        (n - 1, 1),   // last page of one row
        (10, n / 10), // last partial page (or just past the end when 10 divides n)
        (10, n / 10 + 1),
        (1, 0),
        (1, n - 1),     // the very last row
        (1, n),         // one past
        (3, 1_000_000), // far past the end
        (10_000, 0),
    ];
    if let Some(d) = divisor {
        edges.push((d, n / d - 1)); // a full last page
        edges.push((d, n / d));
    }
    for (size, index) in edges {
        checker
            .check(&Q {
                page: Some((size, index)),
                ..base.clone()
            })
            .await;
    }
    // An empty result, paged and unpaged.
    let empty = Q::filtered(vec![f("name", "EQUALS", Op::S("nobody".into()))]);
    assert_eq!(checker.check(&empty).await, 0);
    for (size, index) in [(10, 0), (10, 1), (1, 5)] {
        checker
            .check(&Q {
                page: Some((size, index)),
                ..empty.clone()
            })
            .await;
    }
    // Everything, paged through: the pages concatenate to the unpaged answer.
    let sorted = Q {
        sort: vec![("dueDate", false), ("schedulePriority", true)],
        ..Q::default()
    };
    let mut seen = vec![];
    let size = 400u64;
    for index in 0..(ORDERS as u64).div_ceil(size) {
        let page = app
            .ok(
                "productionOrder",
                "findProductionOrders",
                Q {
                    page: Some((size, index)),
                    ..sorted.clone()
                }
                .request(),
            )
            .await;
        seen.extend(
            page["content"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_string()),
        );
    }
    let want: Vec<String> = sorted.expected(&rows).iter().map(|r| r.id.clone()).collect();
    assert_eq!(seen, want);
    // And once unpaged, all rows in one answer.
    assert_eq!(checker.check_exact(&sorted).await, ORDERS);

    // The plain forms of a few ids are accepted too (validated, canonicalised).
    let some = ids(&rows, "productId", 2, &mut rng);
    let plain: Vec<String> = some.iter().map(|s| s.replace('-', "")).collect();
    let by_plain = app
        .ok(
            "productionOrder",
            "findProductionOrders",
            json!({"filters": [{"field": "productId", "condition": "IN", "stringListValue": plain}]}),
        )
        .await;
    let by_dashed = Q::filtered(vec![f("productId", "IN", Op::SList(some))]);
    assert_eq!(by_plain["totalElements"], json!(by_dashed.expected(&rows).len()));

    eprintln!(
        "query_bruteforce: {} orders filled in {filled:?}, {} queries checked, {:?} in all",
        ORDERS,
        checker.queries,
        started.elapsed()
    );
    app.stop().await;
}
