//! The example configuration in `examples/wharf.toml` must load, match the
//! defaults its comments state, and decode the 3PL's confirmation records
//! with its explicit layout. A misspelled key must be reported with its line.

use std::path::{Path, PathBuf};

use wharf::config::{Config, LogFormat};
use wharf_engine::{EngineSettings, ReleaseMode, ShortShipmentRule};
use wharf_formats::{Encoding, LineEnding};
use wharf_odoo::{OdooConfig, Protocol};
use wharf_transports::Completion;

fn example_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/wharf.toml")
}

fn example_text() -> String {
    std::fs::read_to_string(example_path()).expect("examples/wharf.toml is readable")
}

fn load_example() -> Config {
    match Config::load(&example_path()) {
        Ok(config) => config,
        Err(error) => panic!("examples/wharf.toml does not load: {error:#}"),
    }
}

/// Returns the 1-based number of the only line that starts with `prefix`.
fn line_of(text: &str, prefix: &str) -> usize {
    let lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, line)| line.starts_with(prefix))
        .map(|(index, _)| index + 1)
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "expected one line starting with {prefix:?}, found {lines:?}"
    );
    lines[0]
}

/// Writes `text` as `wharf.toml` in a new temporary folder and loads it.
fn load_text(text: &str) -> (tempfile::TempDir, anyhow::Result<Config>) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("wharf.toml");
    std::fs::write(&path, text).expect("write the copy");
    let loaded = Config::load(&path);
    (dir, loaded)
}

/// Replaces the one line that starts with `prefix` by `replacement`, and
/// returns the new text with the replaced line's number.
fn replace_line(text: &str, prefix: &str, replacement: &str) -> (String, usize) {
    let line = line_of(text, prefix);
    let replaced: Vec<&str> = text
        .lines()
        .enumerate()
        .map(|(index, original)| {
            if index + 1 == line {
                replacement
            } else {
                original
            }
        })
        .collect();
    (replaced.join("\n") + "\n", line)
}

#[test]
fn example_loads_sites_and_odoo() {
    let config = load_example();

    let codes: Vec<&str> = config
        .sites
        .iter()
        .map(|site| site.rules.code.as_str())
        .collect();
    assert_eq!(codes, ["main", "east"]);
    assert_eq!(config.sites[0].rules.warehouses, ["WH"]);
    assert_eq!(config.sites[1].rules.warehouses, ["EAST"]);

    assert_eq!(config.odoo.protocol, Protocol::Json2);
    assert_eq!(
        config.odoo.api_key_env.as_deref(),
        Some("WHARF_ODOO_API_KEY")
    );
    assert_eq!(config.odoo.api_key_file, None);
    assert_eq!(config.log.format, LogFormat::Text);

    let main = &config.sites[0];
    assert_eq!(main.rules.release_mode, ReleaseMode::PerPicking);
    assert_eq!(main.rules.short_shipment, ShortShipmentRule::Backorder);
    assert_eq!(main.folder.completion, Completion::StableForMs(2000));
    assert!(
        main.order_layout.is_none(),
        "site main uses the built-in order layout"
    );
    assert!(
        main.confirmation_layout.is_none(),
        "site main uses the built-in confirmation layout"
    );

    let east = &config.sites[1];
    assert_eq!(east.rules.short_shipment, ShortShipmentRule::Cancel);
    assert_eq!(
        east.folder.completion,
        Completion::TempSuffix(".tmp".to_owned())
    );
    assert_eq!(east.folder.file_suffix, "");
    assert!(
        east.order_layout.is_none(),
        "site east uses the built-in order layout"
    );
}

#[test]
fn example_paths_relative_to_file() {
    let config = load_example();
    let examples = example_path()
        .parent()
        .expect("examples folder")
        .to_path_buf();

    assert_eq!(config.store.path, examples.join("var/wharf.db"));
    let main = &config.sites[0].folder;
    assert_eq!(main.read_dir, examples.join("sites/main/outbound"));
    assert_eq!(main.write_dir, examples.join("sites/main/inbound"));
    assert_eq!(main.archive_dir, examples.join("sites/main/archive"));
    assert_eq!(main.error_dir, examples.join("sites/main/error"));
}

/// The example sets the engine and Odoo timing keys to their defaults and
/// its comments state those defaults, so a changed default fails here.
#[test]
fn example_defaults_match_code() {
    let config = load_example();
    let engine = &config.engine;
    let defaults = EngineSettings::default();
    assert_eq!(engine.odoo_poll_interval_ms, defaults.odoo_poll_interval_ms);
    assert_eq!(
        engine.folder_scan_interval_ms,
        defaults.folder_scan_interval_ms
    );
    assert_eq!(engine.odoo_batch_size, defaults.odoo_batch_size);
    assert_eq!(engine.max_attempts, defaults.max_attempts);
    assert_eq!(engine.backoff_initial_ms, defaults.backoff_initial_ms);
    assert_eq!(engine.backoff_max_ms, defaults.backoff_max_ms);
    assert_eq!(engine.poll_overlap_secs, defaults.poll_overlap_secs);
    assert_eq!(engine.lease_secs, defaults.lease_secs);
    assert_eq!(
        engine.held_recheck_interval_ms,
        defaults.held_recheck_interval_ms
    );

    let odoo_defaults = OdooConfig::new("http://127.0.0.1:1", "db", "login");
    assert_eq!(config.odoo.timeout_secs, odoo_defaults.timeout_secs);
    assert_eq!(
        config.odoo.connect_timeout_secs,
        odoo_defaults.connect_timeout_secs
    );
    assert_eq!(config.odoo.page_size, odoo_defaults.page_size);
}

#[test]
fn example_semicolon_layout_parsed() {
    let config = load_example();
    let layout = config.sites[1]
        .confirmation_layout
        .as_ref()
        .expect("site east has a confirmation layout");

    assert_eq!(layout.delimiter, ";");
    assert_eq!(layout.quote, "none");
    assert!(!layout.header);
    assert_eq!(layout.encoding, Encoding::Utf8);
    assert_eq!(layout.line_ending, LineEnding::Lf);
    assert_eq!(layout.placeholders, ["_"]);
    assert_eq!(layout.column_count, Some(11));
    let filter = layout.record_filter.as_ref().expect("record filter");
    assert_eq!((filter.position, filter.equals.as_str()), (0, "ODC"));
    assert_eq!(layout.columns.len(), 11);
    assert_eq!(layout.columns[3].strip_suffix.as_deref(), Some(".OS"));
}

#[test]
fn example_semicolon_layout_decodes() {
    let config = load_example();
    let layout = config.sites[1]
        .confirmation_layout
        .as_ref()
        .expect("site east has a confirmation layout");
    let file = "\
ODC;EAST/OUT/00042;_;SKU-RED-M.OS;990099;2.0;_;CARR1;_;_;Complete
PAH;not;a;despatch;record
ODC;EAST/OUT/00042;_;SKU-RED-L.OS;990099;1.0;_;CARR1;_;_;Complete
ODC;east/out/00043;_;SKU-BLU-S.OS;990099;0.0;_;CARR1;_;00340434161234567890;Complete
";

    let confirmations = match wharf_formats::decode_confirmations(layout, file.as_bytes()) {
        Ok(confirmations) => confirmations,
        Err(error) => panic!("the example's ODC layout does not decode: {error}"),
    };

    assert_eq!(confirmations.len(), 2);
    let first = &confirmations[0];
    assert_eq!(first.picking_ref, "EAST/OUT/00042");
    let skus: Vec<&str> = first.lines.iter().map(|line| line.sku.as_str()).collect();
    assert_eq!(skus, ["SKU-RED-M", "SKU-RED-L"]);
    assert_eq!(first.lines[0].quantity.to_string(), "2.0");
    assert_eq!(first.carrier.as_deref(), Some("CARR1"));
    assert!(
        first.tracking_numbers.is_empty(),
        "`_` is a placeholder, not a tracking number"
    );

    let second = &confirmations[1];
    assert_eq!(
        second.picking_ref, "EAST/OUT/00043",
        "picking names are folded to upper case"
    );
    assert_eq!(second.tracking_numbers, ["00340434161234567890"]);
}

#[test]
fn misspelled_engine_key_names_line() {
    let (text, line) = replace_line(
        &example_text(),
        "odoo_poll_interval_ms =",
        "odoo_pol_interval_ms = 2000",
    );
    let (_dir, loaded) = load_text(&text);

    let error = match loaded {
        Ok(_) => panic!("a configuration with odoo_pol_interval_ms loaded without error"),
        Err(error) => format!("{error:#}"),
    };
    assert!(
        error.contains("odoo_pol_interval_ms"),
        "the error does not name the key: {error}"
    );
    assert!(
        error.contains(&format!("line {line}")),
        "the error does not name line {line}: {error}"
    );
}

#[test]
fn misspelled_site_key_names_line() {
    // Site keys go through `#[serde(flatten)]`, which buffers the values and
    // loses their position, so this case needs its own check.
    let (text, line) = replace_line(
        &example_text(),
        "short_shipment = \"cancel\"",
        "short_shipmnt = \"cancel\"",
    );
    let (_dir, loaded) = load_text(&text);

    let error = match loaded {
        Ok(_) => panic!("a configuration with short_shipmnt loaded without error"),
        Err(error) => format!("{error:#}"),
    };
    assert!(
        error.contains("short_shipmnt"),
        "the error does not name the key: {error}"
    );
    assert!(
        error.contains(&format!("line {line}")),
        "the error does not name line {line}: {error}"
    );
}

#[test]
fn wrong_site_value_names_line() {
    let (text, line) = replace_line(
        &example_text(),
        "short_shipment = \"cancel\"",
        "short_shipment = \"cancl\"",
    );
    let (_dir, loaded) = load_text(&text);

    let error = match loaded {
        Ok(_) => panic!("a configuration with short_shipment = \"cancl\" loaded without error"),
        Err(error) => format!("{error:#}"),
    };
    assert!(
        error.contains("short_shipment"),
        "the error does not name the key: {error}"
    );
    assert!(
        error.contains("cancl"),
        "the error does not name the value: {error}"
    );
    assert!(
        error.contains(&format!("line {line}")),
        "the error does not name line {line}: {error}"
    );
}

#[test]
fn zero_poll_interval_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let example = std::fs::read_to_string(example_path()).unwrap();
    let broken = example.replacen(
        "odoo_poll_interval_ms = 2000",
        "odoo_poll_interval_ms = 0",
        1,
    );
    assert_ne!(
        broken, example,
        "the example sets odoo_poll_interval_ms = 2000"
    );
    let path = dir.path().join("wharf.toml");
    std::fs::write(&path, broken).unwrap();

    let error = format!("{:#}", wharf::config::Config::load(&path).unwrap_err());
    assert!(error.contains("engine.odoo_poll_interval_ms"), "{error}");
    assert!(error.contains("50 or more"), "{error}");
}

#[test]
fn example_inventory_section_loads() {
    let config = load_example();
    let main = &config.sites[0];
    let inventory = main
        .inventory
        .as_ref()
        .expect("site main has inventory rules");

    assert_eq!(inventory.stock_location, "WH/Stock");
    assert_eq!(inventory.odoo_location("QUARANTINE"), "WH/Stock/Quarantine");
    assert_eq!(
        inventory.to_odoo_quantity("WID-100", Some("CS"), rust_decimal::Decimal::new(25, 2)),
        Ok(rust_decimal::Decimal::from(3))
    );
    assert!(!inventory.apply_within_threshold);
    let folder = main.inventory_folder.as_ref().expect("inventory folder");
    assert!(
        folder.read_dir.is_absolute(),
        "{}",
        folder.read_dir.display()
    );
    assert!(config.sites[1].inventory.is_none());
}

#[test]
fn misspelled_inventory_key_names_line() {
    let (text, line) = replace_line(
        &example_text(),
        "stock_location = ",
        "stock_locaton = \"WH/Stock\"",
    );
    let (_dir, loaded) = load_text(&text);

    let error = match loaded {
        Ok(_) => panic!("a configuration with stock_locaton loaded without error"),
        Err(error) => format!("{error:#}"),
    };
    assert!(
        error.contains("stock_locaton"),
        "the error does not name the key: {error}"
    );
    assert!(
        error.contains(&format!("line {line}")),
        "the error does not name line {line}: {error}"
    );
}
