//! genvej's own tray icon, drawn in code so there is no image file to ship
//! or keep in step: a key cap (a rounded square with a darker lower edge,
//! like a key seen from the front) carrying a white mark that says the state
//! by its shape as well as by the cap's colour, so it reads at 16 px and
//! without colour vision:
//!
//! - active: a lightning bolt — the fast way, genvej's sign;
//! - paused: two upright bars, the pause sign everyone knows;
//! - errors: an exclamation mark on orange.
//!
//! Shapes are sampled 4×4 per pixel, so edges are smoothed at 32 px and
//! stay clean when the desktop scales the icon down to 16 px.

use super::IconLook;

/// The icon's width and height in pixels.
pub const SIZE: usize = 32;

/// Samples per pixel along each axis.
const SAMPLES: usize = 4;

/// A point in icon coordinates: 0..32 on both axes, y downwards.
type Point = (f32, f32);

/// The lightning bolt: a closed polygon, clockwise.
const BOLT: &[Point] = &[
    (20.5, 3.0),
    (6.5, 18.0),
    (14.0, 18.0),
    (10.5, 28.0),
    (25.5, 12.0),
    (18.0, 12.0),
    (21.5, 3.0),
];

impl IconLook {
    /// The cap's face colour and its darker lower edge.
    fn colours(self) -> ([u8; 3], [u8; 3]) {
        match self {
            IconLook::Active => ([0x1f, 0x6f, 0xb5], [0x12, 0x45, 0x73]),
            IconLook::Paused => ([0x7a, 0x7a, 0x7a], [0x4d, 0x4d, 0x4d]),
            IconLook::Errors => ([0xd0, 0x6a, 0x10], [0x8a, 0x44, 0x08]),
        }
    }

    /// Whether the white mark covers the point.
    fn mark(self, p: Point) -> bool {
        match self {
            IconLook::Active => inside_polygon(p, BOLT),
            IconLook::Paused => {
                let bar = |left: f32| in_rect(p, (left, 8.0), (left + 5.0, 24.0));
                bar(9.5) || bar(17.5)
            }
            IconLook::Errors => {
                in_rect(p, (12.5, 5.0), (19.5, 18.5)) || in_circle(p, (16.0, 24.0), 3.5)
            }
        }
    }

    /// The icon as 32×32 RGBA pixels, row by row.
    pub fn rgba(self) -> Vec<u8> {
        let (face, edge) = self.colours();
        let mut pixels = Vec::with_capacity(SIZE * SIZE * 4);
        for y in 0..SIZE {
            for x in 0..SIZE {
                let mut sums = [0.0f32; 3];
                let mut covered = 0.0f32;
                for sy in 0..SAMPLES {
                    for sx in 0..SAMPLES {
                        let p = (
                            x as f32 + (sx as f32 + 0.5) / SAMPLES as f32,
                            y as f32 + (sy as f32 + 0.5) / SAMPLES as f32,
                        );
                        let Some(rgb) = self.colour_at(p, face, edge) else {
                            continue;
                        };
                        covered += 1.0;
                        for (sum, channel) in sums.iter_mut().zip(rgb) {
                            *sum += f32::from(channel);
                        }
                    }
                }
                let alpha = covered / (SAMPLES * SAMPLES) as f32;
                let rgb = sums.map(|sum| {
                    if covered > 0.0 {
                        (sum / covered).round() as u8
                    } else {
                        0
                    }
                });
                pixels.extend_from_slice(&[rgb[0], rgb[1], rgb[2], (alpha * 255.0).round() as u8]);
            }
        }
        pixels
    }

    /// The colour at a point, `None` outside the key cap.
    fn colour_at(self, p: Point, face: [u8; 3], edge: [u8; 3]) -> Option<[u8; 3]> {
        if !in_rounded_rect(p, (1.0, 1.0), (31.0, 31.0), 6.0) {
            return None;
        }
        if self.mark(p) {
            return Some([0xff, 0xff, 0xff]);
        }
        // The face sits above a 3 px lower edge: the key's side.
        let on_face = in_rounded_rect(p, (1.0, 1.0), (31.0, 28.0), 6.0);
        Some(if on_face { face } else { edge })
    }
}

fn in_rect(p: Point, from: Point, to: Point) -> bool {
    (from.0..to.0).contains(&p.0) && (from.1..to.1).contains(&p.1)
}

fn in_circle(p: Point, centre: Point, radius: f32) -> bool {
    (p.0 - centre.0).powi(2) + (p.1 - centre.1).powi(2) <= radius * radius
}

fn in_rounded_rect(p: Point, from: Point, to: Point, radius: f32) -> bool {
    if !in_rect(p, from, to) {
        return false;
    }
    let cx = p.0.clamp(from.0 + radius, to.0 - radius);
    let cy = p.1.clamp(from.1 + radius, to.1 - radius);
    in_circle(p, (cx, cy), radius)
}

/// Even-odd rule: a ray to the right crosses the edges an odd number of times.
fn inside_polygon(p: Point, polygon: &[Point]) -> bool {
    let mut inside = false;
    let mut previous = polygon[polygon.len() - 1];
    for &current in polygon {
        let (a, b) = (previous, current);
        if (a.1 > p.1) != (b.1 > p.1) {
            let x = a.0 + (p.1 - a.1) / (b.1 - a.1) * (b.0 - a.0);
            if p.0 < x {
                inside = !inside;
            }
        }
        previous = current;
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The icon scaled to 16×16 as a desktop would (2×2 averaging), as the
    /// share of each pixel that is the white mark (0.0–1.0).
    fn mark_at_16(look: IconLook) -> Vec<f32> {
        let pixels = look.rgba();
        let whiteness = |x: usize, y: usize| {
            let at = (y * SIZE + x) * 4;
            let [r, g, b, a] = [pixels[at], pixels[at + 1], pixels[at + 2], pixels[at + 3]];
            let min = r.min(g).min(b);
            if a == 255 && min > 0xe0 { 1.0 } else { 0.0 }
        };
        let mut small = Vec::new();
        for y in 0..16 {
            for x in 0..16 {
                let sum: f32 = [(0, 0), (1, 0), (0, 1), (1, 1)]
                    .iter()
                    .map(|(dx, dy)| whiteness(2 * x + dx, 2 * y + dy))
                    .sum();
                small.push(sum / 4.0);
            }
        }
        small
    }

    #[test]
    fn every_state_has_its_own_shape_not_only_its_own_colour() {
        let marks: Vec<Vec<bool>> = [IconLook::Active, IconLook::Paused, IconLook::Errors]
            .into_iter()
            .map(|look| mark_at_16(look).iter().map(|&m| m >= 0.5).collect())
            .collect();
        for (i, a) in marks.iter().enumerate() {
            for b in &marks[i + 1..] {
                let differing = a.iter().zip(b).filter(|(x, y)| x != y).count();
                assert!(
                    differing >= 12,
                    "only {differing} of 256 pixels differ at 16 px"
                );
            }
        }
    }

    #[test]
    fn the_mark_stays_solid_at_16_pixels() {
        for look in [IconLook::Active, IconLook::Paused, IconLook::Errors] {
            let solid = mark_at_16(look).iter().filter(|&&m| m >= 0.75).count();
            // Whole pixels of pure white at 16 px: a mark, not a speck.
            assert!(solid >= 14, "{look:?}: {solid} solid pixels at 16 px");
            assert!(
                solid <= 110,
                "{look:?}: {solid} — the mark would swallow the cap"
            );
        }
    }

    #[test]
    fn corners_are_transparent_and_the_cap_is_opaque() {
        for look in [IconLook::Active, IconLook::Paused, IconLook::Errors] {
            let pixels = look.rgba();
            assert_eq!(pixels.len(), SIZE * SIZE * 4);
            let alpha = |x: usize, y: usize| pixels[(y * SIZE + x) * 4 + 3];
            assert_eq!(alpha(0, 0), 0);
            assert_eq!(alpha(31, 31), 0);
            assert_eq!(alpha(16, 16), 255);
            assert_eq!(alpha(3, 16), 255);
        }
    }
}
