//! The chart `docs/benchmarks.svg`: mint throughput by algorithm, jwt-core
//! on each backend beside the Rust peers and the other languages' libraries.

use std::path::Path;

use super::Report;
use super::criterion::Estimate;
use super::format::rate;
use super::suite::FIPS_BACKEND;

/// The algorithms drawn in the chart.
const CHART_CASES: [&str; 8] = [
    "HS256",
    "RS256-2048",
    "RS256-3072",
    "PS256-2048",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
];

/// One bar series of the chart: a label and tokens/s per chart case.
struct Series {
    label: &'static str,
    color: plotters::style::RGBColor,
    /// One per [`CHART_CASES`] entry; `None` draws no bar.
    values: Vec<Option<f64>>,
}

/// One bar, in chart coordinates: x from `left` to `right`, up to `value`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Bar {
    left: f64,
    right: f64,
    value: f64,
}

/// The share of each case's unit of x the bars together take.
const GROUP_WIDTH: f64 = 0.84;

/// Each series' bars. Within a case, the bars present are packed side by
/// side and centred, so a case measured by few implementations has no gaps.
fn bars(series: &[Series]) -> Vec<Vec<Bar>> {
    let n = CHART_CASES.len();
    let present: Vec<Vec<usize>> = (0..n)
        .map(|case| {
            (0..series.len())
                .filter(|&s| series[s].values[case].is_some())
                .collect()
        })
        .collect();
    series
        .iter()
        .enumerate()
        .map(|(s, one)| {
            (0..n)
                .filter_map(|case| {
                    let value = one.values[case]?;
                    let slots = present[case].len().max(1) as f64;
                    let slot = present[case].iter().position(|&x| x == s)? as f64;
                    let bar = GROUP_WIDTH / slots;
                    let left = case as f64 - GROUP_WIDTH / 2.0 + slot * bar;
                    // 8% of the slot on each side keeps neighbouring bars apart.
                    Some(Bar {
                        left: left + bar * 0.08,
                        right: left + bar * 0.92,
                        value,
                    })
                })
                .collect()
        })
        .collect()
}

fn chart_series(report: &Report<'_>) -> Vec<Series> {
    use plotters::style::RGBColor;
    let ours = |backend: &'static str| {
        CHART_CASES
            .iter()
            .map(|case| {
                report
                    .results
                    .get(&format!("sign/{case}"), "mint", backend)
                    .map(Estimate::per_second)
            })
            .collect()
    };
    let peer = |function: &str, value: &str| {
        CHART_CASES
            .iter()
            .map(|case| {
                report
                    .results
                    .get(&format!("peers-sign/{case}"), function, value)
                    .map(Estimate::per_second)
            })
            .collect()
    };
    let other = |name: &str| {
        CHART_CASES
            .iter()
            .map(|case| {
                report
                    .others
                    .iter()
                    .find(|o| o.name == name)
                    .and_then(|o| o.rate("sign", case))
            })
            .collect()
    };
    vec![
        Series {
            label: "jwt-core aws-lc",
            color: RGBColor(0x1f, 0x77, 0xb4),
            values: ours("aws-lc"),
        },
        Series {
            label: "jwt-core aws-lc FIPS",
            color: RGBColor(0x17, 0xbe, 0xcf),
            values: ours(FIPS_BACKEND),
        },
        Series {
            label: "jwt-core ring",
            color: RGBColor(0x2c, 0xa0, 0x2c),
            values: ours("ring"),
        },
        Series {
            label: "jwt-core rust-crypto",
            color: RGBColor(0xff, 0x7f, 0x0e),
            values: ours("rust-crypto"),
        },
        Series {
            label: "jsonwebtoken 12 aws_lc_rs",
            color: RGBColor(0x94, 0x67, 0xbd),
            values: peer("jsonwebtoken", "aws-lc"),
        },
        Series {
            label: "jsonwebtoken 12 rust_crypto",
            color: RGBColor(0xc5, 0xb0, 0xd5),
            values: peer("jsonwebtoken", "rust-crypto"),
        },
        Series {
            label: "jwt-simple 0.15 pure-rust",
            color: RGBColor(0x8c, 0x56, 0x4b),
            values: peer("jwt-simple", "pure-rust"),
        },
        Series {
            label: "PyJWT (key object)",
            color: RGBColor(0x7f, 0x7f, 0x7f),
            values: other("PyJWT"),
        },
        Series {
            label: "node jsonwebtoken",
            color: RGBColor(0xe3, 0x77, 0xc2),
            values: other("node jsonwebtoken"),
        },
        Series {
            label: "golang-jwt",
            color: RGBColor(0xbc, 0xbd, 0x22),
            values: other("golang-jwt"),
        },
    ]
}

/// Grouped bars, log scale: tokens/s by algorithm, one bar per implementation.
pub(super) fn chart(report: &Report<'_>, path: &Path) -> Result<(), String> {
    use plotters::prelude::*;
    use plotters::style::text_anchor::{HPos, Pos, VPos};

    let series: Vec<Series> = chart_series(report)
        .into_iter()
        .filter(|s| s.values.iter().any(Option::is_some))
        .collect();
    let max = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .fold(1.0f64, |a, b| a.max(*b));
    let min = series
        .iter()
        .flat_map(|s| s.values.iter().flatten())
        .fold(max, |a, b| a.min(*b));
    // A decade of headroom above the tallest bar keeps the legend clear of the bars.
    let top = 10f64.powf(max.log10().ceil() + 1.0).max(100.0);
    let bottom = 10f64
        .powf(min.log10().floor() - 0.0)
        .min(top / 10.0)
        .max(1.0);
    let n = CHART_CASES.len();

    let root = SVGBackend::new(path, (1200, 620)).into_drawing_area();
    let err = |e: &dyn std::fmt::Display| format!("chart: {e}");
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "JWT mint throughput, one thread (tokens/s, log scale; higher is better)",
            ("sans-serif", 24),
        )
        .margin(16)
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d(-0.5f64..n as f64 - 0.5, (bottom..top).log_scale())
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_label_formatter(&|y| rate(*y))
        .y_desc("tokens per second")
        .label_style(("sans-serif", 15))
        .draw()
        .map_err(|e| err(&e))?;

    // Case names under the bars (the x axis is a plain number line).
    let label_style = ("sans-serif", 16)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Center, VPos::Top));
    for (i, case) in CHART_CASES.iter().enumerate() {
        let (x, y) = chart.backend_coord(&(i as f64, bottom));
        root.draw(&Text::new(*case, (x, y + 8), label_style.clone()))
            .map_err(|e| err(&e))?;
    }

    for (one, bars) in series.iter().zip(bars(&series)) {
        let color = one.color;
        let rectangles = bars.into_iter().map(|bar| {
            Rectangle::new([(bar.left, bottom), (bar.right, bar.value)], color.filled())
        });
        chart
            .draw_series(rectangles)
            .map_err(|e| err(&e))?
            .label(one.label)
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 14, y + 6)], color.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .label_font(("sans-serif", 14))
        .draw()
        .map_err(|e| err(&e))?;
    root.present().map_err(|e| err(&e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench_report::criterion::Results;
    use crate::bench_report::paired::Paired;
    use crate::bench_report::tests::{report, scratch};

    fn series(label: &'static str, values: [Option<f64>; 8]) -> Series {
        Series {
            label,
            color: plotters::style::RGBColor(0, 0, 0),
            values: values.to_vec(),
        }
    }

    #[test]
    fn bars_of_a_case_share_its_width_and_centre_on_it() {
        let (a, b) = (Some(10.0), Some(20.0));
        let n = None;
        let all = bars(&[
            series("a", [a, a, n, n, n, n, n, n]),
            series("b", [n, b, n, n, n, n, n, b]),
        ]);
        assert_eq!(all.iter().map(Vec::len).collect::<Vec<_>>(), [2, 2]);
        // HS256 (case 0) has one bar: the whole width, less the gaps.
        let only = all[0][0];
        assert!(
            (only.left - (-0.42 + 0.84 * 0.08)).abs() < 1e-12,
            "{only:?}"
        );
        assert!(
            (only.right - (-0.42 + 0.84 * 0.92)).abs() < 1e-12,
            "{only:?}"
        );
        assert_eq!(only.value, 10.0);
        // RS256-2048 (case 1) has two, side by side in series order, centred on 1.
        let (left, right) = (all[0][1], all[1][0]);
        assert!(left.right < right.left, "{left:?} {right:?}");
        assert!(((left.left + right.right) / 2.0 - 1.0).abs() < 1e-12);
        assert_eq!(right.value, 20.0);
        // EdDSA (case 7): b alone again.
        assert!((all[1][1].left - (7.0 - 0.42 + 0.84 * 0.08)).abs() < 1e-12);
    }

    #[test]
    fn the_svg_has_a_bar_per_measured_value_and_a_legend_entry_per_series() {
        let mut results = Results::default();
        results.insert("sign/HS256", "mint", "aws-lc", 1_000.0);
        results.insert("sign/ES256", "mint", "aws-lc", 20_000.0);
        results.insert("sign/ES256", "mint", "ring", 25_000.0);
        // Not a chart case: not drawn.
        results.insert("sign/HS384", "mint", "ring", 1_000.0);
        let paired = Paired::default();
        let dir = scratch("chart");
        let path = dir.join("chart.svg");
        chart(&report(&results, &paired), &path).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        // Fill colours of jwt-core aws-lc and ring: two bars and one legend
        // swatch for aws-lc, one and one for ring, none for series without values.
        assert_eq!(svg.matches("fill=\"#1F77B4\"").count(), 3, "{svg}");
        assert_eq!(svg.matches("fill=\"#2CA02C\"").count(), 2, "{svg}");
        assert_eq!(svg.matches("fill=\"#FF7F0E\"").count(), 0, "{svg}");
        assert!(svg.contains("jwt-core aws-lc\n"), "{svg}");
        assert!(!svg.contains("jwt-core rust-crypto"), "{svg}");
        for case in CHART_CASES {
            assert!(svg.contains(&format!("\n{case}\n")), "{case} label: {svg}");
        }
    }
}
