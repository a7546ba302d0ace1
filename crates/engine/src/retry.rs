//! Exponential backoff with jitter for transient delivery failures.

use std::time::Duration;

use rand::Rng;

use crate::config::EngineSettings;

/// Returns the delay before the next attempt after `attempt` failed
/// (attempts count from 1): a random duration between half and all of
/// `initial * 2^(attempt-1)`, capped at the maximum. The jitter spreads
/// retries of many messages that failed together.
pub fn backoff(settings: &EngineSettings, attempt: u32) -> Duration {
    let exponent = attempt.saturating_sub(1).min(20);
    let ceiling_ms = settings
        .backoff_initial_ms
        .saturating_mul(1_u64 << exponent)
        .min(settings.backoff_max_ms)
        .max(1);
    let jittered = rand::thread_rng().gen_range(ceiling_ms / 2..=ceiling_ms);
    Duration::from_millis(jittered)
}

/// True when another attempt is allowed after `attempt` failed.
pub fn may_retry(settings: &EngineSettings, attempt: u32) -> bool {
    attempt < settings.max_attempts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_stays_capped() {
        let settings = EngineSettings {
            backoff_initial_ms: 100,
            backoff_max_ms: 1_000,
            ..EngineSettings::default()
        };
        for _ in 0..100 {
            let first = backoff(&settings, 1);
            assert!(first >= Duration::from_millis(50), "{first:?}");
            assert!(first <= Duration::from_millis(100), "{first:?}");
            let tenth = backoff(&settings, 10);
            assert!(tenth >= Duration::from_millis(500), "{tenth:?}");
            assert!(tenth <= Duration::from_millis(1_000), "{tenth:?}");
        }
    }

    #[test]
    fn retry_limit_counts_attempts() {
        let settings = EngineSettings {
            max_attempts: 3,
            ..EngineSettings::default()
        };
        assert!(may_retry(&settings, 2));
        assert!(!may_retry(&settings, 3));
    }
}
