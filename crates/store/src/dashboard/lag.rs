//! Confirmation lag: the time from a picking's release to the warehouse
//! until its shipment was validated in Odoo.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::LAG_WINDOW_HOURS;

/// Time from a picking's release to the warehouse until its shipment was
/// validated in Odoo, for the shipments validated in the last
/// [`LAG_WINDOW_HOURS`] hours.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConfirmationLag {
    /// Shipments validated in the window whose release time is known.
    pub confirmed: u64,
    pub p50_secs: Option<i64>,
    pub p95_secs: Option<i64>,
    /// One entry per hour of the window, oldest first, empty hours included.
    pub hourly: Vec<LagHour>,
}

/// Confirmation lag of the shipments validated in one hour.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LagHour {
    /// Start of the hour. The hour covers validations after this time, up to
    /// and including one hour later.
    pub starts_at: Timestamp,
    pub confirmed: u64,
    pub p50_secs: Option<i64>,
    pub p95_secs: Option<i64>,
}

impl ConfirmationLag {
    /// Builds the figures from `(validated_at, lag_secs)` samples of the
    /// window that ends at `now` (inclusive). Samples outside the window
    /// are ignored.
    pub fn from_samples(now: Timestamp, samples: &[(Timestamp, i64)]) -> ConfirmationLag {
        let hour_micros = 3_600_000_000_i64;
        let end = now.as_microsecond();
        let start = end - i64::from(LAG_WINDOW_HOURS) * hour_micros;

        // Hour `i` covers (start + i h, start + (i + 1) h]. The window
        // excludes its start so that it covers exactly 24 hours up to `now`.
        let last_hour = usize::from(LAG_WINDOW_HOURS) - 1;
        let mut hours: Vec<Vec<i64>> = vec![Vec::new(); last_hour + 1];
        let mut all = Vec::new();
        for (validated_at, lag) in samples {
            let at = validated_at.as_microsecond();
            if at <= start || at > end {
                continue;
            }
            let index = usize::try_from((at - start - 1) / hour_micros).unwrap_or(0);
            hours[index.min(last_hour)].push(*lag);
            all.push(*lag);
        }

        let hourly = hours
            .into_iter()
            .zip(0_i64..)
            .map(|(mut lags, index)| {
                lags.sort_unstable();
                LagHour {
                    starts_at: Timestamp::from_microsecond(start + index * hour_micros)
                        .unwrap_or(now),
                    confirmed: lags.len() as u64,
                    p50_secs: percentile(&lags, 50),
                    p95_secs: percentile(&lags, 95),
                }
            })
            .collect();
        all.sort_unstable();
        ConfirmationLag {
            confirmed: all.len() as u64,
            p50_secs: percentile(&all, 50),
            p95_secs: percentile(&all, 95),
            hourly,
        }
    }
}

/// Returns the nearest-rank percentile `p` (1 to 100) of sorted values:
/// the smallest value that at least `p` percent of the values do not exceed.
/// `None` for no values.
pub fn percentile(sorted: &[i64], p: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank.min(sorted.len()) - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_nearest_rank() {
        let values: Vec<i64> = (1..=20).collect();
        assert_eq!(percentile(&values, 50), Some(10));
        assert_eq!(percentile(&values, 95), Some(19));
        assert_eq!(percentile(&values, 100), Some(20));
        assert_eq!(percentile(&[7], 95), Some(7));
        assert_eq!(percentile(&[], 50), None);
    }

    #[test]
    fn lag_samples_by_hour() {
        let now: Timestamp = "2026-03-01T12:00:00Z".parse().unwrap();
        let at = |text: &str| text.parse::<Timestamp>().unwrap();
        let samples = [
            (at("2026-03-01T12:00:00Z"), 600),
            (at("2026-03-01T11:30:00Z"), 1_200),
            (at("2026-02-28T12:30:00Z"), 60),
            // Exactly 24 h before `now`: outside the window.
            (at("2026-02-28T12:00:00Z"), 9_999),
            (at("2026-03-01T12:00:01Z"), 9_999),
        ];
        let lag = ConfirmationLag::from_samples(now, &samples);

        assert_eq!(lag.confirmed, 3);
        assert_eq!(lag.p50_secs, Some(600));
        assert_eq!(lag.p95_secs, Some(1_200));
        assert_eq!(lag.hourly.len(), 24);
        assert_eq!(lag.hourly[0].starts_at, at("2026-02-28T12:00:00Z"));
        assert_eq!(lag.hourly[0].confirmed, 1);
        assert_eq!(lag.hourly[23].confirmed, 2);
        assert_eq!(lag.hourly[23].p50_secs, Some(600));
        assert_eq!(lag.hourly[12].p50_secs, None);
    }
}
