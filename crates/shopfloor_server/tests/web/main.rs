//! End-to-end tests of the web pages in real headless Chromium (Debian's `chromium` and
//! `chromium-driver`), driven over WebDriver against the real server on a fresh SQLite file.
//! Screenshots of every page land in `target/screenshots/` (ignored by git). Without Chromium
//! the tests fail, naming what to install; they never skip.

#[path = "../api/helpers.rs"]
#[allow(dead_code)] // the web tests use only part of the API helpers
mod helpers;
mod webdriver;

use futures_util::FutureExt;
use helpers::{spawn_app, TestApp};
use serde_json::{json, Value};
use std::path::PathBuf;
use webdriver::{Browser, Driver};

const ADMIN_PASSWORD: &str = "admin-pass-1";
const VIEWER_PASSWORD: &str = "viewer-pass-1";

fn screenshots() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots")
}

/// Master data for the flows: units, materials, a location tree, a customer, a shift, a property,
/// and users with passwords (admin, a Viewer).
async fn seed(app: &TestApp) {
    app.ok("security", "setUserPassword", json!(["admin", ADMIN_PASSWORD])).await;
    app.ok(
        "security",
        "saveUser",
        json!({"name": "vera", "displayName": "Vera Viewer", "roles": ["Viewer"]}),
    )
    .await;
    app.ok("security", "setUserPassword", json!(["vera", VIEWER_PASSWORD])).await;
    let each = app
        .ok("unitOfMeasure", "saveUnitOfMeasure", json!({"name": "Each", "symbol": "ea"}))
        .await;
    let kg = app
        .ok("unitOfMeasure", "saveUnitOfMeasure", json!({"name": "Kilogram", "symbol": "kg"}))
        .await;
    let fg = app.ok("material", "saveMaterialClass", json!({"name": "FG"})).await;
    let raw = app.ok("material", "saveMaterialClass", json!({"name": "RAW"})).await;
    app.ok(
        "material",
        "saveMaterial",
        json!({"name": "Gearbox", "materialClassId": fg["id"], "unitOfMeasureId": each["id"]}),
    )
    .await;
    for name in ["Bolt", "Housing"] {
        app.ok(
            "material",
            "saveMaterial",
            json!({"name": name, "materialClassId": raw["id"], "unitOfMeasureId": kg["id"]}),
        )
        .await;
    }
    let site = app.ok("location", "saveLocation", json!({"name": "Plant", "type": "SITE"})).await;
    let line = app
        .ok(
            "location",
            "saveLocation",
            json!({"name": "Line1", "parentId": site["id"], "type": "LINE"}),
        )
        .await;
    app.ok("customer", "saveCustomer", json!({"name": "Acme"})).await;
    app.ok("shift", "saveShift", json!({"name": "Morning", "locationId": line["id"]}))
        .await;
    app.ok(
        "productionOrder",
        "saveProductionOrderProperty",
        json!({"name": "Batch Size", "dataType": "INTEGER", "lowLimit": 1, "highLimit": 500, "nullable": true}),
    )
    .await;
    app.ok(
        "productionOrder",
        "saveProductionOrderProperty",
        json!({"name": "Line Speed", "dataType": "FLOAT", "nullable": true}),
    )
    .await;
}

async fn login(b: &Browser, base: &str, name: &str, password: &str) {
    b.goto(&format!("{base}/")).await;
    b.find("#login-name").await;
    b.type_into("#login-name", name).await;
    // Enter submits the form: logging in needs no pointer.
    b.type_into("#login-password", &format!("{password}\u{E007}")).await;
    b.find("#board").await;
}

/// Form controls without a label and buttons or links without a name, on the current page.
async fn unlabelled(b: &Browser) -> Value {
    b.js(
        "const bad = [];
         for (const el of document.querySelectorAll('main input, main select, main textarea')) {
           const named = el.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
           if (!named && el.type !== 'hidden') bad.push(el.outerHTML.slice(0, 80));
         }
         for (const el of document.querySelectorAll('button, a[href]')) {
           if (!(el.textContent.trim() || el.getAttribute('aria-label'))) bad.push(el.outerHTML.slice(0, 80));
         }
         return bad;",
        json!([]),
    )
    .await
}

/// axe-core, vendored (tests/web/vendor/axe-core/README.md): no network in the tests.
const AXE: &str = include_str!("vendor/axe-core/axe.min.js");

/// Runs axe-core on the page as it stands and fails on any serious or critical finding, naming
/// the rule, its help text and the first elements it found.
async fn assert_accessible(b: &Browser, what: &str) {
    if b.js("return typeof window.axe", json!([])).await != json!("object") {
        b.inject("axe-core", AXE).await;
    }
    let found = b
        .js_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, { resultTypes: ['violations'] }).then((r) => done(r.violations
               .filter((v) => v.impact === 'serious' || v.impact === 'critical')
               .map((v) => ({ rule: v.id, impact: v.impact, help: v.help,
                              nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }))),
               (e) => done([{ rule: 'axe failed', help: String(e) }]));",
            json!([]),
        )
        .await;
    assert_eq!(found, json!([]), "axe-core on {what}");
}

/// A screenshot of the page, after axe-core found nothing serious on it.
async fn shot(b: &Browser, dir: &std::path::Path, name: &str) {
    assert_accessible(b, name).await;
    b.screenshot(dir, name).await;
}

/// What zbar's decoder (Debian's `zbar-tools`, as a hand scanner would) reads from the barcodes
/// of an image.
fn scanned(png: &std::path::Path) -> String {
    let out = std::process::Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(png)
        .output()
        .expect("zbarimg runs (scripts/setup installs zbar-tools)");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Status of the order's row on a board page.
fn row_status(id: &str) -> String {
    format!("#board tr[data-id='{id}'] .status")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn supervisor_and_viewer_flows_in_chromium() {
    let app = spawn_app().await;
    seed(&app).await;
    let driver = Driver::start().await;
    let profiles = tempfile::tempdir().expect("profiles");
    let a = driver.session(&profiles.path().join("a")).await;
    let b = driver.session(&profiles.path().join("b")).await;
    let result = std::panic::AssertUnwindSafe(flows(&app, &a, &b)).catch_unwind().await;
    a.quit().await;
    b.quit().await;
    drop(driver);
    app.stop().await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

async fn flows(app: &TestApp, a: &Browser, b: &Browser) {
    let base = app.address.clone();
    let shots = screenshots();

    // Unauthenticated: the shell loads, the API stays closed, the page asks to log in.
    let page = reqwest::get(format!("{base}/")).await.expect("shell");
    assert_eq!(page.status(), 200);
    let api = reqwest::get(format!("{base}/api/v1/web/session")).await.expect("session");
    assert_eq!(api.status(), 401, "the API needs credentials even though the shell does not");
    a.goto(&format!("{base}/")).await;
    a.find("#login-name").await;
    a.type_into("#login-name", "admin").await;
    a.type_into("#login-password", "wrong-password").await;
    a.click("#login-submit").await;
    a.wait_text(".login .banner.error", "invalid user name or password").await;
    shot(a, &shots, "01-login-failed").await;
    a.type_into("#login-password", ADMIN_PASSWORD).await;
    a.click("#login-submit").await;
    a.find("#board").await;
    a.wait_text("#board-summary", "of ").await;
    shot(a, &shots, "02-board-empty").await;

    // Create an order: a validation message while typing, fixed, then saved.
    a.click("#new-order").await;
    a.find("#order-name").await;
    a.type_into("#order-name", "WO-1").await;
    a.type_into("#order-quantity", "-5").await;
    a.wait_text("[data-field='quantity'] .err", "must not be negative").await;
    a.wait_text("[data-field='productId'] .err", "is required").await;
    shot(a, &shots, "03-new-order-validation").await;
    a.type_into("#order-quantity", "100").await;
    a.choose("#order-productId", "Gearbox").await;
    // Choosing the product fills in its unit.
    a.wait_until(
        "document.querySelector('#order-unitOfMeasureId').selectedOptions[0].text.startsWith('Each')",
        "the product's unit filled in",
    )
    .await;
    a.choose("#order-unitOfMeasureId", "Each").await;
    a.choose("#order-locationId", "Line1").await;
    a.choose("#order-customerId", "Acme").await;
    a.wait_until(
        "document.querySelector(\"[data-field='quantity'] .err\").hidden && document.querySelector(\"[data-field='productId'] .err\").hidden",
        "validation messages to clear",
    )
    .await;
    a.click("#order-save").await;
    a.wait_text("h1", "Order WO-1").await;
    let order = app.ok("productionOrder", "getProductionOrder", json!(["WO-1"])).await;
    let id = order["id"].as_str().expect("saved order has an id").to_string();
    assert_eq!(order["quantity"], json!(100.0));
    assert_eq!(order["customerName"], json!("Acme"));
    shot(a, &shots, "04-order-created").await;

    // The second session (a Viewer) watches the board while the supervisor runs the order.
    login(b, &base, "vera", VIEWER_PASSWORD).await;
    b.goto(&format!("{base}/#/orders?q=WO-1&status=all")).await;
    b.wait_text(&row_status(&id), "IDLE").await;
    assert!(!b.exists("#new-order").await, "a Viewer sees no New order button");

    // Lifecycle: only allowed transitions are offered, worded as the server's verb table says.
    a.find("[data-transition='RUNNING']").await;
    assert!(!a.exists("[data-transition='PAUSED']").await, "IDLE cannot pause");
    assert!(!a.exists("[data-transition='CLOSED']").await, "IDLE cannot close");
    let listing: Value = app.get("/api/v1/script").await.1;
    let label_of = |status: &str| {
        listing["lifecycle"]["verbs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["to"] == status)
            .map(|v| v["label"].clone())
            .unwrap_or_else(|| panic!("no verb to {status} in {listing}"))
    };
    let buttons: Value = a
        .js(
            "return [...document.querySelectorAll('[data-transition]')].map(b => [b.dataset.transition, b.textContent])",
            json!([]),
        )
        .await;
    assert_eq!(
        buttons.as_array().unwrap().len(),
        3,
        "IDLE offers schedule, start and cancel: {buttons}"
    );
    for pair in buttons.as_array().unwrap() {
        assert_eq!(pair[1], label_of(pair[0].as_str().unwrap()), "{pair}");
    }
    // A scheduled order offers going back to IDLE exactly when the caller may call that verb.
    a.click("[data-transition='SCHEDULED']").await;
    a.wait_text("#order-status-value", "SCHEDULED").await;
    a.find("[data-transition='RUNNING']").await;
    let session: Value = app.get("/api/v1/web/session").await.1;
    let unschedule = label_of("IDLE");
    let may_unschedule = session["functions"]
        .as_array()
        .unwrap()
        .contains(&json!("productionOrder.unscheduleProductionOrder"));
    assert_eq!(a.exists("[data-transition='IDLE']").await, may_unschedule, "{unschedule} button");
    a.click("[data-transition='RUNNING']").await;
    a.wait_text("#order-status-value", "RUNNING").await;
    b.wait_text(&row_status(&id), "RUNNING").await;
    shot(b, &shots, "05-viewer-board-live").await;
    a.type_into("#transition-reason", "material shortage").await;
    a.click("[data-transition='PAUSED']").await;
    a.wait_text("#order-status-value", "PAUSED").await;
    b.wait_text(&row_status(&id), "PAUSED").await;
    a.type_into("#report-quantity", "40").await;
    a.wait_text("label[for='report-quantity']", "Add to produced").await;
    a.click("#report-submit").await;
    a.wait_text("#order-status", "produced 40").await;
    // An entry far past the plan is asked about first; going back reports nothing.
    a.type_into("#report-quantity", "99999").await;
    a.click("#report-submit").await;
    a.wait_text("dialog.confirm", "over the plan").await;
    shot(a, &shots, "06a-report-over-plan").await;
    a.click("#confirm-keep").await;
    assert!(!a.exists("dialog.confirm").await, "the dialog closes");
    assert_eq!(app.get_order(&id).await["quantityProduced"], json!(40.0));
    // A correction subtracts, and needs a reason.
    a.click("#report-correction").await;
    a.type_into("#report-quantity", "5").await;
    a.click("#report-submit").await;
    a.wait_text("#order-messages .banner.error", "Say why").await;
    a.type_into("#report-reason", "miscounted").await;
    a.click("#report-submit").await;
    a.wait_text("#order-status", "produced 35").await;
    a.type_into("#report-quantity", "5").await;
    a.click("#report-submit").await;
    a.wait_text("#order-status", "produced 40").await;
    b.wait_text(&format!("#board tr[data-id='{id}'] .qty"), "40 / 100").await;
    shot(a, &shots, "06-order-paused-reported").await;

    // BOM: add two lines, then move the second one up.
    a.click("#tab-bom").await;
    a.find(".bom-editor select[name='materialId']").await;
    a.choose(".bom-editor select[name='materialId']", "Bolt").await;
    a.type_into(".bom-editor input[name='quantityPerProducedUnit']", "4").await;
    a.click(".bom-editor button[type='submit']").await;
    a.wait_text("#bom", "Bolt").await;
    a.choose(".bom-editor select[name='materialId']", "Housing").await;
    a.type_into(".bom-editor input[name='quantityPerProducedUnit']", "1").await;
    a.click(".bom-editor button[type='submit']").await;
    a.wait_text("#bom", "Housing").await;
    a.wait_text("#bom tbody tr:first-child .bom-material", "Bolt").await;
    // Required for the order: 4 per unit × 100.
    a.wait_text("#bom tbody tr:first-child .bom-required", "400").await;
    a.click("#bom tbody tr:nth-child(2) .bom-up").await;
    a.wait_text("#bom tbody tr:first-child .bom-material", "Housing").await;
    // Edit a line in place.
    a.click("#bom tbody tr:first-child .bom-edit").await;
    a.type_into("#bom .bom-editor input[name='quantityPerProducedUnit']", "2.5").await;
    a.click("#bom .bom-editor button[type='submit']").await;
    a.wait_text("#bom tbody tr:first-child", "2.5").await;
    let bom = app.ok("productionOrder", "getBillOfMaterialsForOrder", json!([id])).await;
    assert_eq!(bom[0]["quantityPerProducedUnit"], json!(2.5), "{bom}");
    let names: Vec<&str> = bom
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["materialName"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(names, ["Housing", "Bolt"], "the stored order follows the page: {bom}");
    // Removing a line is confirmed, naming what happens; going back keeps it.
    a.click("#bom tbody tr:nth-child(2) .bom-remove").await;
    a.wait_text("dialog.confirm", "Remove Bolt?").await;
    a.click("#confirm-keep").await;
    a.wait_text("#bom", "Bolt").await;
    a.js("document.querySelector('.tabs').scrollIntoView()", json!([])).await;
    shot(a, &shots, "07-order-bom").await;
    assert_eq!(unlabelled(a).await, json!([]), "unlabelled controls on the order page");

    // A property value: one out of its limits is refused and shown, a good one saved.
    a.click("#tab-properties").await;
    let prop = "input[data-property='Batch Size']";
    a.type_into(prop, "9999").await;
    a.click("button.prop-save[data-property='Batch Size']").await;
    a.wait_text("#properties [data-field='Batch Size'] .err", "500").await;
    // Saving another property keeps the refused one marked and named.
    a.type_into("input[data-property='Line Speed']", "12.5").await;
    a.click("button.prop-save[data-property='Line Speed']").await;
    a.wait_text("#order-tabpanel .banner.warn", "Still not saved: Batch Size").await;
    a.wait_text("#properties [data-field='Batch Size'] .err", "500").await;
    a.type_into(prop, "250").await;
    a.click("button.prop-save[data-property='Batch Size']").await;
    a.wait_text("#order-tabpanel .banner.ok", "Batch Size saved").await;
    let value = app
        .ok("productionOrder", "getProductionOrderPropertyValueFor", json!([id, "Batch Size"]))
        .await;
    assert_eq!(value["value"], json!(250), "stored value: {value}");
    a.js("document.querySelector('.tabs').scrollIntoView()", json!([])).await;
    shot(a, &shots, "08-order-properties").await;

    // The printable traveler: the order's facts, the BOM with what the whole order needs, the
    // property values, lines to sign, and the name as a barcode that a scanner reads back.
    a.click("#order-traveler").await;
    a.wait_text("#traveler h1", "Traveler — order WO-1").await;
    a.wait_text("#traveler-bom-table", "400").await;
    a.wait_text("#traveler", "Batch Size").await;
    a.wait_text("#traveler", "Completed by").await;
    shot(a, &shots, "08b-traveler").await;
    assert_eq!(scanned(&shots.join("08b-traveler.png")), "WO-1", "the traveler's barcode");
    a.js("history.back()", json!([])).await;
    a.find("[data-transition='STOPPED']").await;

    // Stop, report more, close; the history shows who did what, with the reason.
    // Stop and close say what cannot be undone before they happen.
    a.click("[data-transition='STOPPED']").await;
    a.wait_text("dialog.confirm", "end date").await;
    a.click("#confirm-ok").await;
    a.wait_text("#order-status-value", "STOPPED").await;
    a.click("[data-transition='CLOSED']").await;
    a.wait_text("dialog.confirm", "accepts no more production").await;
    shot(a, &shots, "08a-confirm-close").await;
    a.click("#confirm-keep").await;
    assert_eq!(app.get_order(&id).await["status"], json!("STOPPED"), "going back changes nothing");
    a.click("[data-transition='CLOSED']").await;
    a.wait_text("dialog.confirm", "accepts no more production").await;
    a.click("#confirm-ok").await;
    a.wait_text("#order-status-value", "CLOSED").await;
    assert!(!a.exists("[data-transition]").await, "a closed order offers no transitions");
    // A closed order looks read-only but for notes, enabled and the spares, and says so.
    a.wait_text("#order-final-note", "only notes").await;
    let disabled = a
        .js(
            "return ['name', 'quantity', 'dueDate', 'notes', 'spare1'].map(k => document.querySelector('#order-' + k).disabled)",
            json!([]),
        )
        .await;
    assert_eq!(
        disabled,
        json!([true, true, true, false, false]),
        "name, quantity, due, notes, spare1"
    );
    a.wait_text("[aria-current='step']", "CLOSED").await;
    b.wait_text(&row_status(&id), "CLOSED").await;
    a.click("#tab-history").await;
    let history = a.wait_text("#history", "material shortage").await;
    // In words, with names instead of ids.
    for needle in [
        "by admin",
        "Status changed",
        "Status: STOPPED → CLOSED",
        "Quantity produced: 0 → 40",
        "Product: —",
        "Gearbox",
    ] {
        assert!(history.contains(needle), "history lacks {needle:?}: {history}");
    }
    for raw in [order["productId"].as_str().unwrap(), "quantityProduced", "TRANSITION"] {
        assert!(!history.contains(raw), "history shows {raw:?}: {history}");
    }
    a.js("document.querySelector('.tabs').scrollIntoView()", json!([])).await;
    shot(a, &shots, "09-order-history").await;

    // Version conflict: someone else changes the order while the page has it open.
    // (Through the board, so the notes field found is the freshly loaded page's.)
    a.goto(&format!("{base}/#/orders")).await;
    a.find("#board").await;
    a.goto(&format!("{base}/#/orders/{id}")).await;
    a.find("#order-notes").await;
    let current = app.ok("productionOrder", "getProductionOrder", json!([id])).await;
    let mut changed = current.clone();
    changed["notes"] = json!("changed behind your back");
    app.ok("productionOrder", "saveProductionOrder", changed).await;
    a.type_into("#order-notes", "my note").await;
    a.click("#order-save").await;
    a.wait_text("#order-messages", "changed by admin at").await;
    a.click("#conflict-compare").await;
    a.wait_text("#order-messages table", "changed behind your back").await;
    shot(a, &shots, "10-order-conflict").await;

    // The Viewer: the order page has no edit or lifecycle controls, and forged requests fail.
    let running = app
        .ok(
            "productionOrder",
            "saveProductionOrder",
            json!({"name": "WO-2", "productId": order["productId"], "unitOfMeasureId": order["unitOfMeasureId"], "quantity": 10}),
        )
        .await;
    b.goto(&format!("{base}/#/orders/{}", running["id"].as_str().unwrap())).await;
    b.wait_text("h1", "Order WO-2").await;
    b.find("#order-name").await;
    for css in [
        "#order-save",
        "[data-transition]",
        "#report-form",
        ".bom-editor",
        "button.prop-save",
    ] {
        assert!(!b.exists(css).await, "a Viewer must not see {css}");
    }
    assert_eq!(
        b.js("return document.querySelector('#order-name').disabled", json!([])).await,
        json!(true)
    );
    shot(b, &shots, "11-viewer-order").await;
    let forged = b
        .js_async(
            "const done = arguments[arguments.length - 1];
             const csrf = localStorage.getItem('shopfloor.csrf');
             const send = (headers) => fetch('/api/v1/script/productionOrder/startProductionOrder', {
               method: 'POST', credentials: 'same-origin',
               headers: Object.assign({'Content-Type': 'application/json'}, headers),
               body: JSON.stringify(['WO-2'])}).then(r => r.json().then(j => [r.status, j]));
             Promise.all([send({'X-CSRF-Token': csrf}), send({})]).then(done, e => done(String(e)));",
            json!([]),
        )
        .await;
    assert_eq!(forged[0][0], json!(403), "the Viewer's forged start: {forged}");
    assert_eq!(forged[0][1]["error"]["permission"], json!("PRODUCTION_ORDER.EXECUTE.START"));
    assert_eq!(forged[1][0], json!(403), "a request without the CSRF token: {forged}");
    let still = app.ok("productionOrder", "getProductionOrder", json!(["WO-2"])).await;
    assert_eq!(still["status"], json!("IDLE"), "refused requests change nothing");
    let nav: Value = b
        .js("return [...document.querySelectorAll('#nav a')].map(a => a.textContent)", json!([]))
        .await;
    assert!(!nav.to_string().contains("Admin"), "a Viewer has no admin page: {nav}");

    // The board opens on open work: the closed WO-1 is left out until "All orders". Opened as a
    // new page (a reload, a bookmark), so its first page comes from the prefetch made while the
    // session is checked.
    a.goto("about:blank").await;
    a.goto(&format!("{base}/#/orders")).await;
    a.wait_text("#board-summary", "of 1 order").await;
    a.wait_text("#board tbody", "WO-2").await;
    a.click("#view-all").await;
    a.wait_until("location.hash.includes('status=all')", "all orders in the URL").await;
    // Filters and sorting live in the URL, and the back button restores them.
    a.wait_text("#board-summary", "of 2 orders").await;
    a.click("#board button.sort[data-sort='name']").await;
    a.wait_until("location.hash.includes('sort=name')", "sort in the URL").await;
    // The focus stays on the sort button used, on the board drawn anew.
    a.wait_until(
        "document.activeElement && document.activeElement.dataset.sort === 'name'",
        "focus kept on the sort button",
    )
    .await;
    a.wait_text("#board tbody tr:first-child", "WO-1").await;
    a.click("#board button.sort[data-sort='name']").await;
    a.wait_until("location.hash.includes('dir=desc')", "descending sort in the URL")
        .await;
    a.wait_text("#board tbody tr:first-child", "WO-2").await;
    // Counts per status (for the other filters) on toggles that filter at once.
    a.wait_text("button[data-status='CLOSED'] .count", "1").await;
    a.wait_text("button[data-status='CANCELLED'] .count", "0").await;
    a.click("button[data-status='CLOSED']").await;
    a.wait_text("#board-summary", "of 1 order").await;
    a.wait_until("location.hash.includes('status=CLOSED')", "status filter in the URL")
        .await;
    shot(a, &shots, "12-board-filtered").await;
    assert_eq!(unlabelled(a).await, json!([]), "unlabelled controls on the board");
    a.js("history.back()", json!([])).await;
    a.wait_text("#board-summary", "of 2 orders").await;
    // Location (the chosen one and everything below it) and due-date range.
    a.choose("#filter-location", "Plant").await;
    a.click("#filter-apply").await;
    a.wait_until("location.hash.includes('location=')", "location filter in the URL")
        .await;
    a.wait_text("#board-summary", "of 1 order").await;
    a.wait_text("#board tbody", "WO-1").await;
    let mut wo2 = app.ok("productionOrder", "getProductionOrder", json!(["WO-2"])).await;
    wo2["dueDate"] = json!("2030-06-15T12:00:00Z");
    app.ok("productionOrder", "saveProductionOrder", wo2.clone()).await;
    a.goto(&format!("{base}/#/orders?status=all")).await;
    a.wait_text("#board-summary", "of 2 orders").await;
    a.js(
        "document.querySelector('#filter-from').value = '2030-06-01'; document.querySelector('#filter-to').value = '2030-06-30'",
        json!([]),
    )
    .await;
    a.click("#filter-apply").await;
    a.wait_until(
        "location.hash.includes('from=2030-06-01') && location.hash.includes('to=2030-06-30')",
        "due range in the URL",
    )
    .await;
    a.wait_text("#board-summary", "of 1 order").await;
    a.wait_text("#board tbody", "WO-2").await;
    // The search box finds an order by its customer (or product) as well as by its name.
    a.goto(&format!("{base}/#/orders?status=all")).await;
    a.type_into("#filter-q", "acme\u{E007}").await;
    a.wait_until("location.hash.includes('q=acme')", "the search in the URL").await;
    a.wait_text("#board-summary", "of 1 order").await;
    a.wait_text("#board tbody", "WO-1").await;
    // Quick views: overdue (due before now and still open), due today.
    let mut wo2 = app.ok("productionOrder", "getProductionOrder", json!(["WO-2"])).await;
    wo2["dueDate"] = json!("2020-01-15T12:00:00Z");
    app.ok("productionOrder", "saveProductionOrder", wo2).await;
    a.goto(&format!("{base}/#/orders")).await;
    a.click("#view-overdue").await;
    a.wait_until("location.hash.includes('due=overdue')", "overdue in the URL").await;
    a.wait_text("#board-summary", "of 1 order").await;
    a.wait_text("#board tbody tr.overdue", "WO-2").await;
    shot(a, &shots, "12a-board-overdue").await;
    // CSV export of exactly this view, by the server's export. (The page's CSP keeps it from
    // fetching its own blob: the test keeps the Blob the page hands to the download link.)
    a.js(
        "window.exported = []; const make = URL.createObjectURL;
         URL.createObjectURL = (blob) => { window.exported.push(blob); return make(blob); };",
        json!([]),
    )
    .await;
    a.click("#export-csv").await;
    a.find("#export-link").await;
    let csv = a
        .js_async(
            "const done = arguments[arguments.length - 1];
             window.exported[0].text().then(done, e => done(String(e)));",
            json!([]),
        )
        .await;
    let csv = csv.as_str().unwrap_or_default().to_string();
    assert!(csv.starts_with("name,"), "a CSV with its header: {csv}");
    assert!(csv.contains("WO-2") && !csv.contains("WO-1"), "only the view's orders: {csv}");
    // A saved view: this board's URL under a name, for this user in this browser.
    a.click(".saved-views summary").await;
    a.type_into("#view-name", "Late work").await;
    a.click("#view-save").await;
    a.wait_text("#saved-views", "Late work").await;
    a.goto(&format!("{base}/#/orders")).await;
    a.wait_text("#saved-views", "Late work").await;
    a.click("#saved-views a").await;
    a.wait_until("location.hash.includes('due=overdue')", "the saved view opened").await;
    a.wait_text("#board-summary", "of 1 order").await;
    a.click("#view-today").await;
    a.wait_text("#board-summary", "of 0 orders").await;

    // Master data and admin pages render for the administrator.
    for (path, name, text) in [
        ("master/units", "13-units", "Kilogram"),
        ("master/materials", "14-materials", "Gearbox"),
        ("master/locations", "15-locations", "Line1"),
        ("master/customers", "16-customers", "Acme"),
        ("master/shifts", "17-shifts", "Morning"),
        ("master/properties", "18-properties", "Batch Size"),
        ("master/people", "18a-people", "Departments"),
        ("admin", "19-admin", "vera"),
    ] {
        a.goto(&format!("{base}/#/{path}")).await;
        a.wait_text("main", text).await;
        shot(a, &shots, name).await;
        assert_eq!(unlabelled(a).await, json!([]), "unlabelled controls on #/{path}");
    }
    // Master data is edited through the same generic editor: create a customer.
    a.goto(&format!("{base}/#/master/customers")).await;
    a.click("#new-Customer").await;
    a.type_into(".record-form input[name='name']", "Globex").await;
    a.click(".record-form button[type='submit']").await;
    a.wait_text("table[data-entity='Customer']", "Globex").await;
    app.ok("customer", "getCustomer", json!(["Globex"])).await;
    // People and departments, location and material properties, reason codes: where a
    // supervisor edits master data.
    a.goto(&format!("{base}/#/master/people")).await;
    a.click("#new-Department").await;
    a.type_into(".record-form input[name='name']", "Maintenance").await;
    a.click(".record-form button[type='submit']").await;
    a.wait_text("table[data-entity='Department']", "Maintenance").await;
    a.click("#new-Person").await;
    a.type_into(".record-form input[name='username']", "jdoe").await;
    a.type_into(".record-form input[name='firstName']", "Jane").await;
    a.type_into(".record-form input[name='lastName']", "Doe").await;
    a.choose(".record-form select[name='departmentId']", "Maintenance").await;
    a.click(".record-form button[type='submit']").await;
    a.wait_text("table[data-entity='Person']", "Maintenance").await;
    let jane = app.ok("personnel", "getPerson", json!(["jdoe"])).await;
    assert_eq!(jane["departmentPath"], json!("Maintenance"), "{jane}");
    a.goto(&format!("{base}/#/master/locations")).await;
    a.click("#new-LocationProperty").await;
    a.type_into(".record-form input[name='name']", "Max speed").await;
    a.click(".record-form button[type='submit']").await;
    a.wait_text("table[data-entity='LocationProperty']", "Max speed").await;
    a.goto(&format!("{base}/#/master/materials")).await;
    a.wait_text("main", "Reason codes").await;
    shot(a, &shots, "18b-materials-with-properties").await;
    // A user with a role, from the admin page (roles are a list, typed comma-separated).
    a.goto(&format!("{base}/#/admin")).await;
    a.click("#new-User").await;
    a.type_into(".record-form input[name='name']", "olga").await;
    a.type_into(".record-form input[name='roles']", "Operator").await;
    a.click(".record-form button[type='submit']").await;
    a.wait_text("table[data-entity='User']", "olga").await;
    let olga = app.ok("security", "getUser", json!(["olga"])).await;
    assert_eq!(olga["roles"], json!(["Operator"]), "{olga}");
    // A location below another, its type picked from the list.
    a.goto(&format!("{base}/#/master/locations")).await;
    a.click("#new-Location").await;
    a.type_into(".record-form input[name='name']", "Line2").await;
    a.choose(".record-form select[name='parentId']", "Plant").await;
    a.choose(".record-form select[name='type']", "LINE").await;
    a.click(".record-form button[type='submit']").await;
    a.wait_text("table[data-entity='Location']", "Line2").await;
    let line2 = app.ok("location", "getLocation", json!(["Plant/Line2"])).await;
    assert_eq!(line2["type"], json!("LINE"), "{line2}");
    // The plant's stop reasons, kept like any master data: one for pauses.
    a.goto(&format!("{base}/#/master/reasons")).await;
    a.click("#new-StopReason").await;
    a.type_into(".record-form input[name='name']", "Waiting for material").await;
    a.choose(".record-form select[name='appliesTo']", "PAUSE").await;
    a.click(".record-form button[type='submit']").await;
    a.wait_text("table[data-entity='StopReason']", "Waiting for material").await;
    shot(a, &shots, "18c-stop-reasons").await;
    app.ok(
        "productionOrder",
        "saveStopReason",
        json!({"name": "Tool breakage", "appliesTo": "STOP"}),
    )
    .await;

    // The line timeline: orders per line on the time axis, an overlap flagged; moved to another
    // line with the form a bar opens (the keyboard's way of dragging): a version-checked save.
    let plant_line1 = app.ok("location", "getLocation", json!(["Plant/Line1"])).await;
    let hours = a
        .js(
            "return [1, 5, 3, 7].map(h => new Date(Date.now() + h * 3600e3).toISOString())",
            json!([]),
        )
        .await;
    for (name, start, end) in [("WO-T1", 0, 1), ("WO-T2", 2, 3)] {
        app.ok(
            "productionOrder",
            "saveProductionOrder",
            json!({"name": name, "productId": order["productId"], "unitOfMeasureId": order["unitOfMeasureId"], "quantity": 10,
                   "locationId": plant_line1["id"], "startDate": hours[start], "endDate": hours[end]}),
        )
        .await;
    }
    a.goto(&format!("{base}/#/timeline")).await;
    a.wait_text(".tl-bar[data-order='WO-T2']", "⚠").await;
    assert!(!a
        .js(
            "return document.querySelector(\".tl-bar[data-order='WO-T1']\").textContent",
            json!([])
        )
        .await
        .to_string()
        .contains('⚠'));
    shot(a, &shots, "15a-timeline").await;
    a.click(".tl-bar[data-order='WO-T2']").await;
    a.choose("#move-line", "Line2").await;
    a.click("#move-save").await;
    a.wait_text("#timeline-messages", "WO-T2 moved").await;
    let t2 = app.ok("productionOrder", "getProductionOrder", json!(["WO-T2"])).await;
    assert_eq!(t2["locationId"], line2["id"], "{t2}");
    assert_eq!(t2["version"], json!(2), "one save: {t2}");
    a.wait_until(
        "!document.querySelector(\".tl-bar[data-order='WO-T2']\").textContent.includes('⚠')",
        "no overlap once on its own line",
    )
    .await;
    // Dragged with the mouse (real pointer events): a day later and down onto Line2's track —
    // one save, with the version the page read.
    let t1_before = app.ok("productionOrder", "getProductionOrder", json!(["WO-T1"])).await;
    let day_and_line = "const bar = document.querySelector(\".tl-bar[data-order='WO-T1']\").getBoundingClientRect();
         const track = document.querySelector(`.tl-track[data-line='${arguments[0]}']`).getBoundingClientRect();
         return [arguments[1] * track.width / (7 * 24), track.top + track.height / 2 - (bar.top + bar.height / 2)];";
    // Where a bar sits on its track, as a fraction of the track's width (the axis is 7 days).
    let place = "const bar = document.querySelector(`.tl-bar[data-order='${arguments[0]}']`).getBoundingClientRect();
         const track = document.querySelector(`.tl-bar[data-order='${arguments[0]}']`).parentElement.getBoundingClientRect();
         return (bar.left - track.left) / track.width;";
    let placed_before = a.js(place, json!(["WO-T1"])).await.as_f64().unwrap();
    assert!(
        placed_before > 0.0,
        "a bar starts where its order starts, not at the axis' start: {placed_before}"
    );
    let offset = a.js(day_and_line, json!([line2["id"], 24])).await;
    a.drag(
        ".tl-bar[data-order='WO-T1']",
        offset[0].as_f64().unwrap(),
        offset[1].as_f64().unwrap(),
    )
    .await;
    a.wait_text("#timeline-messages", "WO-T1 moved").await;
    let placed_after = a.js(place, json!(["WO-T1"])).await.as_f64().unwrap();
    assert!(
        ((placed_after - placed_before) - 1.0 / 7.0).abs() < 0.01,
        "drawn a day (a seventh of the axis) later: {placed_before} → {placed_after}"
    );
    let t1 = app.ok("productionOrder", "getProductionOrder", json!(["WO-T1"])).await;
    assert_eq!(t1["locationId"], line2["id"], "dropped on Line2: {t1}");
    assert_eq!(t1["version"], json!(t1_before["version"].as_i64().unwrap() + 1), "one save: {t1}");
    let shifted = "return [Date.parse(arguments[0].startDate) - Date.parse(arguments[1].startDate),
                           Date.parse(arguments[0].endDate) - Date.parse(arguments[1].endDate)]";
    assert_eq!(
        a.js(shifted, json!([t1, t1_before])).await,
        json!([86_400_000, 86_400_000]),
        "a day later, snapped to the hour"
    );
    // A drag of what the page read before someone else's save is refused in words; nothing moves.
    // (The save is the same user's, so the page does not redraw by itself: its version is stale.)
    app.ok(
        "productionOrder",
        "saveProductionOrder",
        json!({"id": t1["id"], "notes": "moved by phone"}),
    )
    .await;
    let back = a.js(day_and_line, json!([line2["id"], -24])).await;
    a.drag(".tl-bar[data-order='WO-T1']", back[0].as_f64().unwrap(), 0.0).await;
    a.wait_text("#timeline-messages .banner.error", "WO-T1 was not moved").await;
    a.wait_text("#timeline-messages", "changed by someone else meanwhile").await;
    let t1_after = app.ok("productionOrder", "getProductionOrder", json!(["WO-T1"])).await;
    assert_eq!(t1_after["startDate"], t1["startDate"], "{t1_after}");
    assert_eq!(
        t1_after["version"],
        json!(t1["version"].as_i64().unwrap() + 1),
        "only the other save: {t1_after}"
    );
    shot(a, &shots, "15b-timeline-stale-drag").await;
    // An Operator on a 10-inch tablet (800×1280, portrait): runs orders, edits nothing, and the
    // pages fit the screen without sideways scrolling.
    app.ok("security", "setUserPassword", json!(["olga", "olga-pass-1"])).await;
    b.click("#logout").await;
    b.find("#login-name").await;
    b.resize(800, 1280).await;
    login(b, &base, "olga", "olga-pass-1").await;
    let fits = "document.documentElement.scrollWidth <= window.innerWidth";
    b.wait_until(fits, "the board to fit a tablet's width").await;
    // The Operator may read the lines, so the board filters by his own.
    b.wait_text("#filter-location", "Line1").await;
    shot(b, &shots, "20-operator-tablet-board").await;
    b.goto(&format!("{base}/#/orders/{}", running["id"].as_str().unwrap())).await;
    b.find("[data-transition='RUNNING']").await;
    assert!(!b.exists("#order-save").await, "an Operator does not edit orders");
    for css in ["[data-transition='CANCELLED']", "[data-transition='SCHEDULED']"] {
        assert!(!b.exists(css).await, "an Operator neither cancels nor schedules: {css}");
    }
    // Without read access to materials and units the pickers still name the order's own.
    b.wait_until(
        "document.querySelector('#order-productId').selectedOptions[0].text === 'FG/Gearbox'",
        "the product named",
    )
    .await;
    b.wait_until("!document.querySelector('main').innerText.includes('null')", "no stray null")
        .await;
    b.click("[data-transition='RUNNING']").await;
    b.wait_text("#order-status-value", "RUNNING").await;
    b.type_into("#report-quantity", "3").await;
    b.click("#report-submit").await;
    b.wait_text("#order-status", "produced 3").await;
    b.wait_until(fits, "the order page to fit a tablet's width").await;
    shot(b, &shots, "21-operator-tablet-order").await;
    let wo2 = app.ok("productionOrder", "getProductionOrder", json!(["WO-2"])).await;
    assert_eq!(wo2["status"], json!("RUNNING"));
    assert_eq!(wo2["modifiedBy"], json!("olga"));
    // The line view: pick the line, run an order from its card, scan another one open.
    let line1 = app.ok("location", "getLocation", json!(["Plant/Line1"])).await;
    app.ok(
        "productionOrder",
        "saveProductionOrder",
        json!({"name": "WO-3", "productId": order["productId"], "unitOfMeasureId": order["unitOfMeasureId"], "quantity": 50, "locationId": line1["id"]}),
    )
    .await;
    b.goto(&format!("{base}/#/line")).await;
    // Larger text for a tablet at arm's length (kept by the browser); the line view still fits.
    b.click("#text-size").await;
    b.wait_until("document.documentElement.classList.contains('large-text')", "larger text")
        .await;
    b.choose("#line-location", "Line1").await;
    b.wait_text("#line-next article[data-order='WO-3']", "IDLE").await;
    assert!(
        !b.exists("article[data-order='WO-3'] [data-transition='CANCELLED']").await,
        "an Operator cannot cancel from the line view"
    );
    b.click("article[data-order='WO-3'] [data-transition='RUNNING']").await;
    b.wait_text("#line-now article[data-order='WO-3']", "RUNNING").await;
    b.type_into("article[data-order='WO-3'] .report-quantity", "12").await;
    b.click("article[data-order='WO-3'] .report-submit").await;
    b.wait_text("#line-now article[data-order='WO-3'] .qty", "12 / 50").await;
    b.wait_until(fits, "the line view to fit a tablet's width").await;
    shot(b, &shots, "22-operator-line-view").await;
    // Pausing offers the plant's reasons for a pause (not those for a stop); the pick is the
    // status change's reason.
    b.click("article[data-order='WO-3'] [data-transition='PAUSED']").await;
    b.find("dialog.confirm #reason-pick").await;
    let offered = b
        .js(
            "return [...document.querySelectorAll('#reason-pick option')].map(o => o.text)",
            json!([]),
        )
        .await;
    assert_eq!(offered, json!(["No reason given", "Waiting for material"]), "pause reasons only");
    shot(b, &shots, "22a-operator-pause-reason").await;
    b.choose("#reason-pick", "Waiting for material").await;
    b.click("#confirm-ok").await;
    b.wait_text("#line-now article[data-order='WO-3']", "PAUSED").await;
    let paused = app.history("WO-3").await;
    let pause = paused
        .iter()
        .rev()
        .find(|e| e["action"] == json!("TRANSITION"))
        .expect("a transition");
    assert_eq!(pause["reason"], json!("Waiting for material"), "{pause}");
    b.type_into("#scan", "WO-2\u{E007}").await;
    b.wait_text("h1", "Order WO-2").await;
    b.goto(&format!("{base}/#/line")).await;
    b.type_into("#scan", "NO-SUCH\u{E007}").await;
    b.wait_text("#line-messages .banner.error", "No order is named NO-SUCH").await;
    // Starting a shift from its page opens a shift record.
    a.goto(&format!("{base}/#/master/shifts")).await;
    a.click("button.shift-start").await;
    a.wait_text("table[data-entity='ShiftRecord']", "ACTIVE").await;

    // Every page at a tablet's size (800×1280) as the supervisor sees it: axe-core finds nothing
    // serious (run by `shot`), and nothing needs sideways scrolling of the page.
    a.resize(800, 1280).await;
    let wo1 = order["id"].as_str().unwrap();
    for (path, name, text) in [
        ("orders".to_string(), "30-tablet-board", "Production orders".to_string()),
        (format!("orders/{wo1}"), "31-tablet-order", "Order WO-1".to_string()),
        (format!("orders/{wo1}/traveler"), "32-tablet-traveler", "WO-1".to_string()),
        ("timeline".to_string(), "33-tablet-timeline", "WO-T1".to_string()),
        (
            format!("line?location={}", line1["id"].as_str().unwrap()),
            "34-tablet-line",
            "WO-3".to_string(),
        ),
        ("master/units".to_string(), "35-tablet-units", "Kilogram".to_string()),
        ("master/materials".to_string(), "36-tablet-materials", "Gearbox".to_string()),
        ("master/locations".to_string(), "37-tablet-locations", "Line2".to_string()),
        ("master/customers".to_string(), "38-tablet-customers", "Globex".to_string()),
        ("master/shifts".to_string(), "39-tablet-shifts", "ACTIVE".to_string()),
        ("master/people".to_string(), "40-tablet-people", "jdoe".to_string()),
        ("master/properties".to_string(), "41-tablet-properties", "Batch Size".to_string()),
        ("master/reasons".to_string(), "42-tablet-stop-reasons", "Tool breakage".to_string()),
        ("admin".to_string(), "43-tablet-admin", "olga".to_string()),
    ] {
        a.goto(&format!("{base}/#/{path}")).await;
        a.wait_text("main", &text).await;
        a.wait_until(fits, &format!("#/{path} to fit a tablet's width")).await;
        shot(a, &shots, name).await;
    }
}

/// The serving rules without a browser: the shell and assets are open and cacheable, nothing
/// else is, and the session endpoint lists exactly what the caller's roles allow.
#[tokio::test]
async fn shell_assets_and_session_rules() {
    let app = spawn_app().await;
    seed(&app).await;
    let base = app.address.clone();
    let anon = reqwest::Client::new();

    let shell = anon.get(format!("{base}/")).send().await.unwrap();
    assert_eq!(shell.status(), 200);
    assert!(shell.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let csp = shell.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(csp.contains("default-src 'self'"), "{csp}");
    for module in ["js/main.js", "js/api.js", "js/order.js"] {
        let js = anon.get(format!("{base}/ui/{module}")).send().await.unwrap();
        assert_eq!(js.status(), 200, "{module}");
        assert!(js.headers()["content-type"].to_str().unwrap().starts_with("text/javascript"));
        assert_eq!(js.headers()["x-content-type-options"], "nosniff");
        assert!(js.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'"));
        let tag = js.headers()["etag"].clone();
        let again = anon
            .get(format!("{base}/ui/{module}"))
            .header("if-none-match", tag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "an unchanged asset is not sent again: {module}");
    }
    let css = anon.get(format!("{base}/ui/app.css")).send().await.unwrap();
    assert!(css.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    let missing = anon.get(format!("{base}/ui/secret.db")).send().await.unwrap();
    assert_eq!(missing.status(), 404);
    assert_eq!(missing.json::<Value>().await.unwrap()["error"]["code"], json!("not_found"));
    // Only reading the shell is open: other methods and every API path need credentials.
    for (method, path) in [
        (reqwest::Method::POST, "/"),
        (reqwest::Method::POST, "/ui/js/main.js"),
        (reqwest::Method::GET, "/api/v1/web/session"),
        (reqwest::Method::GET, "/api/v1/events?timeout=0"),
        (reqwest::Method::GET, "/ui/../api/v1/me"),
    ] {
        let r = anon.request(method.clone(), format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status(), 401, "{method} {path} must need credentials");
    }

    // The session endpoint through a web login (cookie), for a Viewer.
    let browser = reqwest::Client::new();
    let login = browser
        .post(format!("{base}/api/v1/login"))
        .json(&json!({"name": "vera", "password": VIEWER_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 200);
    let cookie = login.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let s: Value = browser
        .get(format!("{base}/api/v1/web/session"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(s["user"], json!("vera"));
    let functions: Vec<&str> = s["functions"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(functions.contains(&"productionOrder.findProductionOrders"), "{s}");
    for refused in [
        "productionOrder.saveProductionOrder",
        "productionOrder.startProductionOrder",
        "security.findUsers",
    ] {
        assert!(!functions.contains(&refused), "a Viewer may not call {refused}: {s}");
    }
    assert_eq!(s["changeFeed"], json!(true));
    assert!(s["lastSequence"].as_i64().unwrap() >= 0);
    // The admin may call everything the catalogue has.
    let all: Value = app.get("/api/v1/web/session").await.1;
    let script: Value = app.get("/api/v1/script").await.1;
    let count: usize = script["modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["functions"].as_array().unwrap().len())
        .sum();
    assert_eq!(all["functions"].as_array().unwrap().len(), count);

    // The lists the pages read: statuses and verbs of the lifecycle, the catalogue's choices.
    let statuses: Vec<&str> = script["lifecycle"]["statuses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["IDLE", "SCHEDULED", "RUNNING", "PAUSED", "STOPPED", "CLOSED", "CANCELLED"]
    );
    let closed = &script["lifecycle"]["statuses"][5];
    assert_eq!(closed["final"], json!(true), "{closed}");
    assert_eq!(closed["targets"], json!([]), "{closed}");
    let cancel = script["lifecycle"]["verbs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["to"] == "CANCELLED")
        .expect("a verb to CANCELLED");
    assert_eq!(cancel["function"], json!("cancelProductionOrder"));
    assert_eq!(cancel["label"], json!("Cancel order"));
    assert!(cancel["consequence"].is_string(), "{cancel}");
    assert_eq!(
        script["enums"]["ProductionOrder"]["schedulePriority"],
        json!(["LOW", "NORMAL", "HIGH", "URGENT"])
    );
    assert_eq!(script["enums"]["ShiftRecord"]["status"][1], json!("ACTIVE"));
    // The listing changes only with the binary: a client that has it gets 304.
    let listing = browser
        .get(format!("{base}/api/v1/script"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(listing.status(), 200);
    assert_eq!(listing.headers()["cache-control"], "private, no-cache");
    let tag = listing.headers()["etag"].clone();
    let again = browser
        .get(format!("{base}/api/v1/script"))
        .header("cookie", &cookie)
        .header("if-none-match", tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304, "an unchanged listing is not sent again");
    app.stop().await;
}

/// Deliveries a webhook receiver on 127.0.0.1 got: (`Shopfloor-Signature`, body), in order.
type Inbox = std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>;

/// A webhook receiver on 127.0.0.1:0 answering 200; its URL.
async fn receiver(inbox: Inbox) -> String {
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |headers: axum::http::HeaderMap, body: String| {
            let inbox = inbox.clone();
            async move {
                let signature = headers
                    .get("shopfloor-signature")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                inbox.lock().unwrap().push((signature, body));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

/// The sequences delivered so far, once there are at least `n` (at most 30 s).
async fn delivered(inbox: &Inbox, n: usize) -> Vec<i64> {
    let started = std::time::Instant::now();
    loop {
        let got: Vec<i64> = inbox
            .lock()
            .unwrap()
            .iter()
            .map(|(_, body)| serde_json::from_str::<Value>(body).unwrap()["event"]["sequence"].as_i64().unwrap())
            .collect();
        if got.len() >= n {
            return got;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "{n} deliveries expected, got {got:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_on_the_admin_page_in_chromium() {
    let app = spawn_app().await;
    app.ok("security", "setUserPassword", json!(["admin", ADMIN_PASSWORD])).await;
    let inbox = Inbox::default();
    let url = receiver(inbox.clone()).await;
    let driver = Driver::start().await;
    let profile = tempfile::tempdir().expect("profile");
    let a = driver.session(profile.path()).await;
    let result = std::panic::AssertUnwindSafe(webhook_flow(&app, &a, &url, &inbox))
        .catch_unwind()
        .await;
    a.quit().await;
    drop(driver);
    app.stop().await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

async fn webhook_flow(app: &TestApp, a: &Browser, url: &str, inbox: &Inbox) {
    const SECRET: &str = "a-secret-of-32-characters-000000";
    let base = app.address.clone();
    let shots = screenshots();
    login(a, &base, "admin", ADMIN_PASSWORD).await;
    a.goto(&format!("{base}/#/admin")).await;
    a.wait_text("#no-webhooks", "No webhooks yet").await;

    // Create: a short secret is refused next to its field, in words; then created.
    a.click("#new-webhook").await;
    a.type_into("#hook-name", "erp").await;
    a.type_into("#hook-url", url).await;
    a.type_into("#hook-secret", "short").await;
    a.type_into("#hook-entities", "Customer").await;
    a.click("#hook-save").await;
    a.wait_text("[data-field='secret'] .err", "at least 16 characters").await;
    a.type_into("#hook-secret", SECRET).await;
    a.click("#hook-save").await;
    a.wait_text("#webhooks tr[data-name='erp']", "Customer / all").await;
    a.wait_text("#webhooks tr[data-name='erp'] .hook-state", "Enabled").await;

    // A change it selects arrives at the receiver, signed; the page shows the attempt and no lag.
    app.ok("customer", "saveCustomer", json!({"name": "Acme"})).await;
    let first = delivered(inbox, 1).await;
    let (signature, body) = inbox.lock().unwrap()[0].clone();
    assert!(helpers::verifies(SECRET, &signature, &body), "{signature} {body}");
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["record"]["name"], json!("Acme"));
    // The attempt is logged just after the receiver answers: refresh until the page shows it.
    let started = std::time::Instant::now();
    loop {
        a.click("#webhooks tr[data-name='erp'] .hook-attempts").await;
        let shown = a
            .js(
                "const t = document.querySelector('#hook-attempts'); return t ? t.innerText : ''",
                json!([]),
            )
            .await;
        if shown.as_str().unwrap_or_default().contains("delivered") {
            break;
        }
        assert!(started.elapsed() < std::time::Duration::from_secs(20), "no attempt shown: {shown}");
        a.click("#hooks-refresh").await;
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let attempts = a.wait_text("#hook-attempts", "200").await;
    assert!(attempts.contains(&first[0].to_string()), "{attempts}");
    a.wait_text("#webhooks tr[data-name='erp'] .hook-lag", "delivered up to").await;
    a.js("document.querySelector('#hooks-title').scrollIntoView()", json!([])).await;
    shot(a, &shots, "23-admin-webhooks").await;
    assert_eq!(unlabelled(a).await, json!([]), "unlabelled controls on the webhooks page");

    // Replay from that event: the confirmation names the consequence; the event comes again.
    a.type_into("#webhooks tr[data-name='erp'] .replay-from", &first[0].to_string())
        .await;
    a.click("#webhooks tr[data-name='erp'] .replay-submit").await;
    a.accept_confirm(&format!("Events from {} on will be sent again", first[0])).await;
    a.wait_text("main .banner.ok", "will be sent again").await;
    let again = delivered(inbox, 2).await;
    assert_eq!(again, [first[0], first[0]], "the replayed event is sent again");

    // Edit with the secret box left empty: the page says so, and the stored secret keeps signing.
    a.click("#webhooks tr[data-name='erp'] .hook-edit").await;
    a.wait_text("[data-field='secret']", "Leave empty to keep it").await;
    a.type_into("#hook-entities", "Customer, Material").await;
    a.click("#hook-save").await;
    a.wait_text("#webhooks tr[data-name='erp']", "Customer, Material / all").await;
    app.ok("customer", "saveCustomer", json!({"name": "Globex"})).await;
    delivered(inbox, 3).await;
    let (signature, body) = inbox.lock().unwrap()[2].clone();
    assert!(helpers::verifies(SECRET, &signature, &body), "the kept secret signs: {signature}");

    // Disable (confirmed, saying what it means), then enable again.
    a.click("#webhooks tr[data-name='erp'] .hook-toggle").await;
    a.accept_confirm("not sent later").await;
    a.wait_text("#webhooks tr[data-name='erp'] .hook-state", "Disabled").await;
    assert_eq!(app.ok("integration", "getWebhook", json!(["erp"])).await["enabled"], json!(false));
    a.click("#webhooks tr[data-name='erp'] .hook-toggle").await;
    a.wait_text("#webhooks tr[data-name='erp'] .hook-state", "Enabled").await;

    // Delete, confirmed: gone from the page and from the server.
    a.click("#webhooks tr[data-name='erp'] .hook-delete").await;
    a.accept_confirm("Delete webhook erp?").await;
    a.wait_text("#no-webhooks", "No webhooks yet").await;
    assert_eq!(app.ok("integration", "getAllWebhooks", json!(null)).await, json!([]));

    // Someone who holds INTEGRATION but not SYSTEM.ADMIN finds the page, with the webhooks only.
    app.ok(
        "security",
        "saveRole",
        json!({"name": "Integrator", "permissions": ["INTEGRATION", "PRODUCTION_ORDER.READ.GET"]}),
    )
    .await;
    app.ok("security", "saveUser", json!({"name": "ivan", "roles": ["Integrator"]}))
        .await;
    app.ok("security", "setUserPassword", json!(["ivan", "ivan-pass-1"])).await;
    a.click("#logout").await;
    a.find("#login-name").await;
    login(a, &base, "ivan", "ivan-pass-1").await;
    a.wait_until(
        "[...document.querySelectorAll('#nav a')].filter(l => l.getAttribute('href') === '#/admin').length === 1",
        "one Admin link in the menu",
    )
    .await;
    a.goto(&format!("{base}/#/admin")).await;
    a.wait_text("#hooks-title", "Webhooks").await;
    a.find("#new-webhook").await;
    assert!(!a.exists("table[data-entity='User']").await, "no users without SYSTEM.ADMIN");
}
