//! Drawing a placeholder icon: a rounded coloured square with the name's initial in white,
//! from a 5×7 bitmap font (no font files, no text-rendering dependency).

use crate::Error;

/// Background colours, picked by a hash of the name so an extension keeps its colour.
const PALETTE: [[u8; 3]; 8] = [
    [0x25, 0x63, 0xeb],
    [0x16, 0xa3, 0x4a],
    [0xdc, 0x26, 0x26],
    [0x93, 0x33, 0xea],
    [0xea, 0x58, 0x0c],
    [0x08, 0x91, 0xb2],
    [0xdb, 0x27, 0x77],
    [0x4d, 0x7c, 0x0f],
];

/// 5×7 glyphs, one byte per row, the five low bits left to right.
fn glyph(c: char) -> [u8; 7] {
    match c {
        'A' => [14, 17, 17, 31, 17, 17, 17],
        'B' => [30, 17, 17, 30, 17, 17, 30],
        'C' => [14, 17, 16, 16, 16, 17, 14],
        'D' => [30, 17, 17, 17, 17, 17, 30],
        'E' => [31, 16, 16, 30, 16, 16, 31],
        'F' => [31, 16, 16, 30, 16, 16, 16],
        'G' => [14, 17, 16, 23, 17, 17, 15],
        'H' => [17, 17, 17, 31, 17, 17, 17],
        'I' => [14, 4, 4, 4, 4, 4, 14],
        'J' => [7, 2, 2, 2, 2, 18, 12],
        'K' => [17, 18, 20, 24, 20, 18, 17],
        'L' => [16, 16, 16, 16, 16, 16, 31],
        'M' => [17, 27, 21, 21, 17, 17, 17],
        'N' => [17, 17, 25, 21, 19, 17, 17],
        'O' => [14, 17, 17, 17, 17, 17, 14],
        'P' => [30, 17, 17, 30, 16, 16, 16],
        'Q' => [14, 17, 17, 17, 21, 18, 13],
        'R' => [30, 17, 17, 30, 20, 18, 17],
        'S' => [15, 16, 16, 14, 1, 1, 30],
        'T' => [31, 4, 4, 4, 4, 4, 4],
        'U' => [17, 17, 17, 17, 17, 17, 14],
        'V' => [17, 17, 17, 17, 17, 10, 4],
        'W' => [17, 17, 17, 21, 21, 21, 10],
        'X' => [17, 17, 10, 4, 10, 17, 17],
        'Y' => [17, 17, 10, 4, 4, 4, 4],
        'Z' => [31, 1, 2, 4, 8, 16, 31],
        '0' => [14, 17, 19, 21, 25, 17, 14],
        '1' => [4, 12, 4, 4, 4, 4, 14],
        '2' => [14, 17, 1, 2, 4, 8, 31],
        '3' => [31, 2, 4, 2, 1, 17, 14],
        '4' => [2, 6, 10, 18, 31, 2, 2],
        '5' => [31, 16, 30, 1, 1, 17, 14],
        '6' => [6, 8, 16, 30, 17, 17, 14],
        '7' => [31, 1, 2, 4, 8, 8, 8],
        '8' => [14, 17, 17, 14, 17, 17, 14],
        '9' => [14, 17, 17, 15, 1, 2, 12],
        _ => [0, 14, 17, 17, 17, 14, 0], // a ring for anything else
    }
}

/// Renders a `size`×`size` RGBA PNG for an extension called `name`.
pub fn render_icon(name: &str, size: u32) -> Result<Vec<u8>, Error> {
    let initial = name
        .chars()
        .find(|c| c.is_alphanumeric())
        .map(|c| c.to_ascii_uppercase())
        .unwrap_or('?');
    let hash = name.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    });
    let [r, g, b] = PALETTE[(hash % PALETTE.len() as u32) as usize];
    let s = size as usize;
    let mut pixels = vec![0u8; s * s * 4];
    let radius = (size / 5) as i64;
    let rows = glyph(initial);
    // The glyph takes about 60% of the icon's height, centred.
    let scale = ((size * 6 / 10) / 7).max(1) as usize;
    let (gw, gh) = (5 * scale, 7 * scale);
    let (gx, gy) = ((s.saturating_sub(gw)) / 2, (s.saturating_sub(gh)) / 2);
    for y in 0..s {
        for x in 0..s {
            if !inside_rounded(x as i64, y as i64, size as i64, radius) {
                continue;
            }
            let in_glyph = x >= gx && y >= gy && x < gx + gw && y < gy + gh && {
                let (col, row) = ((x - gx) / scale, (y - gy) / scale);
                rows[row] & (1 << (4 - col)) != 0
            };
            let px = if in_glyph {
                [255, 255, 255, 255]
            } else {
                [r, g, b, 255]
            };
            let at = (y * s + x) * 4;
            pixels[at..at + 4].copy_from_slice(&px);
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, size, size);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(&pixels)?;
    writer.finish()?;
    Ok(out)
}

fn inside_rounded(x: i64, y: i64, size: i64, r: i64) -> bool {
    let cx = if x < r {
        r
    } else if x >= size - r {
        size - r - 1
    } else {
        x
    };
    let cy = if y < r {
        r
    } else if y >= size - r {
        size - r - 1
    } else {
        y
    };
    (x - cx).pow(2) + (y - cy).pow(2) <= r * r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icons_are_pngs_of_the_asked_size() {
        for size in crate::icons::ICON_SIZES {
            let png = render_icon("Tab Counter", size).expect("render");
            assert_eq!(crate::icons::png_dimensions(&png), Some((size, size)));
            let decoder = png::Decoder::new(std::io::Cursor::new(&png));
            let info = decoder.read_info().expect("decodes");
            assert_eq!(info.info().width, size);
        }
    }
}
