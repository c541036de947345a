//! What a HEIF/AVIF file's `meta` box says of its primary image, read
//! without decoding: its size (the `ispe` property associated with it) and
//! where its EXIF lies (the `Exif` item that describes it, by `iloc`).
//!
//! Why not a crate: libheif answers both but only from the whole file
//! (the scan has the file's head, and EXIF often sits after the image
//! data: Samsung and Xiaomi phones, Canon's HIF); kamadak-exif finds *an*
//! EXIF item, not the one describing the primary image (a stereo pair has
//! one per eye, a burst one per frame); `imagesize` takes the largest
//! `ispe`, which for a cropped grid or an image with an alpha plane is a
//! tile's or the coded size, not the image's. The boxes involved are a
//! small, stable part of ISO/IEC 23008-12; every read here is bounds
//! checked and every count capped, since the input may be hostile.

/// Items and properties beyond these counts are ignored (a real file has
/// tens; a grid of a 200-megapixel photo a few hundred tiles).
const MAX_ITEMS: usize = 4096;
const MAX_PROPERTIES: usize = 4096;
const MAX_EXTENTS: usize = 64;

/// The facts read from a HEIF file's `meta` box.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct HeifMeta {
    /// The primary image's size as coded (`ispe`), before its rotation.
    pub(crate) size: Option<(u32, u32)>,
    /// The primary image's rotation in quarter turns anticlockwise (`irot`).
    pub(crate) quarter_turns: u8,
    /// The byte range (offset, length) of the EXIF item describing the
    /// primary image (or the only one), in the file.
    pub(crate) exif: Option<(u64, u64)>,
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn new(b: &'a [u8]) -> Self {
        Reader { b, at: 0 }
    }
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let s = self.b.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u16(&mut self) -> Option<u16> {
        Some(u16::from_be_bytes(self.take(2)?.try_into().ok()?))
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_be_bytes(self.take(4)?.try_into().ok()?))
    }
    /// An unsigned big-endian number of `size` bytes (0, 4 or 8; 0 is 0).
    fn uint(&mut self, size: u8) -> Option<u64> {
        match size {
            0 => Some(0),
            4 => self.u32().map(u64::from),
            8 => Some(u64::from_be_bytes(self.take(8)?.try_into().ok()?)),
            _ => None,
        }
    }
    fn rest(&self) -> &'a [u8] {
        self.b.get(self.at..).unwrap_or(&[])
    }
}

/// The boxes directly inside `b`: (type, body). A box cut short ends the
/// list; a size of 0 runs to the end.
fn boxes(b: &[u8]) -> impl Iterator<Item = ([u8; 4], &[u8])> {
    let mut at = 0usize;
    std::iter::from_fn(move || {
        let head = b.get(at..at + 8)?;
        let size32 = u32::from_be_bytes(head[..4].try_into().ok()?);
        let kind: [u8; 4] = head[4..8].try_into().ok()?;
        let (header, size) = match size32 {
            0 => (8usize, b.len() - at),
            1 => {
                let big = u64::from_be_bytes(b.get(at + 8..at + 16)?.try_into().ok()?);
                (16usize, usize::try_from(big).ok()?)
            }
            n => (8usize, n as usize),
        };
        if size < header {
            return None;
        }
        let body = b.get(at + header..at.checked_add(size)?)?;
        at += size;
        Some((kind, body))
    })
}

/// Reads the `meta` box of a HEIF file from its head `bytes`. `None` when
/// the head holds no complete `meta` box.
pub(crate) fn heif_meta(bytes: &[u8]) -> Option<HeifMeta> {
    let meta = boxes(bytes).find(|(k, _)| k == b"meta")?.1;
    // A full box: version and flags first.
    let children = meta.get(4..)?;
    let mut primary: Option<u32> = None;
    let mut exif_items: Vec<u32> = Vec::new();
    let mut locations: Vec<(u32, u64, u64)> = Vec::new();
    let mut described_by: Vec<(u32, u32)> = Vec::new(); // (exif item, item it describes)
    let mut properties: Vec<([u8; 4], &[u8])> = Vec::new();
    let mut associations: Vec<(u32, Vec<usize>)> = Vec::new();
    for (kind, body) in boxes(children) {
        match &kind {
            b"pitm" => {
                let mut r = Reader::new(body);
                let version = r.u8()?;
                r.take(3)?;
                primary = if version == 0 { r.u16().map(u32::from) } else { r.u32() };
            }
            b"iinf" => exif_items = exif_item_ids(body).unwrap_or_default(),
            b"iloc" => locations = item_locations(body).unwrap_or_default(),
            b"iref" => described_by = descriptions(body).unwrap_or_default(),
            b"iprp" => {
                for (k, b) in boxes(body) {
                    match &k {
                        b"ipco" => properties = boxes(b).take(MAX_PROPERTIES).collect(),
                        b"ipma" => associations = property_associations(b).unwrap_or_default(),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = HeifMeta::default();
    if let Some(primary) = primary {
        let of_primary = associations
            .iter()
            .find(|(id, _)| *id == primary)
            .map(|(_, p)| p.as_slice());
        for &index in of_primary.unwrap_or(&[]) {
            // Property indices count from 1.
            let Some((kind, body)) = index.checked_sub(1).and_then(|i| properties.get(i)) else {
                continue;
            };
            match kind {
                b"ispe" => {
                    let mut r = Reader::new(body);
                    r.take(4)?;
                    let (w, h) = (r.u32()?, r.u32()?);
                    if w > 0 && h > 0 {
                        out.size = Some((w, h));
                    }
                }
                b"irot" => out.quarter_turns = body.first().map_or(0, |a| a & 3),
                _ => {}
            }
        }
    }
    // The EXIF of the primary image; else the only EXIF item.
    let exif_item = exif_items
        .iter()
        .copied()
        .find(|e| primary.is_some_and(|p| described_by.contains(&(*e, p))))
        .or_else(|| (exif_items.len() == 1).then(|| exif_items[0]));
    if let Some(item) = exif_item {
        out.exif = locations.iter().find(|(id, _, _)| *id == item).map(|&(_, o, l)| (o, l));
    }
    Some(out)
}

/// The ids of the `Exif` items listed in an `iinf` box.
fn exif_item_ids(iinf: &[u8]) -> Option<Vec<u32>> {
    let mut r = Reader::new(iinf);
    let version = r.u8()?;
    r.take(3)?;
    if version == 0 {
        r.u16()?;
    } else {
        r.u32()?;
    }
    let mut out = Vec::new();
    for (kind, body) in boxes(r.rest()).take(MAX_ITEMS) {
        if &kind != b"infe" {
            continue;
        }
        let mut e = Reader::new(body);
        let v = e.u8()?;
        e.take(3)?;
        // Versions 0 and 1 name no item type (and predate EXIF items).
        let id = match v {
            2 => u32::from(e.u16()?),
            3 => e.u32()?,
            _ => continue,
        };
        e.u16()?; // protection index
        if e.take(4)? == b"Exif" {
            out.push(id);
        }
    }
    Some(out)
}

/// Where each item of an `iloc` box lies in the file: (id, offset,
/// length). Items stored in `idat` or built from other items, and items
/// of several extents (EXIF is one in practice), are left out.
fn item_locations(iloc: &[u8]) -> Option<Vec<(u32, u64, u64)>> {
    let mut r = Reader::new(iloc);
    let version = r.u8()?;
    r.take(3)?;
    let sizes = r.u16()?;
    let (offset_size, length_size, base_size) = ((sizes >> 12) as u8, (sizes >> 8 & 15) as u8, (sizes >> 4 & 15) as u8);
    let index_size = if version >= 1 { (sizes & 15) as u8 } else { 0 };
    let count = if version < 2 { u32::from(r.u16()?) } else { r.u32()? };
    let mut out = Vec::new();
    for _ in 0..count.min(MAX_ITEMS as u32) {
        let id = if version < 2 { u32::from(r.u16()?) } else { r.u32()? };
        let method = if version >= 1 { r.u16()? & 15 } else { 0 };
        r.u16()?; // data reference index
        let base = r.uint(base_size)?;
        let extents = usize::from(r.u16()?);
        if extents > MAX_EXTENTS {
            return Some(out);
        }
        let mut first = None;
        for _ in 0..extents {
            r.uint(index_size)?;
            let offset = r.uint(offset_size)?;
            let length = r.uint(length_size)?;
            first.get_or_insert((offset, length));
        }
        if let (0, 1, Some((offset, length))) = (method, extents, first) {
            out.push((id, base.checked_add(offset)?, length));
        }
    }
    Some(out)
}

/// The `cdsc` references of an `iref` box: (describing item, described
/// item) pairs.
fn descriptions(iref: &[u8]) -> Option<Vec<(u32, u32)>> {
    let mut r = Reader::new(iref);
    let version = r.u8()?;
    r.take(3)?;
    let mut out = Vec::new();
    for (kind, body) in boxes(r.rest()).take(MAX_ITEMS) {
        if &kind != b"cdsc" {
            continue;
        }
        let mut e = Reader::new(body);
        let id = |e: &mut Reader<'_>| if version == 0 { e.u16().map(u32::from) } else { e.u32() };
        let from = id(&mut e)?;
        let n = e.u16()?;
        for _ in 0..n {
            out.push((from, id(&mut e)?));
        }
    }
    Some(out)
}

/// The property indices associated with each item by an `ipma` box.
fn property_associations(ipma: &[u8]) -> Option<Vec<(u32, Vec<usize>)>> {
    let mut r = Reader::new(ipma);
    let version = r.u8()?;
    let flags = r.take(3)?;
    let wide = flags[2] & 1 == 1;
    let count = r.u32()?;
    let mut out = Vec::new();
    for _ in 0..count.min(MAX_ITEMS as u32) {
        let id = if version < 1 { u32::from(r.u16()?) } else { r.u32()? };
        let n = r.u8()?;
        let mut props = Vec::with_capacity(usize::from(n));
        for _ in 0..n {
            let index = if wide {
                usize::from(r.u16()? & 0x7fff)
            } else {
                usize::from(r.u8()? & 0x7f)
            };
            props.push(index);
        }
        out.push((id, props));
    }
    Some(out)
}

/// The TIFF block of an EXIF item's data: after its 4-byte offset to the
/// TIFF header (usually 0; some phones put JPEG's `Exif\0\0` or a whole
/// APP1 marker first, and say so in that offset).
pub(crate) fn exif_tiff(item: &[u8]) -> Option<&[u8]> {
    let skip = u32::from_be_bytes(item.get(..4)?.try_into().ok()?) as usize;
    let tiff = item.get(4usize.checked_add(skip)?..)?;
    // Writers that got the offset wrong: find the header near the start.
    if tiff.starts_with(b"II*\0") || tiff.starts_with(b"MM\0*") {
        return Some(tiff);
    }
    let near = item.get(..item.len().min(64))?;
    let at = near.windows(4).position(|w| w == b"II*\0" || w == b"MM\0*")?;
    item.get(at..)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        out.extend_from_slice(kind);
        out.extend_from_slice(body);
        out
    }

    fn full(kind: &[u8; 4], version: u8, body: &[u8]) -> Vec<u8> {
        let mut b = vec![version, 0, 0, 0];
        b.extend_from_slice(body);
        bx(kind, &b)
    }

    /// A HEIF head as a phone writes it: item 1 a grid (the primary,
    /// 29 x 100, turned once), item 2 its 64 x 100 tile, items 3 and 4
    /// EXIF, of which 4 describes the primary.
    fn sample() -> Vec<u8> {
        let infe = |id: u16, kind: &[u8; 4]| {
            let mut b = id.to_be_bytes().to_vec();
            b.extend_from_slice(&[0, 0]);
            b.extend_from_slice(kind);
            b.push(0);
            full(b"infe", 2, &b)
        };
        let mut iinf = 4u16.to_be_bytes().to_vec();
        for (id, kind) in [(1, b"grid"), (2, b"hvc1"), (3, b"Exif"), (4, b"Exif")] {
            iinf.extend(infe(id, kind));
        }
        // iloc v1: offset 4 bytes, length 4, base 0, index 0.
        let mut iloc = vec![0x44, 0x00];
        iloc.extend_from_slice(&3u16.to_be_bytes());
        for (id, offset, length) in [(2u16, 1000u32, 500u32), (3, 2000, 40), (4, 900_000, 60)] {
            iloc.extend_from_slice(&id.to_be_bytes());
            iloc.extend_from_slice(&0u16.to_be_bytes()); // construction method
            iloc.extend_from_slice(&0u16.to_be_bytes()); // data reference
            iloc.extend_from_slice(&1u16.to_be_bytes());
            iloc.extend_from_slice(&offset.to_be_bytes());
            iloc.extend_from_slice(&length.to_be_bytes());
        }
        let mut cdsc = 4u16.to_be_bytes().to_vec();
        cdsc.extend_from_slice(&1u16.to_be_bytes());
        cdsc.extend_from_slice(&1u16.to_be_bytes());
        let mut cdsc3 = 3u16.to_be_bytes().to_vec();
        cdsc3.extend_from_slice(&1u16.to_be_bytes());
        cdsc3.extend_from_slice(&2u16.to_be_bytes());
        let iref = full(b"iref", 0, &[bx(b"cdsc", &cdsc3), bx(b"cdsc", &cdsc)].concat());
        let ispe = |w: u32, h: u32| full(b"ispe", 0, &[w.to_be_bytes(), h.to_be_bytes()].concat());
        let ipco = bx(b"ipco", &[ispe(64, 100), ispe(29, 100), bx(b"irot", &[1])].concat());
        // Item 1: properties 2 and 3; item 2: property 1.
        let mut ipma = 2u32.to_be_bytes().to_vec();
        ipma.extend_from_slice(&[0, 1, 2, 0x82, 3, 0, 2, 1, 1]);
        let ipma = full(b"ipma", 0, &ipma);
        let iprp = bx(b"iprp", &[ipco, ipma].concat());
        let meta = full(
            b"meta",
            0,
            &[
                full(b"pitm", 0, &1u16.to_be_bytes()),
                full(b"iinf", 0, &iinf),
                full(b"iloc", 1, &iloc),
                iref,
                iprp,
            ]
            .concat(),
        );
        [bx(b"ftyp", b"heic\0\0\0\0mif1heic"), meta].concat()
    }

    #[test]
    fn the_primary_image_size_rotation_and_exif_are_read() {
        let m = heif_meta(&sample()).unwrap();
        assert_eq!(m.size, Some((29, 100)), "the primary's ispe, not the tile's");
        assert_eq!(m.quarter_turns, 1);
        assert_eq!(m.exif, Some((900_000, 60)), "the EXIF describing the primary");
    }

    #[test]
    fn a_scan_keeps_as_much_of_the_head_as_the_exif_needs() {
        // EXIF ending at 900,060 in a 3 MB file: that far, not the whole.
        assert_eq!(crate::head_len_for(&sample(), 3_000_000), 900_060);
        // `meta` after the image data (Samsung): the whole file.
        let mdat_first = [
            bx(b"ftyp", b"heic\0\0\0\0mif1heic"),
            2_000_000u32.to_be_bytes().to_vec(),
            b"mdat".to_vec(),
        ]
        .concat();
        assert_eq!(crate::head_len_for(&mdat_first, 2_500_000), 2_500_000);
        assert_eq!(crate::head_len_for(&mdat_first, 1 << 40), crate::MAX_HEAD_LEN);
        // A video (also ISO-BMFF) is not a HEIF: the usual head.
        let mp4 = [
            bx(b"ftyp", b"isom\0\0\0\0isommp41"),
            2_000_000u32.to_be_bytes().to_vec(),
            b"mdat".to_vec(),
        ]
        .concat();
        assert_eq!(crate::head_len_for(&mp4, 2_500_000), crate::HEAD_LEN);
    }

    #[test]
    fn cut_and_garbled_heads_give_none_or_less_never_a_panic() {
        let s = sample();
        for cut in 0..s.len() {
            let _ = heif_meta(&s[..cut]);
        }
        let mut rng = trove_testkit::Rng::new(26);
        for _ in 0..2000 {
            let mut g = s.clone();
            for _ in 0..4 {
                let i = rng.below(g.len() as u64) as usize;
                g[i] = rng.next_u64() as u8;
            }
            let _ = heif_meta(&g);
        }
    }

    #[test]
    fn exif_items_skip_their_offset_and_a_wrong_one() {
        let tiff = b"II*\0\x08\0\0\0";
        assert_eq!(exif_tiff(&[&[0, 0, 0, 0][..], tiff].concat()), Some(&tiff[..]));
        let app1 = [&[0, 0, 0, 10][..], b"\xff\xe1\x38\x26Exif\0\0", tiff].concat();
        assert_eq!(exif_tiff(&app1), Some(&tiff[..]));
        let wrong = [&[0, 0, 0, 0][..], b"Exif\0\0", tiff].concat();
        assert_eq!(exif_tiff(&wrong), Some(&tiff[..]));
        assert_eq!(exif_tiff(&[0, 0, 0, 200, 1, 2]), None);
    }
}
