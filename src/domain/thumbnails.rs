//! Thumbnails of image attachments (attachments.md §5.2): which files have one, its size,
//! and making it without letting a hostile image take the server's memory.

use std::io::Cursor;

use image::{ImageFormat, ImageReader, Limits};

/// Whether an attachment has a thumbnail, by its name (Redmine's `image?`).
pub fn thumbnailable(filename: &str) -> bool {
    let lower = filename.to_ascii_lowercase();
    [".bmp", ".gif", ".jpg", ".jpe", ".jpeg", ".png"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// The bounding square asked for: the setting's when absent or 0, else rounded up to a
/// multiple of 50, at most 800.
pub fn size(param: Option<&str>, default: u32) -> u32 {
    let asked = param
        .map(|p| super::values::ruby_to_i(p).clamp(0, 800) as u32)
        .unwrap_or(0);
    if asked == 0 {
        return default.clamp(1, 800);
    }
    asked.div_ceil(50).saturating_mul(50).min(800)
}

/// The largest source read into memory for a thumbnail.
pub const MAX_SOURCE: u64 = 32 * 1024 * 1024;

/// The largest kept thumbnail read back (an 800-pixel image, uncompressed BMP included).
pub const MAX_THUMBNAIL: u64 = 4 * 1024 * 1024;

/// Why no thumbnail was made: the caller answers 404 either way.
#[derive(Debug)]
pub enum Refused {
    /// Not a BMP, GIF, JPEG or PNG by its bytes.
    NotAnImage,
    /// Past the dimension or memory limits, or undecodable.
    Unusable(String),
}

/// The widest or tallest image thumbnailed.
const MAX_SIDE: u32 = 10_000;

/// A decoder with limits: a decompression bomb declares huge dimensions in a few bytes,
/// and is refused before any pixel is allocated.
fn reader(bytes: &[u8], format: ImageFormat) -> ImageReader<Cursor<&[u8]>> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(128 * 1024 * 1024);
    reader.limits(limits);
    reader
}

/// The media type of a thumbnail, from its bytes.
pub fn media_type(bytes: &[u8]) -> &'static str {
    match image::guess_format(bytes) {
        Ok(ImageFormat::Png) => "image/png",
        Ok(ImageFormat::Jpeg) => "image/jpeg",
        Ok(ImageFormat::Gif) => "image/gif",
        Ok(ImageFormat::Bmp) => "image/bmp",
        _ => "application/octet-stream",
    }
}

/// The image shrunk to fit a `size` square (never enlarged), in its own format.
pub fn make(bytes: &[u8], size: u32) -> Result<Vec<u8>, Refused> {
    let format = image::guess_format(bytes).map_err(|_| Refused::NotAnImage)?;
    if !matches!(
        format,
        ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Gif | ImageFormat::Bmp
    ) {
        return Err(Refused::NotAnImage);
    }
    let (w, h) = reader(bytes, format)
        .into_dimensions()
        .map_err(|e| Refused::Unusable(e.to_string()))?;
    if w > MAX_SIDE || h > MAX_SIDE {
        return Err(Refused::Unusable(format!("{w}x{h} pixels")));
    }
    // always decoded and written anew, even when small enough: bytes appended to an image
    // (a script, say) never reach the client
    let image = reader(bytes, format)
        .decode()
        .map_err(|e| Refused::Unusable(e.to_string()))?;
    let thumb = if w <= size && h <= size {
        image
    } else {
        image.thumbnail(size, size)
    };
    let mut out = Cursor::new(Vec::new());
    thumb
        .write_to(&mut out, format)
        .map_err(|e| Refused::Unusable(e.to_string()))?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let img = image::RgbImage::from_pixel(w, h, image::Rgb([200, 10, 10]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    #[test]
    fn sizes() {
        assert_eq!(size(None, 100), 100);
        assert_eq!(size(Some("0"), 100), 100);
        assert_eq!(size(Some("120"), 100), 150);
        assert_eq!(size(Some("2000"), 100), 800);
        assert_eq!(size(Some("x"), 100), 100);
        assert!(thumbnailable("A.PNG") && !thumbnailable("a.svg"));
    }

    #[test]
    fn shrinks_and_keeps_the_ratio() {
        let t = make(&png(300, 200), 100).unwrap();
        let img = image::load_from_memory(&t).unwrap();
        assert_eq!((img.width(), img.height()), (100, 67));
        // never enlarged, and what follows the image is dropped
        let mut small = png(40, 30);
        small.extend_from_slice(b"<script>alert(1)</script>");
        let t = make(&small, 100).unwrap();
        let img = image::load_from_memory(&t).unwrap();
        assert_eq!((img.width(), img.height()), (40, 30));
        assert!(!String::from_utf8_lossy(&t).contains("script"));
        assert_eq!(media_type(&t), "image/png");
        assert!(matches!(
            make(b"not an image", 100),
            Err(Refused::NotAnImage)
        ));
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for b in bytes {
            crc ^= u32::from(*b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }

    #[test]
    fn a_bomb_is_refused() {
        // a valid PNG header declaring 100,000 x 100,000 pixels (its checksum fixed)
        let mut bomb = png(1, 1);
        bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32(&bomb[12..29]);
        bomb[29..33].copy_from_slice(&crc.to_be_bytes());
        assert!(matches!(make(&bomb, 100), Err(Refused::Unusable(_))));
    }
}
