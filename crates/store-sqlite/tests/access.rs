//! API tokens and dashboard sessions: lookups by hash, revocation, expiry
//! and the audit rows of the `access` stream.

use jiff::{SignedDuration, Timestamp};
use tempfile::TempDir;
use wharf_store::{NewSession, NewToken, Role, Store, StoreError};
use wharf_store_sqlite::SqliteStore;

async fn open_store() -> (TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("wharf.db"))
        .await
        .unwrap();
    (dir, store)
}

fn token(name: &str, hash: &str) -> NewToken {
    NewToken {
        name: name.to_owned(),
        role: Role::Operator,
        site: Some("main".to_owned()),
        hash: hash.to_owned(),
        created_by: "admin".to_owned(),
    }
}

fn session(hash: &str, token_id: i64, expires_in: SignedDuration) -> NewSession {
    NewSession {
        hash: hash.to_owned(),
        token_id,
        csrf: "csrf-value".to_owned(),
        expires_at: Timestamp::now().checked_add(expires_in).unwrap(),
    }
}

#[tokio::test]
async fn token_found_by_hash_only() {
    let (_dir, store) = open_store().await;
    let created = store.create_token(token("ops", "hash-1")).await.unwrap();

    let found = store.token_by_hash("hash-1").await.unwrap().unwrap();
    assert_eq!(found, created);
    assert_eq!(found.site.as_deref(), Some("main"));
    assert!(store.token_by_hash("hash-2").await.unwrap().is_none());
    let audit = store.trace("access").await.unwrap();
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].action, "token_created");
    assert!(!audit[0].detail.contains("hash-1"), "{}", audit[0].detail);
}

#[tokio::test]
async fn revoke_ends_sessions_once() {
    let (_dir, store) = open_store().await;
    let created = store.create_token(token("ops", "hash-1")).await.unwrap();
    store
        .create_session(session(
            "cookie-1",
            created.id,
            SignedDuration::from_hours(1),
        ))
        .await
        .unwrap();
    assert!(store.session("cookie-1").await.unwrap().is_some());

    store.revoke_token(created.id, "admin").await.unwrap();

    assert!(store.token_by_hash("hash-1").await.unwrap().is_none());
    assert!(store.session("cookie-1").await.unwrap().is_none());
    let again = store.revoke_token(created.id, "admin").await.unwrap_err();
    assert!(matches!(again, StoreError::TokenAlreadyRevoked(id) if id == created.id));
    let unknown = store.revoke_token(999, "admin").await.unwrap_err();
    assert!(matches!(unknown, StoreError::TokenNotFound(999)));
    let actions: Vec<String> = store
        .trace("access")
        .await
        .unwrap()
        .into_iter()
        .map(|row| row.action)
        .collect();
    assert_eq!(actions, ["token_created", "token_revoked"]);
}

#[tokio::test]
async fn expired_session_not_found() {
    let (_dir, store) = open_store().await;
    let created = store.create_token(token("ops", "hash-1")).await.unwrap();
    store
        .create_session(session("old", created.id, SignedDuration::from_secs(-1)))
        .await
        .unwrap();

    assert!(store.session("old").await.unwrap().is_none());
}
