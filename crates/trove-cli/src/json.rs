//! The `--json` shapes of the CLI, built by hand from core types so the
//! core's types can change without breaking scripts. Times are RFC 3339.

use serde_json::{Value, json};
use trove_core::catalog::Job;
use trove_core::types::CaptureTime;
use trove_core::{
    AssetDetail, AssetSummary, DuplicateSet, FileInfo, JobRunSummary, LibraryStatus, ProblemInfo, RootInfo, ScanReport,
    SearchOutcome,
};

pub fn time_ms(ms: i64) -> Value {
    match time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000) {
        Ok(t) => t
            .format(&time::format_description::well_known::Rfc3339)
            .map(Value::String)
            .unwrap_or(Value::Null),
        Err(_) => Value::Null,
    }
}

fn opt_time(ms: Option<i64>) -> Value {
    ms.map(time_ms).unwrap_or(Value::Null)
}

/// Capture time as the wall-clock time, with the offset when known.
pub fn capture(c: &Option<CaptureTime>) -> Value {
    match c {
        None => Value::Null,
        Some(c) => json!({
            "local": crate::output::wall_clock(c.wall_clock_ms()),
            "offset_minutes": c.offset_minutes,
            "source": c.source.as_str(),
        }),
    }
}

pub fn root(r: &RootInfo) -> Value {
    json!({
        "id": r.id,
        "path": r.path.to_string_lossy(),
        "state": r.state.as_str(),
        "follow_symlinks": r.follow_symlinks,
        "kinds": r.kinds.as_str(),
        "added_at": time_ms(r.added_at),
        "last_scan_at": opt_time(r.last_scan_at),
        "files": r.files,
        "missing_files": r.missing_files,
        "problems": r.problems,
    })
}

pub fn asset_summary(a: &AssetSummary) -> Value {
    json!({
        "id": a.id.to_string(),
        "name": a.name,
        "path": a.path.to_string_lossy(),
        "kind": a.kind.as_str(),
        "mime": a.mime,
        "size": a.size,
        "status": a.status.as_str(),
        "capture": capture(&a.capture),
        "width": a.width,
        "height": a.height,
        "files": a.file_count,
    })
}

fn file(f: &FileInfo) -> Value {
    json!({
        "path": f.path.to_string_lossy(),
        "root_id": f.root_id,
        "present": f.record.present,
        "size": f.record.size,
        "mtime": time_ms(f.record.mtime_ns.div_euclid(1_000_000)),
        "missing_since": opt_time(f.record.missing_since),
    })
}

pub fn asset_detail(d: &AssetDetail) -> Value {
    let a = &d.asset;
    // The one metadata record's own serde shape (`trove_types::Metadata`).
    let metadata = &d.metadata;
    json!({
        "id": a.id.to_string(),
        "blake3": a.blake3.to_hex(),
        "md5": a.md5.map(hex::encode),
        "size": a.size,
        "kind": a.kind.as_str(),
        "mime": a.mime,
        "status": a.status.as_str(),
        "capture": capture(&a.capture),
        "width": a.width,
        "height": a.height,
        "duration_ms": a.duration_ms,
        "created_at": time_ms(a.created_at),
        "updated_at": time_ms(a.updated_at),
        "files": d.files.iter().map(file).collect::<Vec<_>>(),
        "metadata": metadata,
        "curation": d.curation,
        "derivatives": d.derivatives.iter().map(|x| json!({
            "variant": x.variant,
            "path": x.path,
            "size": x.size,
            "width": x.width,
            "height": x.height,
            "format": x.format,
            "generator": x.generator,
            "created_at": time_ms(x.created_at),
        })).collect::<Vec<_>>(),
        "thumbhash": d.thumbhash.as_ref().map(hex::encode),
        "proxy_error": d.proxy_error,
    })
}

pub fn duplicate_set(d: &DuplicateSet) -> Value {
    json!({
        "id": d.asset.id.to_string(),
        "blake3": d.asset.blake3.to_hex(),
        "size": d.asset.size,
        "files": d.files.iter().map(file).collect::<Vec<_>>(),
    })
}

pub fn job(j: &Job) -> Value {
    json!({
        "id": j.id,
        "kind": j.kind,
        "state": j.state.as_str(),
        "payload": j.payload,
        "attempts": j.attempts,
        "max_attempts": j.max_attempts,
        "last_error": j.last_error,
        "created_at": time_ms(j.created_at),
        "finished_at": opt_time(j.finished_at),
    })
}

pub fn problem(p: &ProblemInfo) -> Value {
    json!({
        "path": p.path.to_string_lossy(),
        "root_id": p.problem.root_id,
        "code": p.problem.code,
        "message": p.problem.message,
        "first_seen": time_ms(p.problem.first_seen),
        "last_seen": time_ms(p.problem.last_seen),
    })
}

pub fn scan_report(r: &ScanReport) -> Value {
    json!({
        "root_id": r.root_id,
        "root": r.root.to_string_lossy(),
        "offline": r.offline,
        "files_seen": r.files_seen,
        "unchanged": r.unchanged,
        "new_assets": r.new_assets,
        "duplicates": r.duplicates,
        "changed": r.changed,
        "moved": r.moved,
        "missing": r.missing,
        "returned": r.returned,
        "problems": r.problems,
        "symlinks_skipped": r.symlinks_skipped,
        "left_out": r.left_out,
        "bytes_read": r.bytes_read,
        "elapsed_ms": r.elapsed_ms,
    })
}

pub fn run_report(scans: &[ScanReport], jobs: &JobRunSummary) -> Value {
    json!({
        "scans": scans.iter().map(scan_report).collect::<Vec<_>>(),
        "jobs": {"done": jobs.done, "failed": jobs.failed, "retried": jobs.retried},
    })
}

pub fn status(s: &LibraryStatus) -> Value {
    let c = &s.counts;
    json!({
        "library": s.library.to_string_lossy(),
        "assets": {
            "total": c.assets,
            "present": c.present,
            "missing": c.missing,
            "offline": c.offline,
            "bytes": c.bytes,
            "by_kind": c.by_kind.iter().map(|(k, n)| (k.as_str().to_owned(), json!(n))).collect::<serde_json::Map<_, _>>(),
        },
        "files": c.files,
        "problems": c.scan_problems,
        "jobs": {
            "queued": s.jobs.queued,
            "running": s.jobs.running,
            "done": s.jobs.done,
            "failed": s.jobs.failed,
            "cancelled": s.jobs.cancelled,
        },
        "roots": s.roots.iter().map(root).collect::<Vec<_>>(),
    })
}

pub fn search(found: &SearchOutcome) -> Value {
    let counts = |v: &[trove_core::FacetCount]| -> Value {
        v.iter().map(|c| json!({"value": c.value, "count": c.count})).collect()
    };
    let facets = found.facets.as_ref().map(|f| {
        json!({
            "kind": counts(&f.kind),
            "camera": counts(&f.camera),
            "lens": counts(&f.lens),
            "years": f.years.iter().map(|y| json!({"year": y.year, "count": y.count})).collect::<Vec<_>>(),
            "months": f.months.iter().map(|m| json!({"year": m.year, "month": m.month, "count": m.count})).collect::<Vec<_>>(),
            "undated": f.undated,
            "ratings": f.ratings.iter().map(|r| json!({"rating": r.rating, "count": r.count})).collect::<Vec<_>>(),
            "tags_top": counts(&f.tags_top),
            "tags": counts(&f.tags),
            "albums": counts(&f.albums),
            "ext": counts(&f.ext),
            "labels": counts(&f.labels),
            "flags": counts(&f.flags),
        })
    });
    json!({
        "total": found.total,
        "took_us": found.took_us,
        "assets": found.assets.iter().map(asset_summary).collect::<Vec<_>>(),
        "facets": facets,
    })
}
