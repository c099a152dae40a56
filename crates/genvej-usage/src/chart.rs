//! Small SVG charts for the HTML report: drawn here so the report is one
//! self-contained file that needs no network and no script.

use std::fmt::Write;

pub const BLUE: &str = "#1f5fa8";
pub const GREY: &str = "#9aa5b1";
pub const RED: &str = "#b3261e";

const WIDTH: f64 = 760.0;
const LABEL_WIDTH: f64 = 250.0;
const ROW: f64 = 26.0;

/// Text made safe for XML/HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One bar: its label, length and the value written at its end.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
}

/// Horizontal bars, one row each; labels get `label_width` pixels.
pub fn bars(title: &str, rows: &[Bar], colour: &str, label_width: f64) -> String {
    let height = ROW * rows.len() as f64 + 10.0;
    let max = rows.iter().map(|r| r.value).fold(0.0_f64, f64::max);
    let room = WIDTH - label_width - 90.0;
    let characters = (label_width / 7.2) as usize;
    let mut svg = open(title, height);
    for (i, row) in rows.iter().enumerate() {
        let y = 5.0 + ROW * i as f64;
        let length = if max > 0.0 {
            (row.value.max(0.0) / max * room).max(1.0)
        } else {
            1.0
        };
        let _ = write!(
            svg,
            r#"<text x="{lx}" y="{ty}" text-anchor="end" class="label">{label}</text><rect x="{x}" y="{y}" width="{length:.1}" height="{h}" rx="3" fill="{colour}"/><text x="{vx:.1}" y="{ty}" class="value">{text}</text>"#,
            lx = label_width - 8.0,
            ty = y + 14.0,
            label = escape(&shorten(&row.label, characters)),
            x = label_width,
            h = ROW - 8.0,
            vx = label_width + length + 6.0,
            text = escape(&row.text),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Two bars per row (e.g. manual vs automated), with a legend.
pub fn paired_bars(
    title: &str,
    legend: (&str, &str),
    rows: &[(String, f64, String, f64, String)],
) -> String {
    let pair = ROW * 1.6;
    let height = pair * rows.len() as f64 + 40.0;
    let max = rows.iter().flat_map(|r| [r.1, r.3]).fold(0.0_f64, f64::max);
    let room = WIDTH - LABEL_WIDTH - 160.0;
    let scale = |v: f64| {
        if max > 0.0 {
            (v.max(0.0) / max * room).max(1.0)
        } else {
            1.0
        }
    };
    let mut svg = open(title, height);
    let _ = write!(
        svg,
        r#"<rect x="{x}" y="6" width="12" height="12" fill="{GREY}"/><text x="{tx}" y="16" class="label">{a}</text><rect x="{x2}" y="6" width="12" height="12" fill="{BLUE}"/><text x="{tx2}" y="16" class="label">{b}</text>"#,
        x = LABEL_WIDTH,
        tx = LABEL_WIDTH + 18.0,
        a = escape(legend.0),
        x2 = LABEL_WIDTH + 170.0,
        tx2 = LABEL_WIDTH + 188.0,
        b = escape(legend.1),
    );
    for (i, (label, first, first_text, second, second_text)) in rows.iter().enumerate() {
        let y = 32.0 + pair * i as f64;
        let bar = (ROW - 8.0) / 1.6;
        let _ = write!(
            svg,
            r#"<text x="{lx}" y="{ty:.1}" text-anchor="end" class="label">{label}</text><rect x="{x}" y="{y:.1}" width="{w1:.1}" height="{bar:.1}" rx="2" fill="{GREY}"/><text x="{v1:.1}" y="{t1:.1}" class="value">{first_text}</text><rect x="{x}" y="{y2:.1}" width="{w2:.1}" height="{bar:.1}" rx="2" fill="{BLUE}"/><text x="{v2:.1}" y="{t2:.1}" class="value">{second_text}</text>"#,
            lx = LABEL_WIDTH - 8.0,
            ty = y + bar + 4.0,
            label = escape(&shorten(label, 34)),
            x = LABEL_WIDTH,
            w1 = scale(*first),
            v1 = LABEL_WIDTH + scale(*first) + 6.0,
            t1 = y + bar - 2.0,
            first_text = escape(first_text),
            y2 = y + bar + 2.0,
            w2 = scale(*second),
            v2 = LABEL_WIDTH + scale(*second) + 6.0,
            t2 = y + 2.0 * bar,
            second_text = escape(second_text),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A line over labelled points (e.g. weeks), with the y axis from 0.
pub fn line(title: &str, points: &[(String, f64)], unit: &str) -> String {
    let height = 240.0;
    let (left, right, top, bottom) = (60.0, 40.0, 16.0, 40.0);
    let plot_w = WIDTH - left - right;
    let plot_h = height - top - bottom;
    let max = nice_max(points.iter().map(|p| p.1).fold(0.0_f64, f64::max));
    let x = |i: usize| {
        if points.len() <= 1 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (points.len() - 1) as f64
        }
    };
    let y = |v: f64| top + plot_h - (v.max(0.0) / max) * plot_h;
    let mut svg = open(title, height);
    for step in 0..=4 {
        let value = max * f64::from(step) / 4.0;
        let _ = write!(
            svg,
            r##"<line x1="{left}" x2="{x2}" y1="{yy:.1}" y2="{yy:.1}" stroke="#e3e7eb"/><text x="{tx}" y="{ty:.1}" text-anchor="end" class="value">{label}</text>"##,
            x2 = WIDTH - right,
            yy = y(value),
            tx = left - 6.0,
            ty = y(value) + 4.0,
            label = escape(&format!("{} {unit}", super::report::decimal(value, 1))),
        );
    }
    let path: Vec<String> = points
        .iter()
        .enumerate()
        .map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.1)))
        .collect();
    let _ = write!(
        svg,
        r#"<polyline points="{}" fill="none" stroke="{BLUE}" stroke-width="2.5"/>"#,
        path.join(" ")
    );
    let every = points.len().div_ceil(12).max(1);
    for (i, (label, value)) in points.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<circle cx="{cx:.1}" cy="{cy:.1}" r="3.5" fill="{BLUE}"><title>{t}</title></circle>"#,
            cx = x(i),
            cy = y(*value),
            t = escape(&format!(
                "{label}: {} {unit}",
                super::report::decimal(*value, 1)
            )),
        );
        if i % every == 0 {
            let _ = write!(
                svg,
                r#"<text x="{tx:.1}" y="{ty}" text-anchor="middle" class="value">{label}</text>"#,
                tx = x(i),
                ty = height - 14.0,
                label = escape(label),
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

fn open(title: &str, height: f64) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0}" width="{WIDTH}" height="{height:.0}" role="img" aria-label="{}">"#,
        escape(title)
    )
}

/// 1, 2 or 5 times a power of ten, at least `value`.
fn nice_max(value: f64) -> f64 {
    if value <= 0.0 {
        return 1.0;
    }
    let power = 10f64.powf(value.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|m| *m >= value)
        .unwrap_or(10.0 * power)
}

fn shorten(label: &str, characters: usize) -> String {
    if label.chars().count() <= characters {
        label.to_string()
    } else {
        label
            .chars()
            .take(characters.saturating_sub(1))
            .collect::<String>()
            + "…"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_tops_are_round_numbers() {
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(nice_max(3.2), 5.0);
        assert_eq!(nice_max(17.0), 20.0);
        assert_eq!(nice_max(100.0), 100.0);
    }

    #[test]
    fn labels_are_escaped() {
        let svg = bars(
            "t",
            &[Bar {
                label: "A & <B>".into(),
                value: 1.0,
                text: "1".into(),
            }],
            BLUE,
            LABEL_WIDTH,
        );
        assert!(svg.contains("A &amp; &lt;B&gt;"));
    }
}
