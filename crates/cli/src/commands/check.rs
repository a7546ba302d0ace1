//! `wharf check`: validates the configuration, then reaches the store, Odoo
//! and every site's folders, and reports each check on its own line.

use std::path::Path;
use std::process::ExitCode;

use crate::config::Config;
use crate::hub;

pub async fn check(config_path: &Path) -> anyhow::Result<ExitCode> {
    let config = Config::load(config_path)?;
    println!("ok   configuration {}", config_path.display());
    let mut failures = 0;

    match hub::open_store(&config).await {
        Ok(_) => println!("ok   store {}", config.store.path.display()),
        Err(error) => {
            failures += 1;
            println!("FAIL store: {error:#}");
        }
    }

    match wharf_odoo::Client::connect(&config.odoo).await {
        Ok(client) => {
            println!(
                "ok   odoo {} database {}: version {}, protocol {:?}",
                config.odoo.url,
                config.odoo.database,
                client.version(),
                client.protocol()
            );
            match client.has_group("stock.group_stock_user").await {
                Ok(true) => println!("ok   odoo user {} has Inventory / User", config.odoo.login),
                Ok(false) => {
                    failures += 1;
                    println!("FAIL odoo user {} lacks Inventory / User (stock.group_stock_user); grant it in Odoo", config.odoo.login);
                }
                Err(error) => {
                    failures += 1;
                    println!("FAIL odoo rights check: {error}");
                }
            }
        }
        Err(error) => {
            failures += 1;
            println!("FAIL odoo {}: {error}", config.odoo.url);
        }
    }

    for site in &config.sites {
        let source = wharf_transports::FolderSource::new(site.folder.clone());
        let sink = wharf_transports::FolderSink::new(site.folder.clone());
        let checked = match source.check().await {
            Ok(()) => sink.check().await,
            Err(error) => Err(error),
        };
        match checked {
            Ok(()) => println!("ok   site {} folders", site.rules.code),
            Err(error) => {
                failures += 1;
                println!("FAIL site {} folders: {error}", site.rules.code);
            }
        }
        if let Some(folder) = &site.inventory_folder {
            let source = wharf_transports::FolderSource::new(folder.clone());
            match source.check().await {
                Ok(()) => println!("ok   site {} inventory folders", site.rules.code),
                Err(error) => {
                    failures += 1;
                    println!("FAIL site {} inventory folders: {error}", site.rules.code);
                }
            }
        }
        if let Err(error) = hub::site(site) {
            failures += 1;
            println!("FAIL site {} layouts: {error:#}", site.rules.code);
        }
    }

    if failures == 0 {
        Ok(ExitCode::SUCCESS)
    } else {
        println!("{failures} check(s) failed");
        Ok(ExitCode::FAILURE)
    }
}
