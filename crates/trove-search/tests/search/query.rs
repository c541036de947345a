//! The query language, one operator and field at a time.

use trove_search::{AssetDoc, AssetKind, SearchError};

use crate::kit::{Library, asset, destination, utc};

fn beach_library() -> Library {
    let mut a = asset(1, "IMG_2041.JPG");
    a.folders = vec!["Photos/2023/beach-trip".into(), "Main disk".into()];
    a.title = Some("Sunset over the beach".into());
    let mut b = asset(2, "DSCF0007.RAF");
    b.folders = vec!["Photos/2024/Iceland".into()];
    b.description = Some("Glacier walk near Vik".into());
    b.places = vec!["Reykjavík".into()];
    let mut c = asset(3, "holiday notes.pdf");
    c.kind = AssetKind::Document;
    c.title = Some("Trip to the beach".into());
    c.author = Some("Ada Lovelace".into());
    let mut d = asset(4, "clip.mp4");
    d.kind = AssetKind::Video;
    d.subtitle_text = Some("welcome aboard the ferry".into());
    d.captions = vec!["first dive".into()];
    Library::with(&[a, b, c, d])
}

#[test]
fn a_word_matches_names_folders_and_every_text_field() {
    let lib = beach_library();
    assert_eq!(lib.ids("beach"), [1, 3], "title and folder");
    assert_eq!(lib.ids("glacier"), [2], "description");
    assert_eq!(lib.ids("reykjavik"), [2], "places, folded to ASCII");
    assert_eq!(lib.ids("lovelace"), [3], "author");
    assert_eq!(lib.ids("ferry"), [4], "subtitles");
    assert_eq!(lib.ids("dive"), [4], "captions");
    assert_eq!(lib.ids("Main"), [1], "root display name");
}

#[test]
fn file_names_match_whole_by_part_and_across_letter_digit_boundaries() {
    let lib = beach_library();
    assert_eq!(lib.ids("IMG_2041"), [1]);
    assert_eq!(lib.ids("img_2041.jpg"), [1]);
    assert_eq!(lib.ids("2041"), [1]);
    assert_eq!(lib.ids("img"), [1]);
    assert_eq!(lib.ids("dscf0007"), [2]);
    assert_eq!(lib.ids("0007"), [2]);
    assert_eq!(lib.ids("beach-trip"), [1]);
    assert_eq!(lib.ids("2024"), [2], "a folder path segment");
    assert_eq!(lib.ids("2042"), Vec::<i64>::new());
}

#[test]
fn words_match_as_prefixes_while_typing() {
    let lib = beach_library();
    assert_eq!(lib.ids("bea"), [1, 3]);
    assert_eq!(lib.ids("img_20"), [1]);
    assert_eq!(lib.ids("glac"), [2]);
    assert_eq!(lib.ids("dscf00"), [2]);
}

#[test]
fn a_one_part_prefix_finds_every_name_and_text_that_begins_with_it() {
    // Prefixes of one part (all letters or all digits) are matched against
    // parts only; every run or whole name that begins with the word must
    // still be found through its first part.
    let names = [
        "DSC0412.jpg",
        "DSCF0001.RAF",
        "dsc_night.jpg",
        "IMG2041b.heic",
        "x100v-test.jpg",
        "Café Paris.jpg",
        "20410101_120000.jpg",
        "PXL_20230101.mp4",
        "dscotland.jpg",
        "readme",
    ];
    let docs: Vec<AssetDoc> = names
        .iter()
        .enumerate()
        .map(|(i, name)| asset(i as i64 + 1, name))
        .collect();
    let lib = Library::with(&docs);
    // What the word should find: a name with a part that begins with it.
    let expected = |word: &str| -> Vec<i64> {
        let mut ids = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let lower = name.to_lowercase().replace('é', "e");
            let mut parts = Vec::new();
            let mut current = String::new();
            for c in lower.chars() {
                let same = current
                    .chars()
                    .last()
                    .is_some_and(|l| l.is_ascii_digit() == c.is_ascii_digit());
                if !c.is_alphanumeric() || (!current.is_empty() && !same) {
                    parts.push(std::mem::take(&mut current));
                }
                if c.is_alphanumeric() {
                    current.push(c);
                }
            }
            parts.push(current);
            if parts.iter().any(|p| p.starts_with(word)) {
                ids.push(i as i64 + 1);
            }
        }
        ids
    };
    for word in [
        "dsc", "ds", "img", "2041", "20", "x", "10", "caf", "pxl", "2023", "re", "jp",
    ] {
        assert_eq!(lib.ids(word), expected(word), "{word}");
    }
    assert_eq!(lib.ids("dsc"), [1, 2, 3, 9]);
    assert_eq!(lib.ids("2041"), [4, 7]);
}

#[test]
fn a_typo_in_a_long_word_is_forgiven_and_exact_matches_rank_first() {
    let mut exact = asset(1, "a.jpg");
    exact.title = Some("Iceland".into());
    let mut typo = asset(2, "b.jpg");
    typo.title = Some("Icelnad".into());
    let lib = Library::with(&[exact, typo, asset(3, "c.jpg")]);
    assert_eq!(lib.ids("icelnad"), [1, 2], "a swap");
    assert_eq!(lib.ids("icelamd"), [1], "a substitution");
    assert_eq!(lib.ranked("iceland"), [1, 2], "the exact match first");
    assert_eq!(lib.ranked("icelnad"), [2, 1]);
    assert_eq!(lib.ids("icxlxnd"), Vec::<i64>::new(), "two typos are too many");
    let short = Library::with(&[{
        let mut d = asset(1, "a.jpg");
        d.title = Some("cat".into());
        d
    }]);
    assert_eq!(short.ids("cta"), Vec::<i64>::new(), "no typos under five letters");
}

#[test]
fn quoted_phrases_match_words_in_order() {
    let lib = beach_library();
    assert_eq!(lib.ids("\"over the beach\""), [1]);
    assert_eq!(lib.ids("\"beach the over\""), Vec::<i64>::new());
    assert_eq!(lib.ids("\"bea\""), Vec::<i64>::new(), "no prefixes in quotes");
}

#[test]
fn boolean_operators_group_and_negate() {
    let lib = beach_library();
    assert_eq!(lib.ids("beach sunset"), [1], "implicit AND");
    assert_eq!(lib.ids("beach AND sunset"), [1]);
    assert_eq!(lib.ids("glacier OR ferry"), [2, 4]);
    assert_eq!(lib.ids("beach -sunset"), [3]);
    assert_eq!(lib.ids("beach NOT sunset"), [3]);
    assert_eq!(lib.ids("-beach"), [2, 4], "a lone negation");
    assert_eq!(lib.ids("NOT (beach OR glacier)"), [4]);
    assert_eq!(lib.ids("sunset OR glacier ferry"), [1], "AND binds tighter than OR");
    assert_eq!(lib.ids("(sunset OR glacier) walk"), [2]);
    assert_eq!(lib.ids(""), [1, 2, 3, 4], "the empty query matches all");
    assert_eq!(lib.ids("-(kind:image OR kind:video)"), [3]);
}

fn camera_library() -> Library {
    let mut fuji = asset(1, "a.raf");
    fuji.camera_make = Some("FUJIFILM".into());
    fuji.camera_model = Some("X100V".into());
    fuji.lens = Some("23mm F2".into());
    fuji.iso = Some(6400);
    fuji.focal_length_mm = Some(23.0);
    fuji.aperture = Some(2.0);
    fuji.extensions = vec![".RAF".into()];
    let mut canon = asset(2, "b.cr2");
    canon.camera_make = Some("Canon".into());
    canon.camera_model = Some("Canon EOS 5D Mark IV".into());
    canon.lens = Some("EF35mm f/1.4L USM".into());
    canon.iso = Some(200);
    canon.focal_length_mm = Some(35.0);
    canon.aperture = Some(1.4);
    canon.extensions = vec!["CR2".into(), "jpg".into()];
    canon.width = Some(6720);
    canon.height = Some(4480);
    canon.mime = Some("image/x-canon-cr2".into());
    let mut video = asset(3, "c.mov");
    video.kind = AssetKind::Video;
    video.extensions = vec!["mov".into()];
    Library::with(&[fuji, canon, video])
}

#[test]
fn camera_and_lens_match_make_model_and_parts() {
    let lib = camera_library();
    assert_eq!(lib.ids("camera:\"X100V\""), [1]);
    assert_eq!(lib.ids("camera:x100v"), [1]);
    assert_eq!(lib.ids("camera:fujifilm"), [1]);
    assert_eq!(lib.ids("camera:\"EOS 5D\""), [2]);
    assert_eq!(lib.ids("camera:canon"), [2]);
    assert_eq!(lib.ids("lens:35mm"), [2]);
    assert_eq!(lib.ids("lens:23mm"), [1]);
    assert_eq!(lib.ids("x100v"), [1], "free text covers the camera");
}

#[test]
fn kind_ext_mime_and_numeric_fields_filter() {
    let lib = camera_library();
    assert_eq!(lib.ids("kind:video"), [3]);
    assert_eq!(lib.ids("kind:IMAGE"), [1, 2]);
    assert_eq!(lib.ids("ext:cr2"), [2]);
    assert_eq!(lib.ids("ext:.JPG"), [2]);
    assert_eq!(lib.ids("ext:raf"), [1]);
    assert_eq!(lib.ids("mime:image/x-canon-cr2"), [2]);
    assert_eq!(lib.ids("iso:>3200"), [1]);
    assert_eq!(lib.ids("iso:<=200"), [2]);
    assert_eq!(lib.ids("iso:200..6400"), [1, 2]);
    assert_eq!(lib.ids("focal:35mm"), [2]);
    assert_eq!(lib.ids("focal:20..30"), [1]);
    assert_eq!(lib.ids("aperture:<=f/1.8"), [2]);
    assert_eq!(lib.ids("width:>=6000 height:4480"), [2]);
}

#[test]
fn taken_matches_years_months_days_and_inclusive_ranges() {
    let dates = [
        (1, utc(2022, 12, 31, 23)),
        (2, utc(2023, 1, 1, 0)),
        (3, utc(2023, 6, 14, 12)),
        (4, utc(2023, 6, 15, 0)),
        (5, utc(2023, 8, 31, 23)),
        (6, utc(2023, 9, 1, 0)),
        (7, utc(2024, 2, 29, 10)),
    ];
    let mut docs: Vec<AssetDoc> = dates
        .iter()
        .map(|&(id, ms)| {
            let mut d = asset(id, "x.jpg");
            d.capture_ms = Some(ms);
            d
        })
        .collect();
    docs.push(asset(8, "undated.jpg"));
    let lib = Library::with(&docs);
    assert_eq!(lib.ids("taken:2023"), [2, 3, 4, 5, 6]);
    assert_eq!(lib.ids("taken:2023-06"), [3, 4]);
    assert_eq!(lib.ids("taken:2023-06-14"), [3]);
    assert_eq!(lib.ids("taken:2023-06..2023-08"), [3, 4, 5], "whole months, both ends");
    assert_eq!(lib.ids("taken:2024-02-29"), [7]);
    assert_eq!(lib.ids("taken:>=2023-09"), [6, 7]);
    assert_eq!(lib.ids("taken:<2023"), [1]);
    assert_eq!(lib.ids("taken:..2023-01-01"), [1, 2]);
    assert_eq!(lib.ids("-taken:2023"), [1, 7, 8]);
}

#[test]
fn rating_compares() {
    let docs: Vec<AssetDoc> = [
        (1, Some(-1)),
        (2, Some(0)),
        (3, Some(3)),
        (4, Some(4)),
        (5, Some(5)),
        (6, None),
    ]
    .into_iter()
    .map(|(id, rating)| {
        let mut d = asset(id, "x.jpg");
        d.rating = rating;
        d
    })
    .collect();
    let lib = Library::with(&docs);
    assert_eq!(lib.ids("rating:5"), [5]);
    assert_eq!(lib.ids("rating:>=4"), [4, 5]);
    assert_eq!(lib.ids("rating:>3"), [4, 5]);
    assert_eq!(lib.ids("rating:<3"), [1, 2]);
    assert_eq!(lib.ids("rating:<=3"), [1, 2, 3]);
    assert_eq!(lib.ids("rating:3..4"), [3, 4]);
    assert_eq!(lib.ids("rating:-1"), [1]);
}

#[test]
fn tags_match_at_every_level_and_exact_values_ignore_case() {
    let mut a = asset(1, "a.jpg");
    a.hierarchical_keywords = vec!["Family|Kids".into()];
    a.albums = vec!["Iceland 2024".into()];
    a.color_label = Some("Red".into());
    a.has = vec!["comment", "album"];
    let mut b = asset(2, "b.jpg");
    b.keywords = vec!["family".into()];
    b.tags = vec!["trips/iceland".into()];
    b.albums = vec!["Iceland 2024 outtakes".into()];
    let mut c = asset(3, "c.jpg");
    c.missing = true;
    c.hierarchical_keywords = vec!["places|Iceland|Vik".into()];
    let lib = Library::with(&[a, b, c]);
    assert_eq!(lib.ids("tag:family"), [1, 2]);
    assert_eq!(lib.ids("tag:family/kids"), [1]);
    assert_eq!(lib.ids("tag:\"family|kids\""), [1]);
    assert_eq!(lib.ids("tag:kids"), Vec::<i64>::new(), "levels match from the top");
    assert_eq!(lib.ids("tag:places/iceland"), [3]);
    assert_eq!(lib.ids("tag:trips"), [2]);
    assert_eq!(lib.ids("album:\"Iceland 2024\""), [1]);
    assert_eq!(lib.ids("album:\"iceland 2024 OUTTAKES\""), [2]);
    assert_eq!(lib.ids("label:red"), [1]);
    assert_eq!(lib.ids("has:comment"), [1]);
    assert_eq!(lib.ids("has:Album -has:comment"), Vec::<i64>::new());
    assert!(
        lib.try_search("synced:pending").is_err(),
        "synced: was never filled; it is gone"
    );
    assert!(lib.try_search("has:wings").is_err());
    assert_eq!(lib.ids("missing:true"), [3]);
    assert_eq!(lib.ids("missing:false"), [1, 2]);
    assert_eq!(lib.ids("iceland"), [1, 2, 3], "free text sees tags and albums");
}

#[test]
fn name_folder_and_title_fields_look_only_there() {
    let lib = beach_library();
    assert_eq!(lib.ids("title:beach"), [1, 3]);
    assert_eq!(lib.ids("folder:beach"), [1]);
    assert_eq!(lib.ids("path:iceland"), [2]);
    assert_eq!(lib.ids("name:holiday"), [3]);
    assert_eq!(lib.ids("name:beach"), Vec::<i64>::new());
    assert_eq!(lib.ids("Title:\"trip to\""), [3], "field names ignore case");
}

#[test]
fn near_is_exact_at_the_edge_of_the_radius() {
    let (lat, lon) = (64.14, -21.94);
    let mut docs = Vec::new();
    let mut id = 0;
    let mut inside = Vec::new();
    for bearing in [0.0, 45.0, 90.0, 135.0, 180.0, 270.0] {
        for (metres, within) in [(4_990.0, true), (5_010.0, false), (100.0, true), (20_000.0, false)] {
            id += 1;
            let mut d = asset(id, "p.jpg");
            d.gps = Some(destination(lat, lon, bearing, metres));
            if within {
                inside.push(id);
            }
            docs.push(d);
        }
    }
    docs.push(asset(1000, "no-gps.jpg"));
    let lib = Library::with(&docs);
    assert_eq!(lib.ids("near:64.14,-21.94,5km"), inside);
    assert_eq!(lib.ids("near:64.14,-21.94,5000m"), inside);
    assert_eq!(lib.ids("near:64.14,-21.94,5").len(), inside.len(), "km by default");
}

#[test]
fn near_crosses_the_antimeridian() {
    let mut east = asset(1, "east.jpg");
    east.gps = Some((0.0, 179.99));
    let mut west = asset(2, "west.jpg");
    west.gps = Some((0.0, -179.99));
    let mut far = asset(3, "far.jpg");
    far.gps = Some((0.0, -179.0));
    let lib = Library::with(&[east, west, far]);
    assert_eq!(lib.ids("near:0,179.995,5km"), [1, 2]);
}

#[test]
fn an_unknown_field_is_named_with_the_valid_ones() {
    let lib = beach_library();
    let err = lib.error("colour:red");
    assert!(matches!(&err, SearchError::UnknownField { field } if field == "colour"));
    assert_eq!(err.code(), "query_unknown_field");
    assert!(err.is_user_error());
    let message = err.to_string();
    assert!(
        message.contains("colour") && message.contains("label") && message.contains("taken"),
        "{message}"
    );
}

#[test]
fn a_bad_value_says_what_was_expected() {
    let lib = beach_library();
    for query in [
        "rating:lots",
        "rating:9",
        "taken:2023-13",
        "taken:yesterday",
        "kind:photo",
        "near:64,-21",
        "near:95,0,5km",
        "missing:maybe",
        "iso:-5",
    ] {
        let err = lib.error(query);
        assert_eq!(err.code(), "query_bad_value", "{query}: {err}");
        assert!(err.to_string().contains("expected"), "{query}: {err}");
    }
}

#[test]
fn a_syntax_error_points_at_the_bad_part() {
    let lib = beach_library();
    let err = lib.error("beach AND (sunset OR");
    let SearchError::Parse {
        offset,
        column,
        fragment,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((*offset, *column, fragment.as_str()), (18, 19, "OR"));
    assert_eq!(err.code(), "query_syntax");
    assert!(err.to_string().contains("column 19"), "{err}");
    let SearchError::Parse { column, .. } = lib.error("été \"unclosed") else {
        panic!()
    };
    assert_eq!(column, 5, "columns count characters, not bytes");
}
