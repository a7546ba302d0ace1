//! The least-privilege check against the Odoo simulator on Odoo 17, 18 and
//! 19: an account with exactly the flows' rights, one missing a right, one
//! with too much, and one without stock rights.

use wharf_odoo::access::{check_flows, check_privileges, Access, Flow, Operation, Right};
use wharf_odoo::{Client, OdooConfig, Protocol};
use wharf_sim::odoo::{AccessProfile, OdooSim, SeedOptions, SimOptions, UserRights};

const VERSIONS: [u8; 3] = [17, 18, 19];

/// A simulator serving on a loopback port until dropped.
struct Running {
    sim: OdooSim,
    url: String,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn start(version: u8) -> Running {
    let sim = OdooSim::new(SimOptions {
        version,
        database: "wharf".into(),
        api_key: "main-key".into(),
        login: "integration".into(),
        password: "main-password".into(),
    })
    .expect("simulator");
    sim.seed_demo(&SeedOptions::default()).expect("seed");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let url = format!("http://{}", listener.local_addr().expect("address"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = sim.clone();
    tokio::spawn(async move {
        let _ = server
            .serve(listener, async {
                let _ = stopped.await;
            })
            .await;
    });
    Running {
        sim,
        url,
        _stop: stop,
    }
}

/// Connects as `login`, whose api key is `key`; 19 uses JSON-2, 17 and 18 JSON-RPC.
async fn connect(running: &Running, login: &str, key: &str) -> Client {
    let env = format!(
        "WHARF_PRIVILEGES_TEST_KEY_{}_{login}",
        running.sim.version()
    )
    .replace('.', "_");
    std::env::set_var(&env, key);
    let mut config = OdooConfig::new(&running.url, "wharf", login);
    config.api_key_env = Some(env);
    config.protocol = Protocol::Auto;
    config.timeout_secs = 5;
    config.connect_timeout_secs = 2;
    Client::connect(&config).await.expect("connect")
}

async fn profile_client(running: &Running, profile: AccessProfile) -> Client {
    let login = format!("{profile:?}").to_lowercase();
    let key = format!("{login}-key");
    running.sim.add_profile_user(&login, &key, profile);
    connect(running, &login, &key).await
}

#[tokio::test]
async fn exact_rights_pass_on_every_version() {
    for version in VERSIONS {
        let running = start(version).await;
        let client = profile_client(&running, AccessProfile::Integration).await;

        let report = check_flows(&client, &Flow::ALL).await.expect("check");

        assert!(
            report.missing().is_empty(),
            "{version}: missing {:?}",
            report.missing()
        );
        assert!(
            report.excess().is_empty(),
            "{version}: excess {:?}",
            report.excess()
        );
        // The seeded data set has no purchase module.
        let unknown: Vec<_> = report
            .needed
            .iter()
            .chain(&report.beyond)
            .filter(|s| matches!(s.access, Access::Unknown(_)) && s.right.model != "purchase.order")
            .collect();
        assert!(unknown.is_empty(), "{version}: unknown {unknown:?}");
    }
}

#[tokio::test]
async fn call_count_is_one_per_right_and_group() {
    for version in VERSIONS {
        let running = start(version).await;
        let client = profile_client(&running, AccessProfile::Integration).await;
        running.sim.reset_call_counts();

        let report = check_flows(&client, &Flow::ALL).await.expect("check");

        let probes = report.needed.len()
            + report.beyond.len()
            + report.needed_groups.len()
            + report.beyond_groups.len();
        // Over JSON-2 the first has_group costs one context_get for the uid.
        let uid_lookup = usize::from(version >= 19);
        let expected = u64::try_from(probes + uid_lookup).expect("count");
        assert_eq!(report.calls, expected, "{version}: report's count");
        let served: u64 = running.sim.call_counts().values().sum();
        assert_eq!(served, expected, "{version}: calls the simulator served");
    }
}

#[tokio::test]
async fn probe_method_per_version() {
    for (version, method) in [
        (17, "check_access_rights"),
        (18, "has_access"),
        (19, "has_access"),
    ] {
        let running = start(version).await;
        let client = profile_client(&running, AccessProfile::Integration).await;
        running.sim.reset_call_counts();

        check_flows(&client, &[Flow::Release]).await.expect("check");

        let counts = running.sim.call_counts();
        assert_eq!(
            counts.get(&format!("stock.picking.{method}")),
            Some(&1),
            "{version}: {counts:?}"
        );
    }
}

#[tokio::test]
async fn missing_right_is_reported() {
    for version in VERSIONS {
        let running = start(version).await;
        let mut rights = AccessProfile::Integration.rights(version);
        rights
            .rights
            .remove(&("stock.quant".to_owned(), "write".to_owned()));
        running.sim.add_credential("counter", "counter-key", true);
        running
            .sim
            .set_user_rights("counter", rights)
            .expect("rights");
        let client = connect(&running, "counter", "counter-key").await;

        let report = check_flows(&client, &Flow::ALL).await.expect("check");

        assert_eq!(
            report.missing(),
            vec!["stock.quant write".to_owned()],
            "{version}"
        );
        assert!(
            report.excess().is_empty(),
            "{version}: {:?}",
            report.excess()
        );
    }
}

#[tokio::test]
async fn too_broad_account_is_reported() {
    for version in VERSIONS {
        let running = start(version).await;
        let client = profile_client(&running, AccessProfile::TooBroad).await;

        let report = check_flows(&client, &Flow::ALL).await.expect("check");

        assert!(
            report.missing().is_empty(),
            "{version}: {:?}",
            report.missing()
        );
        let excess = report.excess();
        for expected in [
            "res.users write",
            "ir.model.access write",
            "account.move create",
            "res.partner unlink",
            "sale.order unlink",
            "base.group_system",
            "account.group_account_manager",
        ] {
            assert!(
                excess.contains(&expected.to_owned()),
                "{version}: {expected} not in {excess:?}"
            );
        }
        // Odoo 17 needs the stock manager group to apply counts.
        let manager_is_excess = excess.contains(&"stock.group_stock_manager".to_owned());
        assert_eq!(manager_is_excess, version >= 18, "{version}: {excess:?}");
    }
}

#[tokio::test]
async fn purchase_not_installed_is_unknown() {
    let running = start(18).await;
    let client = profile_client(&running, AccessProfile::TooBroad).await;
    let purchase = Right {
        model: "purchase.order",
        operation: Operation::Unlink,
    };

    let report = check_privileges(&client, &[], &[purchase], &[])
        .await
        .expect("check");

    assert_eq!(report.beyond.len(), 1);
    match &report.beyond[0].access {
        Access::Unknown(error) => assert!(error.contains("purchase.order"), "{error}"),
        other => panic!("expected an unknown answer, got {other:?}"),
    }
}

#[tokio::test]
async fn noaccess_user_misses_stock_rights() {
    for version in VERSIONS {
        let running = start(version).await;
        let client = profile_client(&running, AccessProfile::NoAccess).await;

        let report = check_flows(&client, &[Flow::Shipment])
            .await
            .expect("check");

        let missing = report.missing();
        assert!(
            missing.contains(&"stock.picking write".to_owned()),
            "{version}: {missing:?}"
        );
        assert!(
            missing.contains(&"stock.move.line write".to_owned()),
            "{version}: {missing:?}"
        );
        assert!(
            report.excess().is_empty(),
            "{version}: {:?}",
            report.excess()
        );
    }
}

#[tokio::test]
async fn recorded_groups_decide_without_a_table() {
    // The main user keeps the group names of the simulator's data set:
    // Inventory / Administrator and Sales / User: All Documents.
    let running = start(18).await;
    let client = connect(&running, "integration", "main-key").await;

    let report = check_flows(&client, &Flow::ALL).await.expect("check");

    assert!(report.missing().is_empty(), "{:?}", report.missing());
    let excess = report.excess();
    assert!(
        excess.contains(&"stock.group_stock_manager".to_owned()),
        "{excess:?}"
    );
    assert!(
        !excess.contains(&"res.users write".to_owned()),
        "{excess:?}"
    );
}

#[tokio::test]
async fn explicit_table_blocks_calls() {
    let running = start(19).await;
    running.sim.add_credential("reader", "reader-key", true);
    let rights = UserRights::new(&[("stock.picking", "read")], &["base.group_user"]);
    running
        .sim
        .set_user_rights("reader", rights)
        .expect("rights");
    let client = connect(&running, "reader", "reader-key").await;

    let read = client
        .search("stock.picking", serde_json::json!([]), Default::default())
        .await;
    let write = client
        .write("stock.picking", &[1], serde_json::Map::new())
        .await;

    assert!(read.is_ok(), "{read:?}");
    let error = write.expect_err("write without the right");
    assert_eq!(
        error.odoo_name(),
        Some("odoo.exceptions.AccessError"),
        "{error}"
    );
}

#[test]
fn simulator_profile_matches_flow_tables() {
    let needed: std::collections::BTreeSet<(String, String)> =
        wharf_odoo::access::needed_rights(&Flow::ALL)
            .iter()
            .map(|r| (r.model.to_owned(), r.operation.as_str().to_owned()))
            .collect();
    for version in VERSIONS {
        let profile = AccessProfile::Integration.rights(version);
        assert_eq!(profile.rights, needed, "{version}");
    }
}

#[tokio::test]
async fn rejected_key_fails_the_check() {
    let running = start(19).await;
    let client = connect(&running, "integration", "not-the-key").await;

    let result = check_flows(&client, &Flow::ALL).await;

    let error = result.expect_err("a rejected key");
    assert_eq!(error.kind(), wharf_odoo::ErrorKind::Permanent, "{error}");
    let probes = client
        .call_counts()
        .keys()
        .filter(|call| call.ends_with(".has_access") || call.ends_with(".has_group"))
        .count();
    assert_eq!(probes, 0, "{:?}", client.call_counts());
}
