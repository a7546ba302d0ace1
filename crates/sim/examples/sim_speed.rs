//! Measures how many calls per second the Odoo simulator serves over HTTP.
//!
//! Seeds a data set, serves it on a loopback port and runs a bounded number
//! of rounds of the calls Wharf's flows make most. One round is a
//! `stock.picking` `search_read` of ready pickings by outgoing picking type
//! (limit 100, ordered by `write_date` as Wharf reads them), a
//! `stock.move` and a `stock.move.line` `search_read` by those picking ids,
//! a `stock.picking` `write` with `move_line_ids` commands, and a
//! `button_validate` of 20 pickings. The example prints the mean time per
//! call kind and the calls per second, and before the rounds the time of the
//! same picking search without HTTP.
//!
//! ```text
//! cargo run --release -p wharf-sim --example sim_speed -- --orders 2000 --rounds 30
//! ```
//!
//! Options: `--orders N` (default 2000), `--rounds N` (default 30, the loop
//! also stops after 120 seconds), `--version V` (17, 18 or 19, default 18).

// The example reports its measurement on the terminal.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use wharf_sim::odoo::{OdooSim, SeedOptions, SimOptions};

const DATABASE: &str = "wharf";
const API_KEY: &str = "speed-api-key";
const LOGIN: &str = "integration";
const MAX_DURATION: Duration = Duration::from_secs(120);
const VALIDATE_BATCH: usize = 20;

struct Settings {
    orders: usize,
    rounds: usize,
    version: u8,
}

fn parse_settings() -> Result<Settings, String> {
    let mut settings = Settings {
        orders: 2000,
        rounds: 30,
        version: 18,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| format!("missing value after {flag}"))?;
        let invalid = |_| format!("invalid value {value:?} for {flag}");
        match flag.as_str() {
            "--orders" => settings.orders = value.parse().map_err(invalid)?,
            "--rounds" => settings.rounds = value.parse().map_err(invalid)?,
            "--version" => settings.version = value.parse().map_err(invalid)?,
            other => {
                return Err(format!(
                    "unknown option {other}; use --orders, --rounds or --version"
                ))
            }
        }
    }
    Ok(settings)
}

/// A JSON-RPC client of one simulator that times each call by kind.
struct Client {
    http: reqwest::Client,
    url: String,
    uid: i64,
    timings: BTreeMap<&'static str, (u32, Duration)>,
    errors: u32,
}

impl Client {
    async fn call(
        &mut self,
        kind: &'static str,
        model: &str,
        method: &str,
        args: Value,
        kwargs: Value,
    ) -> Value {
        let body = json!({"jsonrpc": "2.0", "method": "call", "id": 1, "params": {
            "service": "object", "method": "execute_kw",
            "args": [DATABASE, self.uid, API_KEY, model, method, args, kwargs]}});
        let started = Instant::now();
        let response: Value = self
            .http
            .post(&self.url)
            .json(&body)
            .send()
            .await
            .expect("the loopback simulator accepts the request")
            .json()
            .await
            .expect("the simulator returns a JSON body");
        let entry = self.timings.entry(kind).or_default();
        entry.0 += 1;
        entry.1 += started.elapsed();
        if response.get("error").is_some() {
            self.errors += 1;
        }
        response.get("result").cloned().unwrap_or(Value::Null)
    }
}

fn ids_of(records: &Value) -> Vec<i64> {
    records
        .as_array()
        .map(|items| items.iter().filter_map(|r| r["id"].as_i64()).collect())
        .unwrap_or_default()
}

/// Runs one round of calls and returns false when no ready picking is left.
async fn run_round(client: &mut Client, outgoing_types: &[i64]) -> bool {
    let pickings = client
        .call(
            "picking search_read",
            "stock.picking",
            "search_read",
            json!([[
                ["picking_type_id", "in", outgoing_types],
                ["state", "=", "assigned"]
            ]]),
            json!({"fields": ["name", "state", "write_date", "scheduled_date", "origin", "sale_id",
                              "partner_id", "picking_type_id", "carrier_id"],
                   "limit": 100, "order": "write_date asc, id asc"}),
        )
        .await;
    let picking_ids = ids_of(&pickings);
    if picking_ids.is_empty() {
        return false;
    }

    client
        .call(
            "move search_read",
            "stock.move",
            "search_read",
            json!([[["picking_id", "in", picking_ids]]]),
            json!({"fields": ["picking_id", "product_id", "product_uom_qty", "product_uom"], "order": "id"}),
        )
        .await;
    let lines = client
        .call(
            "move line search_read",
            "stock.move.line",
            "search_read",
            json!([[["picking_id", "in", picking_ids]]]),
            json!({"fields": ["move_id", "lot_id", "picking_id", "quantity"], "order": "id"}),
        )
        .await;

    // Mark the reserved lines of the first picking as picked, as a shipment report does.
    let first = picking_ids[0];
    let commands: Vec<Value> = lines
        .as_array()
        .into_iter()
        .flatten()
        .filter(|line| line["picking_id"][0].as_i64() == Some(first))
        .map(|line| json!([1, line["id"], {"quantity": line["quantity"], "picked": true}]))
        .collect();
    client
        .call(
            "picking write",
            "stock.picking",
            "write",
            json!([[first], {"move_line_ids": commands}]),
            json!({}),
        )
        .await;

    let batch: Vec<i64> = picking_ids.iter().copied().take(VALIDATE_BATCH).collect();
    client
        .call(
            "button_validate x20",
            "stock.picking",
            "button_validate",
            json!([batch]),
            json!({"context": {"skip_backorder": true, "picking_ids_not_to_backorder": [],
                               "skip_sms": true, "skip_expired": true}}),
        )
        .await;
    true
}

#[tokio::main]
async fn main() {
    let settings = match parse_settings() {
        Ok(settings) => settings,
        Err(message) => {
            eprintln!("sim_speed: {message}");
            std::process::exit(2);
        }
    };

    let sim = OdooSim::new(SimOptions {
        version: settings.version,
        database: DATABASE.into(),
        api_key: API_KEY.into(),
        login: LOGIN.into(),
        password: "speed-password".into(),
    })
    .expect("a supported Odoo version");
    let started = Instant::now();
    let report = sim
        .seed_demo(&SeedOptions {
            orders: settings.orders,
            seed: 7,
            ..SeedOptions::default()
        })
        .expect("seeding succeeds");
    println!(
        "seeded {} orders and {} pickings in {:.2} s",
        report.order_ids.len(),
        report.picking_ids.len(),
        started.elapsed().as_secs_f64()
    );

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a loopback port");
    let url = format!(
        "http://{}/jsonrpc",
        listener.local_addr().expect("local address")
    );
    let uid = sim.user_id(LOGIN).expect("the integration user exists");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(sim.clone().serve(listener, async {
        let _ = stopped.await;
    }));

    // Wharf reads ready pickings by the outgoing picking types of its warehouses.
    let outgoing_types: Vec<i64> = sim
        .admin_call(
            "stock.picking.type",
            "search",
            None,
            json!({"domain": [["code", "=", "outgoing"]]}),
            json!({}),
        )
        .expect("the picking type search succeeds")
        .as_array()
        .map(|ids| ids.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();

    // The same picking search without HTTP, to separate the simulator's own time.
    let started = Instant::now();
    for _ in 0..10 {
        sim.admin_call(
            "stock.picking",
            "search_read",
            None,
            json!({"domain": [["picking_type_id", "in", outgoing_types], ["state", "=", "assigned"]],
                   "fields": ["name", "state", "write_date", "scheduled_date", "origin", "sale_id",
                              "partner_id", "picking_type_id", "carrier_id"],
                   "limit": 100, "order": "write_date asc, id asc"}),
            json!({}),
        )
        .expect("the picking search succeeds");
    }
    println!(
        "picking search_read without HTTP: mean {:.3} ms",
        started.elapsed().as_secs_f64() * 100.0
    );

    let mut client = Client {
        http: reqwest::Client::new(),
        url,
        uid,
        timings: BTreeMap::new(),
        errors: 0,
    };
    let started = Instant::now();
    let mut rounds = 0;
    while rounds < settings.rounds && started.elapsed() < MAX_DURATION {
        if !run_round(&mut client, &outgoing_types).await {
            break;
        }
        rounds += 1;
    }
    let elapsed = started.elapsed();

    let _ = stop.send(());
    let _ = server.await;

    let calls: u32 = client.timings.values().map(|(count, _)| count).sum();
    for (kind, (count, total)) in &client.timings {
        println!(
            "{kind:<24} {count:>5} calls, mean {:>8.3} ms",
            total.as_secs_f64() * 1000.0 / f64::from(*count)
        );
    }
    println!(
        "{rounds} rounds, {calls} calls ({} failed) in {:.2} s: {:.1} calls/s",
        client.errors,
        elapsed.as_secs_f64(),
        f64::from(calls) / elapsed.as_secs_f64()
    );
}
