//! The index schema: one document per asset.
//!
//! Change anything here (a field, an option, an analyzer's behaviour), or
//! what a field's values mean, and bump [`SCHEMA_VERSION`]: an index of another version is moved aside and
//! rebuilt when it is opened.

use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, INDEXED, IndexRecordOption, NumericOptions, STRING, Schema,
    TextFieldIndexing, TextOptions,
};

use crate::tokenizer;

/// The version of the schema and of the analyzers. Stored in every commit.
/// Version 2: capture times with an EXIF offset are wall-clock times (they
/// were one offset off in version 1). Version 3: a `flag` field (pick,
/// reject), and ratings, labels and keywords are the curation's. Version
/// 4: `caption`, `creator` and `has` fields; the never-filled `sync` gone.
/// Version 5: `label` and `flag` are columns too (their facets).
pub const SCHEMA_VERSION: u32 = 5;

/// Field names, as Tantivy knows them (not the query language's names).
pub(crate) mod name {
    pub const ID: &str = "id";
    pub const UUID: &str = "uuid";
    pub const NAME: &str = "name";
    pub const NAME_SORT: &str = "name_sort";
    pub const FOLDER: &str = "folder";
    pub const TITLE: &str = "title";
    pub const TEXT: &str = "text";
    pub const CAMERA: &str = "camera";
    pub const CAMERA_MODEL: &str = "camera_model";
    pub const LENS: &str = "lens";
    pub const LENS_VALUE: &str = "lens_value";
    pub const KIND: &str = "kind";
    pub const MIME: &str = "mime";
    pub const EXT: &str = "ext";
    pub const CAPTURE: &str = "capture";
    pub const SIZE: &str = "size";
    pub const WIDTH: &str = "width";
    pub const HEIGHT: &str = "height";
    pub const DURATION: &str = "duration_ms";
    pub const ISO: &str = "iso";
    pub const FOCAL: &str = "focal_mm";
    pub const APERTURE: &str = "aperture";
    pub const LAT: &str = "lat";
    pub const LON: &str = "lon";
    pub const TAG: &str = "tag";
    pub const ALBUM: &str = "album";
    pub const LABEL: &str = "label";
    pub const FLAG: &str = "flag";
    pub const CAPTION: &str = "caption";
    pub const CREATOR: &str = "creator";
    pub const HAS: &str = "has";
    pub const RATING: &str = "rating";
    pub const MISSING: &str = "missing";
}

/// Handles of every field of [`build`]'s schema.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fields {
    pub id: Field,
    pub uuid: Field,
    pub name: Field,
    pub name_sort: Field,
    pub folder: Field,
    pub title: Field,
    pub text: Field,
    pub camera: Field,
    pub camera_model: Field,
    pub lens: Field,
    pub lens_value: Field,
    pub kind: Field,
    pub mime: Field,
    pub ext: Field,
    pub capture: Field,
    pub size: Field,
    pub width: Field,
    pub height: Field,
    pub duration: Field,
    pub iso: Field,
    pub focal: Field,
    pub aperture: Field,
    pub lat: Field,
    pub lon: Field,
    pub tag: Field,
    pub album: Field,
    pub label: Field,
    pub flag: Field,
    pub caption: Field,
    pub creator: Field,
    pub has: Field,
    pub rating: Field,
    pub missing: Field,
}

/// Searchable text with positions (for phrases), cut by `analyzer`.
fn words(analyzer: &str) -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(analyzer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

/// An exact, case-insensitive value: one term per value, no positions.
fn exact() -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer::WHOLE)
            .set_fieldnorms(false)
            .set_index_option(IndexRecordOption::Basic),
    )
}

/// A value kept only as a fast (column) field, for facets and sorting.
fn column(normalizer: &str) -> TextOptions {
    TextOptions::default().set_fast(normalizer)
}

fn number() -> NumericOptions {
    NumericOptions::default().set_fast()
}

/// Builds the schema and the handles of its fields.
pub(crate) fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let fields = Fields {
        id: b.add_i64_field(name::ID, INDEXED | FAST),
        uuid: b.add_text_field(name::UUID, STRING | FAST),
        name: b.add_text_field(name::NAME, words(tokenizer::NAME)),
        name_sort: b.add_text_field(name::NAME_SORT, column(tokenizer::WHOLE)),
        folder: b.add_text_field(name::FOLDER, words(tokenizer::NAME)),
        title: b.add_text_field(name::TITLE, words(tokenizer::TEXT)),
        text: b.add_text_field(name::TEXT, words(tokenizer::TEXT)),
        camera: b.add_text_field(name::CAMERA, words(tokenizer::TEXT)),
        camera_model: b.add_text_field(name::CAMERA_MODEL, column("raw")),
        lens: b.add_text_field(name::LENS, words(tokenizer::TEXT)),
        lens_value: b.add_text_field(name::LENS_VALUE, column("raw")),
        kind: b.add_text_field(name::KIND, STRING | FAST),
        mime: b.add_text_field(name::MIME, exact()),
        ext: b.add_text_field(name::EXT, exact().set_fast(tokenizer::WHOLE)),
        capture: b.add_date_field(
            name::CAPTURE,
            DateOptions::default()
                .set_fast()
                .set_precision(DateTimePrecision::Milliseconds),
        ),
        size: b.add_u64_field(name::SIZE, number()),
        width: b.add_u64_field(name::WIDTH, number()),
        height: b.add_u64_field(name::HEIGHT, number()),
        duration: b.add_u64_field(name::DURATION, number()),
        iso: b.add_u64_field(name::ISO, number()),
        focal: b.add_f64_field(name::FOCAL, number()),
        aperture: b.add_f64_field(name::APERTURE, number()),
        lat: b.add_f64_field(name::LAT, number()),
        lon: b.add_f64_field(name::LON, number()),
        tag: b.add_text_field(name::TAG, exact().set_fast(tokenizer::WHOLE)),
        album: b.add_text_field(name::ALBUM, exact().set_fast("raw")),
        label: b.add_text_field(name::LABEL, exact().set_fast("raw")),
        flag: b.add_text_field(name::FLAG, exact().set_fast("raw")),
        caption: b.add_text_field(name::CAPTION, words(tokenizer::TEXT)),
        creator: b.add_text_field(name::CREATOR, words(tokenizer::TEXT)),
        has: b.add_text_field(name::HAS, exact()),
        rating: b.add_i64_field(name::RATING, number()),
        missing: b.add_bool_field(name::MISSING, INDEXED | FAST),
    };
    (b.build(), fields)
}
