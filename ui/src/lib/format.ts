// Small, pure formatting helpers shared by the components.

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** "1 asset", "12,345 assets". */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${integer.format(n)} ${n === 1 ? singular : plural}`;
}

/** A number with thousands separators. */
export function num(n: number): string {
  return integer.format(n);
}

/** How the XMP sidecars stand: "1,234 written · 5 waiting". */
export function sidecarCounts(written: number, waiting: number): string {
  return `${integer.format(written)} written · ${integer.format(waiting)} waiting`;
}

/** An undo or redo step in words: "Undid rating 4 on 12 assets". */
export function editStep(verb: "Undid" | "Redid", summary: string, assets: number): string {
  return `${verb} ${summary} on ${count(assets, "asset")}`;
}

/** Bytes in B, KB, MB, GB, TB (powers of 1000, like file managers). */
export function bytes(n: number): string {
  if (!Number.isFinite(n) || n < 0) return "—";
  const units = ["B", "KB", "MB", "GB", "TB", "PB"];
  let value = n;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/**
 * A capture time like "2023-06-01T12:30:00" as "2023-06-01 12:30"; null or
 * unreadable values give null.
 */
export function captured(value: string | null): string | null {
  if (!value) return null;
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}))?/.exec(value);
  if (!match) return null;
  return match[2] ? `${match[1]} ${match[2]}` : match[1];
}

/** Throughput in MB/s from bytes done over milliseconds spent, or null. */
export function rateMBps(bytesDone: number, elapsedMs: number): number | null {
  if (!(elapsedMs > 0) || !(bytesDone > 0)) return null;
  return bytesDone / 1e6 / (elapsedMs / 1000);
}

/** Seconds left to read `bytesTotal` at the rate so far, or null. */
export function etaSeconds(bytesDone: number, bytesTotal: number, elapsedMs: number): number | null {
  if (!(elapsedMs > 0) || !(bytesDone > 0) || !(bytesTotal > bytesDone)) return null;
  const perMs = bytesDone / elapsedMs;
  return (bytesTotal - bytesDone) / perMs / 1000;
}

/** "about 5 s left", "about 3 min left", "about 1 h 20 min left". */
export function eta(seconds: number | null): string | null {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return null;
  if (seconds < 60) return `about ${Math.max(1, Math.round(seconds))} s left`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min left`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `about ${hours} h left` : `about ${hours} h ${rest} min left`;
}

/** "850 ms", "4.2 s", "3 min 5 s". */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds % 60)} s`;
}

/** What a scan phase is called on screen. */
export function phaseLabel(phase: string): string {
  switch (phase) {
    case "discover":
      return "Finding files…";
    case "hash":
      return "Reading files…";
    case "finish":
      return "Finishing…";
    default:
      return "Working…";
  }
}

/** The last component of a path ("/a/b/Photos" → "Photos"). */
export function baseName(path: string): string {
  const trimmed = path.replace(/[\\/]+$/, "");
  const parts = trimmed.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}
