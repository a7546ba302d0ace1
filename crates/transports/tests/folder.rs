//! Folder transport against real temporary folders.

use std::fs;
use std::path::Path;
use std::time::Duration;

use tempfile::TempDir;
use wharf_transports::{
    Completion, FolderConfig, FolderSink, FolderSource, TransportError, WriteOutcome,
};

fn setup(completion: Completion) -> (TempDir, FolderConfig) {
    let root = tempfile::tempdir().unwrap();
    let config = FolderConfig {
        read_dir: root.path().join("in"),
        write_dir: root.path().join("out"),
        archive_dir: root.path().join("archive"),
        error_dir: root.path().join("error"),
        file_suffix: ".csv".to_owned(),
        completion,
    };
    for dir in [
        &config.read_dir,
        &config.write_dir,
        &config.archive_dir,
        &config.error_dir,
    ] {
        fs::create_dir(dir).unwrap();
    }
    (root, config)
}

fn names(files: &[wharf_transports::IncomingFile]) -> Vec<&str> {
    files.iter().map(|file| file.name.as_str()).collect()
}

#[tokio::test]
async fn stable_file_needs_two_scans() {
    let (_root, config) = setup(Completion::StableForMs(150));
    let source = FolderSource::new(config.clone());
    let path = config.read_dir.join("a.csv");
    fs::write(&path, b"part").unwrap();

    assert!(
        source.scan().await.unwrap().is_empty(),
        "first sight is never complete"
    );
    tokio::time::sleep(Duration::from_millis(60)).await;
    fs::write(&path, b"part and more").unwrap();
    assert!(
        source.scan().await.unwrap().is_empty(),
        "a growing file is not complete"
    );
    tokio::time::sleep(Duration::from_millis(60)).await;
    assert!(
        source.scan().await.unwrap().is_empty(),
        "not yet stable for 150 ms"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;

    let files = source.scan().await.unwrap();

    assert_eq!(names(&files), ["a.csv"]);
    assert_eq!(files[0].bytes, b"part and more");
    assert_eq!(
        files[0].sha256,
        "8f338ebd03c13315e111a7fb5a0fbd6eb4f8ea656585757cdcc3240723ccb797"
    );
}

#[tokio::test]
async fn done_file_marks_completion() {
    let (_root, config) = setup(Completion::DoneFile(".done".to_owned()));
    let source = FolderSource::new(config.clone());
    fs::write(config.read_dir.join("a.csv"), b"1").unwrap();
    fs::write(config.read_dir.join("b.csv"), b"2").unwrap();

    assert!(source.scan().await.unwrap().is_empty());
    fs::write(config.read_dir.join("b.csv.done"), b"").unwrap();
    let files = source.scan().await.unwrap();
    assert_eq!(names(&files), ["b.csv"]);

    source.archive(&files[0]).await.unwrap();
    assert!(
        !config.read_dir.join("b.csv.done").exists(),
        "marker removed with its file"
    );
    assert!(config.archive_dir.join("b.csv").exists());
}

#[tokio::test]
async fn temp_suffix_files_skipped() {
    let (_root, config) = setup(Completion::TempSuffix(".tmp".to_owned()));
    let source = FolderSource::new(config.clone());
    fs::write(config.read_dir.join("b.csv"), b"2").unwrap();
    fs::write(config.read_dir.join("a.csv"), b"1").unwrap();
    fs::write(config.read_dir.join("c.csv.tmp"), b"partial").unwrap();
    fs::write(config.read_dir.join("notes.txt"), b"other suffix").unwrap();

    let files = source.scan().await.unwrap();

    assert_eq!(names(&files), ["a.csv", "b.csv"], "complete files, by name");
}

#[tokio::test]
async fn archive_name_collision_numbers() {
    let (_root, config) = setup(Completion::TempSuffix(".tmp".to_owned()));
    let source = FolderSource::new(config.clone());
    fs::write(config.archive_dir.join("a.csv"), b"earlier").unwrap();
    fs::write(config.archive_dir.join("a.1.csv"), b"earlier too").unwrap();
    fs::write(config.read_dir.join("a.csv"), b"new").unwrap();

    let files = source.scan().await.unwrap();
    let target = source.archive(&files[0]).await.unwrap();

    assert_eq!(target, config.archive_dir.join("a.2.csv"));
    assert_eq!(fs::read(&target).unwrap(), b"new");
    assert_eq!(
        fs::read(config.archive_dir.join("a.csv")).unwrap(),
        b"earlier"
    );
    assert!(!config.read_dir.join("a.csv").exists());
}

#[tokio::test]
async fn reject_writes_reason() {
    let (_root, config) = setup(Completion::TempSuffix(".tmp".to_owned()));
    let source = FolderSource::new(config.clone());
    fs::write(config.read_dir.join("bad.csv"), b"x").unwrap();

    let files = source.scan().await.unwrap();
    let target = source
        .reject(&files[0], "line 2: invalid quantity `abc`")
        .await
        .unwrap();

    assert_eq!(target, config.error_dir.join("bad.csv"));
    let reason = fs::read_to_string(config.error_dir.join("bad.csv.reason.txt")).unwrap();
    assert_eq!(reason, "line 2: invalid quantity `abc`\n");
    assert!(source.scan().await.unwrap().is_empty());
}

#[tokio::test]
async fn atomic_write_then_idempotent_rewrite() {
    let (_root, config) = setup(Completion::TempSuffix(".tmp".to_owned()));
    let sink = FolderSink::new(config.clone());

    let first = sink.write_atomic("o.csv", b"order".to_vec()).await.unwrap();
    let again = sink.write_atomic("o.csv", b"order".to_vec()).await.unwrap();

    let path = config.write_dir.join("o.csv");
    assert_eq!(first, WriteOutcome::Written { path: path.clone() });
    assert_eq!(again, WriteOutcome::AlreadyPresent { path: path.clone() });
    assert_eq!(fs::read(&path).unwrap(), b"order");
    assert!(
        !config.write_dir.join("o.csv.tmp").exists(),
        "no temporary file left"
    );
}

#[tokio::test]
async fn atomic_write_conflict_keeps_original() {
    let (_root, config) = setup(Completion::TempSuffix(".tmp".to_owned()));
    let sink = FolderSink::new(config.clone());
    sink.write_atomic("o.csv", b"order v1".to_vec())
        .await
        .unwrap();

    let error = sink
        .write_atomic("o.csv", b"order v2".to_vec())
        .await
        .unwrap_err();

    assert!(
        matches!(&error, TransportError::Conflict { path } if path.ends_with("o.csv")),
        "{error}"
    );
    assert!(error.to_string().contains("o.csv"), "{error}");
    assert!(!error.is_transient());
    assert_eq!(
        fs::read(config.write_dir.join("o.csv")).unwrap(),
        b"order v1"
    );
}

#[tokio::test]
async fn leftover_temp_file_replaced() {
    let (_root, config) = setup(Completion::TempSuffix(".tmp".to_owned()));
    let sink = FolderSink::new(config.clone());
    fs::write(config.write_dir.join("o.csv.tmp"), b"crashed half").unwrap();

    sink.write_atomic("o.csv", b"order".to_vec()).await.unwrap();

    assert_eq!(fs::read(config.write_dir.join("o.csv")).unwrap(), b"order");
}

#[tokio::test]
async fn write_rejects_path_names() {
    let (_root, config) = setup(Completion::TempSuffix(".tmp".to_owned()));
    let sink = FolderSink::new(config);

    for name in ["", "..", "../escape.csv", "a/b.csv"] {
        let error = sink.write_atomic(name, Vec::new()).await.unwrap_err();
        assert!(
            matches!(error, TransportError::InvalidName { .. }),
            "{name}: {error}"
        );
    }
}

#[tokio::test]
async fn check_reports_missing_folder() {
    let (root, config) = setup(Completion::StableForMs(1000));
    let source = FolderSource::new(config.clone());
    source.check().await.unwrap();

    fs::remove_dir(root.path().join("archive")).unwrap();
    let error = source.check().await.unwrap_err();

    assert!(
        matches!(
            error,
            TransportError::MissingFolder {
                key: "archive_dir",
                ..
            }
        ),
        "{error}"
    );
    assert!(error.to_string().contains("archive_dir"), "{error}");
}

#[cfg(unix)]
#[tokio::test]
async fn check_reports_read_only_folder() {
    use std::os::unix::fs::PermissionsExt;

    let (_root, mut config) = setup(Completion::StableForMs(1000));
    fs::set_permissions(&config.error_dir, fs::Permissions::from_mode(0o555)).unwrap();
    let sink_probe = config.error_dir.join("probe");
    if fs::write(&sink_probe, b"").is_ok() {
        // Root ignores permission bits. sysfs refuses new files even for
        // root, so the check is still exercised on a real folder.
        fs::remove_file(&sink_probe).unwrap();
        config.error_dir = std::path::PathBuf::from("/sys");
    }

    let error = FolderSource::new(config).check().await.unwrap_err();

    assert!(
        matches!(
            error,
            TransportError::NotWritable {
                key: "error_dir",
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn config_from_toml() {
    let config: FolderConfig = toml::from_str(
        r#"
        read_dir = "/srv/wms/out"
        write_dir = "/srv/wms/in"
        archive_dir = "/srv/wms/archive"
        error_dir = "/srv/wms/error"
        file_suffix = ".csv"
        completion = { stable_for_ms = 2000 }
        "#,
    )
    .unwrap();

    assert_eq!(config.completion, Completion::StableForMs(2000));
    assert_eq!(config.read_dir, Path::new("/srv/wms/out"));
    let unknown = toml::from_str::<FolderConfig>("read_dir = \"a\"\nreadd_dir = \"b\"");
    assert!(unknown.is_err());
}
