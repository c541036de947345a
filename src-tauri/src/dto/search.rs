//! A search's page of results and its facets.

use serde::Serialize;
use ts_rs::TS;

use super::assets::AssetDto;

/// One value of a facet and how many matching assets have it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct FacetValueDto {
    pub value: String,
    #[ts(type = "number")]
    pub count: u64,
}

/// Counts over everything that matches a search, to filter by.
#[derive(Debug, Clone, Serialize, TS)]
pub struct FacetsDto {
    pub kind: Vec<FacetValueDto>,
    pub camera: Vec<FacetValueDto>,
    pub lens: Vec<FacetValueDto>,
    /// Years as text (`2024`), oldest first.
    pub year: Vec<FacetValueDto>,
    /// Ratings as text (`5`), highest first.
    pub rating: Vec<FacetValueDto>,
    pub tag: Vec<FacetValueDto>,
    pub album: Vec<FacetValueDto>,
    pub ext: Vec<FacetValueDto>,
    /// Colour labels (`red`...).
    pub label: Vec<FacetValueDto>,
    /// Flags (`pick`, `reject`).
    pub flag: Vec<FacetValueDto>,
}

impl From<&trove_core::Facets> for FacetsDto {
    fn from(f: &trove_core::Facets) -> Self {
        let list = |v: &[trove_core::FacetCount]| {
            v.iter()
                .map(|c| FacetValueDto {
                    value: c.value.clone(),
                    count: c.count,
                })
                .collect()
        };
        FacetsDto {
            kind: list(&f.kind),
            camera: list(&f.camera),
            lens: list(&f.lens),
            year: f
                .years
                .iter()
                .map(|y| FacetValueDto {
                    value: y.year.to_string(),
                    count: y.count,
                })
                .collect(),
            rating: f
                .ratings
                .iter()
                .map(|r| FacetValueDto {
                    value: r.rating.to_string(),
                    count: r.count,
                })
                .collect(),
            tag: list(&f.tags),
            album: list(&f.albums),
            ext: list(&f.ext),
            label: list(&f.labels),
            flag: list(&f.flags),
        }
    }
}

/// A page of search results with the facets of the whole result.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SearchPageDto {
    #[ts(type = "number")]
    pub total: u64,
    #[ts(type = "number")]
    pub offset: u64,
    pub assets: Vec<AssetDto>,
    /// Only when asked for (the first page of a query).
    pub facets: Option<FacetsDto>,
    /// Time the index took, in milliseconds.
    pub took_ms: f64,
}
