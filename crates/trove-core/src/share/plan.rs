//! What a share holds: the selection, one asset's objects, and copying
//! each into the share's prefix.

use std::path::PathBuf;

use trove_catalog::{ObjectState, ShareItem};
use trove_store::{AnyStore, ObjectStore};
use trove_types::{AssetId, AssetKind};

use super::{MAX_SHARE_ASSETS, ShareOptions};
use crate::error::{CoreError, Result};
use crate::library::Library;
use crate::model::AssetDetail;
use crate::sync::{Source, engine, original_key, proxy_key};

/// `attachment; filename="..."; filename*=UTF-8''...` for a download name.
pub(super) fn disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    // RFC 5987: everything but the unreserved characters is escaped.
    const ESCAPED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    let encoded = percent_encoding::utf8_percent_encode(name, ESCAPED).to_string();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// One object to place under a share's prefix.
pub(super) struct Planned {
    pub(super) item: ShareItem,
    /// Where it is synced (copied server-side when verified there).
    pub(super) synced_key: Option<String>,
    /// Its local file (uploaded when not synced).
    pub(super) local: Option<PathBuf>,
    /// `local` is a copy made for this share (metadata stripped), removed
    /// once it is placed.
    pub(super) temporary: bool,
}

pub(super) fn selection_ids(selection: &[AssetDetail]) -> Vec<(i64, AssetId)> {
    selection.iter().map(|d| (d.asset.row_id, d.asset.id)).collect()
}

/// Puts one object under the share's prefix: a server-side copy of the
/// synced object when there is one, else an upload of the local file.
/// Either way the stored size is checked.
pub(super) async fn place_object(store: &AnyStore, p: &Planned) -> Result<()> {
    if let Some(from) = &p.synced_key {
        match store.copy(from, &p.item.key).await {
            Ok(()) => {
                let info = store.head(&p.item.key).await?;
                if info.size == p.item.size {
                    return Ok(());
                }
                store.delete(&p.item.key).await?;
            }
            // Too big for one copy, or gone: fall back to the local file.
            Err(e) if p.local.is_some() && !e.stops_everything() => {}
            Err(e) => return Err(e.into()),
        }
    }
    let Some(path) = &p.local else {
        return Err(CoreError::NothingToShare {
            name: p.item.name.clone().unwrap_or_default(),
            why: "its file is missing and it is not in the bucket",
        });
    };
    let obj = engine::Sendable {
        id: 0,
        key: p.item.key.clone(),
        size: p.item.size,
        original: p.item.role == "original",
        upload_id: None,
        recorded_parts: Vec::new(),
        asset_hex: None,
        want_md5: false,
    };
    let source = Source::File {
        path: path.clone(),
        expect_md5: None,
    };
    engine::send_one(store.clone(), obj, source)
        .await
        .map_err(|detail| CoreError::ShareCopy {
            key: p.item.key.clone(),
            detail,
        })?;
    Ok(())
}

impl Library {
    /// Resolves what the user named: an asset (id or path), else a search
    /// query (which also covers `album:` and `tag:`).
    pub(super) fn share_selection(&self, what: &[String]) -> Result<Vec<AssetDetail>> {
        let mut out: Vec<AssetDetail> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for query in what {
            let found = match self.asset_detail(query) {
                Ok(d) => vec![d],
                Err(CoreError::AssetNotFound { .. }) => {
                    let outcome = self.search(
                        &crate::SearchQuery {
                            text: query.clone(),
                            sort: crate::Sort::default(),
                            offset: 0,
                            limit: MAX_SHARE_ASSETS + 1,
                            facets: false,
                        },
                        &crate::NoEvents,
                    )?;
                    if outcome.total > MAX_SHARE_ASSETS as u64 {
                        return Err(CoreError::ShareTooBig {
                            query: query.clone(),
                            found: outcome.total,
                        });
                    }
                    let mut details = Vec::new();
                    for a in outcome.assets {
                        details.push(self.asset_detail(&a.id.to_string())?);
                    }
                    details
                }
                Err(e) => return Err(e),
            };
            if found.is_empty() {
                return Err(CoreError::AssetNotFound { query: query.clone() });
            }
            for d in found {
                if seen.insert(d.asset.id) {
                    out.push(d);
                }
            }
        }
        if out.len() > MAX_SHARE_ASSETS {
            return Err(CoreError::ShareTooBig {
                query: what.join(" "),
                found: out.len() as u64,
            });
        }
        Ok(out)
    }

    /// What goes under the share's prefix for one asset (position `pos`).
    pub(super) fn plan_share_asset(
        &self,
        id: &str,
        pos: usize,
        d: &AssetDetail,
        opts: &ShareOptions,
    ) -> Result<Vec<Planned>> {
        let hex = d.asset.blake3.to_hex();
        let file = d.files.iter().find(|f| f.record.present).or(d.files.first());
        let name = file
            .and_then(|f| f.path.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| d.asset.id.to_string());
        let stem = std::path::Path::new(&name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| name.clone());
        let ext = file
            .map(|f| crate::sync::clean_ext(&f.record.rel_path))
            .unwrap_or_default();
        // What a download is called: the file's name, or (names not
        // shared) "Photo-3.jpg".
        let (dl_name, dl_stem) = if opts.names {
            (name.clone(), stem.clone())
        } else {
            let n = super::page::neutral_name(d.asset.kind, pos as i64).replace(' ', "-");
            (
                if ext.is_empty() {
                    n.clone()
                } else {
                    format!("{n}.{ext}")
                },
                n,
            )
        };
        let verified: std::collections::HashSet<String> = self
            .asset_sync_state(d.asset.row_id)?
            .into_iter()
            .filter(|o| o.state == ObjectState::Verified)
            .map(|o| o.key)
            .collect();
        let prefix = format!("share/{id}/{pos}");
        let mut out = Vec::new();
        // `synced`: where the object may be in the bucket (copied from there
        // when verified); `temporary`: `local` is a copy made for the share.
        let mut push = |role: &str,
                        key_name: String,
                        synced: Option<String>,
                        local: Option<PathBuf>,
                        size: u64,
                        dl: String,
                        temporary: bool| {
            out.push(Planned {
                item: ShareItem {
                    key: format!("{prefix}/{key_name}"),
                    position: pos as i64,
                    asset_row: Some(d.asset.row_id),
                    role: role.to_owned(),
                    name: Some(dl),
                    size,
                },
                synced_key: synced.filter(|s| verified.contains(s)),
                local,
                temporary,
            });
        };
        let proxy = |variant: &str| d.derivatives.iter().find(|x| x.variant == variant);
        let thumb = proxy("thumb@2x").or_else(|| proxy("thumb"));
        let preview = proxy("preview");
        let media = proxy("video").or_else(|| proxy("audio"));
        let original_local = d.files.iter().find(|f| f.record.present).map(|f| f.path.clone());
        let original_name = if ext.is_empty() {
            "original".to_owned()
        } else {
            format!("original.{ext}")
        };
        let playable_original = matches!(d.asset.kind, AssetKind::Video | AssetKind::Audio) && media.is_none();
        let mut add_proxy = |role: &str, x: &trove_catalog::Derivative| {
            let key_name = format!("{role}.{}", x.format);
            push(
                role,
                key_name,
                Some(proxy_key(&hex, &x.variant, &x.format)),
                Some(self.dir().join(&x.path)),
                x.size,
                format!("{dl_stem}.{}", x.format),
                false,
            );
        };
        if opts.page {
            if let Some(x) = thumb {
                add_proxy("thumb", x);
            }
            if let Some(x) = preview {
                add_proxy("preview", x);
            }
            if let Some(x) = media {
                add_proxy("media", x);
            }
        } else if !opts.originals {
            // One link per asset: what a browser shows best.
            match (d.asset.kind, media, preview) {
                (AssetKind::Video | AssetKind::Audio, Some(x), _) => add_proxy("media", x),
                (AssetKind::Video | AssetKind::Audio, None, _) if playable_original => {}
                (_, _, Some(x)) => add_proxy("preview", x),
                _ => {
                    return Err(CoreError::NothingToShare {
                        name,
                        why: "it has no preview yet, and the share holds previews, not originals",
                    });
                }
            }
        }
        // The original: as a download when allowed; else, for a video or
        // a song the browser plays as it is, for playback only.
        let role = if opts.originals {
            Some("original")
        } else if playable_original {
            Some("media")
        } else {
            None
        };
        if let Some(role) = role {
            let synced = original_key(&hex, &ext);
            if original_local.is_none() && !verified.contains(&synced) {
                return Err(CoreError::NothingToShare {
                    name,
                    why: "its file is missing and it is not in the bucket",
                });
            }
            if opts.originals {
                push(
                    role,
                    original_name,
                    Some(synced),
                    original_local,
                    d.asset.size,
                    dl_name.clone(),
                    false,
                );
            } else {
                // Played as the original, but not the original: the same
                // streams without location, camera, dates and tags (the
                // person did not share originals).
                let Some(local) = original_local else {
                    return Err(CoreError::NothingToShare {
                        name,
                        why: "its file is missing, and a video or a song is shared from it with its location and camera details removed",
                    });
                };
                let ext = if ext.is_empty() { "mp4".to_owned() } else { ext.clone() };
                let copy = self
                    .proxy_temp_path(&ext)
                    .map_err(|e| CoreError::io("make a copy to share", self.proxies_dir(), e))?;
                trove_media::strip_av_metadata(self.tools(), &local, &copy).map_err(|e| CoreError::NothingToShare {
                    name: name.clone(),
                    why: match e {
                        trove_media::MediaError::ToolMissing { .. } => {
                            "ffmpeg, which removes its location before it is shared, is not installed"
                        }
                        _ => "its location and camera details could not be removed (ffmpeg failed on it)",
                    },
                })?;
                let size = std::fs::metadata(&copy)
                    .map_err(|e| CoreError::io("read the copy to share", &copy, e))?
                    .len();
                push(role, original_name, None, Some(copy), size, dl_name.clone(), true);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn disposition_names_the_file_safely() {
        assert_eq!(
            super::disposition("IMG 1.jpg"),
            "attachment; filename=\"IMG 1.jpg\"; filename*=UTF-8''IMG%201.jpg"
        );
        assert_eq!(
            super::disposition("été\"x\".jpg"),
            "attachment; filename=\"_t__x_.jpg\"; filename*=UTF-8''%C3%A9t%C3%A9%22x%22.jpg"
        );
    }
}
