//! Writing confirmation files into `outbound/`, the careful way (temporary
//! name, then rename) or the careless ways the faults ask for.

use std::path::Path;
use std::time::Duration;

use tokio::io::AsyncWriteExt;
use wharf_formats::{encode_confirmations, Column, Encoding, Layout, LineEnding};
use wharf_model::ShipmentConfirmation;
use wharf_transports::FolderSink;

use super::faults::Fault;
use super::WmsError;

/// Text that puts a non-ASCII character in every Windows-1252 file.
const CP1252_NOTE: &str = "Livraison prévue";

/// Number of pieces a slow file is written in.
const SLOW_PIECES: usize = 3;

/// A confirmation encoded for writing.
#[derive(Debug)]
pub(crate) struct Encoded {
    pub bytes: Vec<u8>,
    /// `utf-8` or `windows-1252`.
    pub encoding: &'static str,
}

/// Encodes `confirmation` with `layout`, or with its Windows-1252 variant
/// when the `cp1252` fault applies.
pub(crate) fn encode(
    layout: &Layout,
    confirmation: &ShipmentConfirmation,
    faults: &[Fault],
) -> Result<Encoded, WmsError> {
    let encode_error = |source| WmsError::Encode {
        picking_ref: confirmation.picking_ref.clone(),
        source: Box::new(source),
    };
    if !faults.contains(&Fault::Cp1252) {
        let bytes = encode_confirmations(layout, std::slice::from_ref(confirmation))
            .map_err(encode_error)?;
        return Ok(Encoded {
            bytes,
            encoding: "utf-8",
        });
    }

    // A legacy export: Windows-1252 text behind a UTF-8 byte order mark,
    // CRLF line ends, and a French note so the file has a non-ASCII byte.
    let mut legacy = layout.clone();
    legacy.encoding = Encoding::Windows1252;
    legacy.write_bom = true;
    legacy.line_ending = LineEnding::Crlf;
    let mut confirmation = confirmation.clone();
    if legacy.header {
        legacy.columns.push(Column {
            name: Some("note".to_owned()),
            value: Some(CP1252_NOTE.to_owned()),
            ..Column::default()
        });
    } else {
        // NOTE: a layout without a header cannot take an extra column
        // without breaking its column count, so the note goes into the
        // carrier, which changes the carrier the file reports.
        let carrier = confirmation.carrier.take().unwrap_or_default();
        confirmation.carrier = Some(format!("{carrier} {CP1252_NOTE}").trim().to_owned());
    }
    let bytes =
        encode_confirmations(&legacy, std::slice::from_ref(&confirmation)).map_err(encode_error)?;
    Ok(Encoded {
        bytes,
        encoding: "windows-1252",
    })
}

/// Writes `bytes` under `name` directly, in pieces with pauses between
/// them, so a reader can see the file before it is complete.
pub(crate) async fn write_slowly(
    dir: &Path,
    name: &str,
    bytes: &[u8],
    pause: Duration,
) -> Result<(), WmsError> {
    let path = dir.join(name);
    let mut file = tokio::fs::File::create(&path)
        .await
        .map_err(|error| WmsError::io("create", &path, error))?;

    let piece_len = bytes.len().div_ceil(SLOW_PIECES).max(1);
    let mut pieces = bytes.chunks(piece_len).peekable();
    while let Some(piece) = pieces.next() {
        file.write_all(piece)
            .await
            .map_err(|error| WmsError::io("write", &path, error))?;
        file.flush()
            .await
            .map_err(|error| WmsError::io("write", &path, error))?;
        if pieces.peek().is_some() {
            tokio::time::sleep(pause).await;
        }
    }
    file.sync_all()
        .await
        .map_err(|error| WmsError::io("sync", &path, error))
}

/// Writes one confirmation's files and returns their names: one file, or
/// two with the same bytes when the `duplicate` fault applies.
pub(crate) async fn write_files(
    sink: &FolderSink,
    dir: &Path,
    base_name: &str,
    bytes: Vec<u8>,
    faults: &[Fault],
    slow_pause: Duration,
) -> Result<Vec<String>, WmsError> {
    let name = format!("{base_name}.csv");
    if faults.contains(&Fault::Slow) {
        write_slowly(dir, &name, &bytes, slow_pause).await?;
    } else {
        sink.write_atomic(&name, bytes.clone()).await?;
    }

    let mut names = vec![name];
    if faults.contains(&Fault::Duplicate) {
        let duplicate = format!("{base_name}-dup.csv");
        sink.write_atomic(&duplicate, bytes).await?;
        names.push(duplicate);
    }
    Ok(names)
}

/// Logs a warning when confirmations will not carry the ship time, which
/// the reconciliation of snapshots needs to place each shipment before or
/// after a snapshot.
pub(crate) fn warn_without_ship_time(layout: &Layout) {
    let has_time = layout
        .columns
        .iter()
        .any(|column| matches!(column.field.as_deref(), Some("shipped_at" | "shipped_date")));
    if !has_time {
        tracing::warn!("The WMS confirmation layout has no shipped_at column, so confirmations will not carry the ship time");
    }
}
