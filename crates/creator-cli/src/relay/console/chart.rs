//! The console's chart, drawn on the server as SVG: delivery attempts per
//! hour stacked by provider, and the mean forwarding latency per hour as a
//! line. Only numbers computed here reach the template (which escapes the
//! provider names), so the picture needs no script.

use std::collections::BTreeMap;

use crate::ledger::DeliveryHour;

/// Width of the drawing area, in SVG units.
pub const WIDTH: u32 = 720;
/// Height of each of the two panels.
pub const HEIGHT: u32 = 160;
const BAR_GAP: u32 = 2;

/// One rectangle of the attempts panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    /// Left edge.
    pub x: u32,
    /// Top edge.
    pub y: u32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// Index into [`Chart::providers`] (its colour).
    pub series: usize,
    /// The tooltip: hour, provider, counts.
    pub title: String,
}

/// What the template draws.
#[derive(Debug, Clone, Default)]
pub struct Chart {
    /// Providers in the legend, in colour order.
    pub providers: Vec<String>,
    /// The attempts panel.
    pub bars: Vec<Bar>,
    /// Most attempts in one hour (the attempts axis' top).
    pub max_attempts: i64,
    /// The latency line's points, `x,y x,y …`.
    pub latency_points: String,
    /// The same points, each drawn as a dot (one hour alone makes no line).
    pub latency_dots: Vec<(u32, u32)>,
    /// Highest mean latency in one hour (the latency axis' top), ms.
    pub max_latency_ms: i64,
    /// The first and last hour shown.
    pub first_hour: String,
    /// The last hour shown.
    pub last_hour: String,
}

impl Chart {
    /// The chart of `hours` (oldest first, as the ledger returns them).
    pub fn new(hours: &[DeliveryHour]) -> Self {
        let mut providers: Vec<String> = hours.iter().map(|h| h.provider.clone()).collect();
        providers.sort();
        providers.dedup();
        let mut by_hour: BTreeMap<&str, Vec<&DeliveryHour>> = BTreeMap::new();
        for h in hours {
            by_hour.entry(&h.hour).or_default().push(h);
        }
        let columns = u32::try_from(by_hour.len()).unwrap_or(u32::MAX).max(1);
        let column = (WIDTH / columns).max(1);
        let max_attempts = by_hour
            .values()
            .map(|hs| hs.iter().map(|h| h.attempts).sum::<i64>())
            .max()
            .unwrap_or(0);
        let mut bars = Vec::new();
        let mut means = Vec::new();
        for (i, (hour, rows)) in by_hour.iter().enumerate() {
            let x = u32::try_from(i).unwrap_or(0) * column;
            let mut top = HEIGHT;
            for row in rows {
                let height = scale(row.attempts, max_attempts, HEIGHT);
                top = top.saturating_sub(height);
                bars.push(Bar {
                    x,
                    y: top,
                    width: column.saturating_sub(BAR_GAP).max(1),
                    height,
                    series: providers
                        .iter()
                        .position(|p| *p == row.provider)
                        .unwrap_or(0),
                    title: format!(
                        "{hour}h {}: {} attempts, {} delivered, mean {} ms",
                        row.provider, row.attempts, row.delivered, row.mean_latency_ms
                    ),
                });
            }
            let attempts: i64 = rows.iter().map(|h| h.attempts).sum();
            let weighted: i64 = rows.iter().map(|h| h.mean_latency_ms * h.attempts).sum();
            means.push((x + column / 2, weighted.checked_div(attempts).unwrap_or(0)));
        }
        let max_latency_ms = means.iter().map(|(_, m)| *m).max().unwrap_or(0);
        let latency_dots: Vec<(u32, u32)> = means
            .iter()
            .map(|(x, m)| (*x, HEIGHT - scale(*m, max_latency_ms, HEIGHT)))
            .collect();
        let latency_points = latency_dots
            .iter()
            .map(|(x, y)| format!("{x},{y}"))
            .collect::<Vec<_>>()
            .join(" ");
        Self {
            providers,
            bars,
            max_attempts,
            latency_points,
            latency_dots,
            max_latency_ms,
            first_hour: by_hour
                .keys()
                .next()
                .map(|h| h.to_string())
                .unwrap_or_default(),
            last_hour: by_hour
                .keys()
                .last()
                .map(|h| h.to_string())
                .unwrap_or_default(),
        }
    }

    /// No attempts in the window.
    pub fn is_empty(&self) -> bool {
        self.bars.is_empty()
    }
}

/// `value` of `max` as a share of `span` units.
fn scale(value: i64, max: i64, span: u32) -> u32 {
    if max <= 0 {
        return 0;
    }
    let share = value.clamp(0, max) * i64::from(span) / max;
    u32::try_from(share).unwrap_or(span)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hour(hour: &str, provider: &str, attempts: i64, mean: i64) -> DeliveryHour {
        DeliveryHour {
            hour: hour.into(),
            provider: provider.into(),
            attempts,
            delivered: attempts,
            mean_latency_ms: mean,
            max_latency_ms: mean * 2,
        }
    }

    #[test]
    fn bars_stack_per_hour_and_the_latency_line_weighs_by_attempts() {
        let chart = Chart::new(&[
            hour("2026-03-14T10", "gank", 10, 100),
            hour("2026-03-14T10", "gumroad", 30, 20),
            hour("2026-03-14T11", "gumroad", 20, 60),
        ]);
        assert_eq!(chart.providers, ["gank", "gumroad"]);
        assert_eq!(chart.max_attempts, 40);
        let first: Vec<_> = chart.bars.iter().filter(|b| b.x == 0).collect();
        assert_eq!(first.iter().map(|b| b.height).sum::<u32>(), HEIGHT);
        // hour 10: (10*100 + 30*20) / 40 = 40 ms; hour 11: 60 ms, the top.
        assert_eq!(chart.max_latency_ms, 60);
        assert_eq!(
            chart.latency_points,
            format!("180,{} 540,0", HEIGHT - HEIGHT * 40 / 60)
        );
        assert!(Chart::new(&[]).is_empty());
    }
}
