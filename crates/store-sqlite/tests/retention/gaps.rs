//! Property: whatever the times of the rows and the cutoff, a purge deletes
//! only a prefix of each stream, never a row it should keep, and leaves a
//! chain that verifies.

use proptest::prelude::*;

use crate::{audit_before, insert_chain, open_store, stream_ids};

const STREAMS: [&str; 3] = ["WH/OUT/1", "WH/OUT/2", "S00003"];

async fn run(times: Vec<Vec<i64>>, cutoff: i64) -> Result<(), TestCaseError> {
    let (_folder, store) = open_store().await;
    let mut before = Vec::new();
    for (stream, stream_times) in STREAMS.iter().zip(&times) {
        before.push(insert_chain(&store, stream, stream_times).await);
    }

    store.purge(&audit_before(cutoff), false).await.unwrap();

    for ((stream, stream_times), ids) in STREAMS.iter().zip(&times).zip(&before) {
        let kept_ids = stream_ids(&store, stream).await;
        let purged = ids.len() - kept_ids.len();
        prop_assert_eq!(
            &kept_ids[..],
            &ids[purged..],
            "kept rows of {} are not a suffix",
            stream
        );
        prop_assert!(
            stream_times[..purged].iter().all(|at| *at < cutoff),
            "{} lost a row at or after the cutoff",
            stream
        );
        if let Some(first_kept) = stream_times.get(purged) {
            prop_assert!(
                *first_kept >= cutoff,
                "{} kept a deletable first row",
                stream
            );
        }
    }
    let check = store.check_audit_chain().await.unwrap();
    prop_assert!(check.is_intact(), "{:?}", check.breaks);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn purge_leaves_no_gap(
        times in prop::collection::vec(prop::collection::vec(0_i64..100, 0..8), STREAMS.len()),
        cutoff in 0_i64..110,
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(run(times, cutoff))?;
    }
}
