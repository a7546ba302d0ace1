//! Inline SVG charts, drawn in Rust so that pages need no script.
//!
//! Each chart is an `<svg role="img">` named by its `<title>`, and every
//! mark carries its own `<title>` with the number it stands for. Pages
//! print the same numbers in a table beside the chart, so that nothing is
//! only in the picture.
//!
//! Geometry is whole SVG user units computed with integer arithmetic.

use maud::{html, Markup};

use super::format_duration;

/// Fill colours of the series, in order, repeating after the last.
const PALETTE: [&str; 4] = ["#4c9a6a", "#d9a227", "#d9662b", "#a61b1b"];

const WIDTH: i64 = 640;
const LABEL_WIDTH: i64 = 170;
const ROW_HEIGHT: i64 = 22;
const LEGEND_HEIGHT: i64 = 24;

fn colour(index: usize) -> &'static str {
    PALETTE[index % PALETTE.len()]
}

/// One bar of a stacked bar chart: its label and one value per series.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub values: Vec<u64>,
}

/// Draws horizontal stacked bars, one per [`Bar`], with a legend of
/// `series`. `id` must be unique in the page: it links the chart to its title.
pub fn stacked_bars(id: &str, title: &str, series: &[&str], bars: &[Bar]) -> Markup {
    let plot_width = WIDTH - LABEL_WIDTH - 50;
    let max_total = bars
        .iter()
        .map(|bar| bar.values.iter().sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let height = LEGEND_HEIGHT + ROW_HEIGHT * i64::try_from(bars.len()).unwrap_or(0) + 8;
    let title_id = format!("{id}-title");

    html! {
        svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {WIDTH} {height}"))
            width=(WIDTH) height=(height) role="img" aria-labelledby=(title_id) {
            title #(title_id) { (title) }
            (legend(series))
            @for (row, bar) in bars.iter().enumerate() {
                @let y = LEGEND_HEIGHT + ROW_HEIGHT * i64::try_from(row).unwrap_or(0);
                text x=(LABEL_WIDTH - 6) y=(y + 15) text-anchor="end" font-size="12" { (bar.label) }
                @let parts = segments(&bar.values, max_total, plot_width);
                @for (x, width, index, value) in &parts {
                    rect x=(x) y=(y + 3) width=(width) height=(ROW_HEIGHT - 6) fill=(colour(*index)) {
                        title { (bar.label) ", " (series.get(*index).copied().unwrap_or("")) ": " (value) }
                    }
                }
                @let x = parts.last().map_or(LABEL_WIDTH, |(x, width, _, _)| x + width);
                text x=(x + 6) y=(y + 15) font-size="12" { (bar.values.iter().sum::<u64>()) }
            }
        }
    }
}

/// Lays out the non-empty segments of one bar: `(x, width, series, value)`.
fn segments(values: &[u64], max_total: u64, plot_width: i64) -> Vec<(i64, i64, usize, u64)> {
    let mut x = LABEL_WIDTH;
    let mut segments = Vec::new();
    for (index, value) in values.iter().enumerate() {
        let width = scale(*value, max_total, plot_width);
        if width > 0 {
            segments.push((x, width, index, *value));
            x += width;
        }
    }
    segments
}

/// Returns `value` as a share of `length`, where `max` fills it.
fn scale(value: u64, max: u64, length: i64) -> i64 {
    let length = u64::try_from(length).unwrap_or(0);
    i64::try_from(value.min(max) * length / max.max(1)).unwrap_or(0)
}

fn legend(series: &[&str]) -> Markup {
    html! {
        @for (index, name) in series.iter().enumerate() {
            @let x = LABEL_WIDTH + 110 * i64::try_from(index).unwrap_or(0);
            rect x=(x) y="4" width="12" height="12" fill=(colour(index)) {}
            text x=(x + 16) y="14" font-size="12" { (name) }
        }
    }
}

/// One line of a line chart: a name and one value per point, `None` where
/// there is no value (the line breaks there).
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<i64>>,
}

/// Draws durations in seconds as lines over `x_labels`, with the y axis
/// labelled in durations. Every `label_every`th x label is printed, and
/// the last one.
pub fn duration_lines(
    id: &str,
    title: &str,
    x_labels: &[String],
    series: &[Series],
    label_every: usize,
) -> Markup {
    let (left, top, plot_width, plot_height) = (LABEL_WIDTH - 90, LEGEND_HEIGHT + 6, 540, 160);
    let height = top + plot_height + 30;
    let max = series
        .iter()
        .flat_map(|line| line.values.iter().flatten())
        .copied()
        .max()
        .unwrap_or(0)
        .max(1);
    let points = i64::try_from(x_labels.len()).unwrap_or(1).max(2) - 1;
    let x_of = |index: usize| left + i64::try_from(index).unwrap_or(0) * plot_width / points;
    let y_of = |value: i64| top + plot_height - value.clamp(0, max) * plot_height / max;
    let names: Vec<&str> = series.iter().map(|line| line.name.as_str()).collect();
    let title_id = format!("{id}-title");

    html! {
        svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {WIDTH} {height}"))
            width=(WIDTH) height=(height) role="img" aria-labelledby=(title_id) {
            title #(title_id) { (title) }
            (legend(&names))
            @for value in [0, max / 2, max] {
                line x1=(left) x2=(left + plot_width) y1=(y_of(value)) y2=(y_of(value)) stroke="#dde1e7" {}
                text x=(left - 4) y=(y_of(value) + 4) text-anchor="end" font-size="11" { (format_duration(value)) }
            }
            @for (index, label) in x_labels.iter().enumerate() {
                // The newest point is labelled too, so the chart shows where it ends.
                @if index % label_every.max(1) == 0 || index + 1 == x_labels.len() {
                    text x=(x_of(index)) y=(top + plot_height + 16) text-anchor="middle" font-size="11" { (label) }
                }
            }
            @for (number, line) in series.iter().enumerate() {
                @for run in runs(&line.values) {
                    polyline fill="none" stroke=(colour(number)) stroke-width="2"
                        points=(run.iter().map(|(index, value)| format!("{},{}", x_of(*index), y_of(*value))).collect::<Vec<_>>().join(" ")) {}
                }
                @for (index, value) in line.values.iter().enumerate() {
                    @if let Some(value) = value {
                        circle cx=(x_of(index)) cy=(y_of(*value)) r="3" fill=(colour(number)) {
                            title { (line.name) " " (x_labels.get(index).map_or("", String::as_str)) ": " (format_duration(*value)) }
                        }
                    }
                }
            }
        }
    }
}

/// Splits values into runs of consecutive present values, with their index.
fn runs(values: &[Option<i64>]) -> Vec<Vec<(usize, i64)>> {
    let mut runs: Vec<Vec<(usize, i64)>> = Vec::new();
    let mut current: Vec<(usize, i64)> = Vec::new();
    for (index, value) in values.iter().enumerate() {
        match value {
            Some(value) => current.push((index, *value)),
            None if !current.is_empty() => runs.push(std::mem::take(&mut current)),
            None => {}
        }
    }
    if !current.is_empty() {
        runs.push(current);
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_break_at_gaps() {
        let values = [Some(1), Some(2), None, Some(4), None, None];
        assert_eq!(runs(&values), vec![vec![(0, 1), (1, 2)], vec![(3, 4)]]);
    }

    #[test]
    fn scale_fills_length_at_max() {
        assert_eq!(scale(10, 10, 400), 400);
        assert_eq!(scale(5, 10, 400), 200);
        assert_eq!(scale(0, 0, 400), 0);
    }

    #[test]
    fn bar_chart_has_title_and_values() {
        let bars = [Bar {
            label: "warehouse".to_owned(),
            values: vec![2, 0, 1, 0],
        }];
        let svg =
            stacked_bars("ages", "Exceptions by age", &["< 1 h", "1–4 h"], &bars).into_string();
        assert!(svg.contains(r#"<title id="ages-title">Exceptions by age</title>"#));
        assert!(svg.contains("<title>warehouse, &lt; 1 h: 2</title>"));
        assert_eq!(
            svg.matches("<rect").count(),
            2 + 2,
            "two legend keys, two segments"
        );
    }
}
