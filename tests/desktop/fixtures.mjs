// Real PNG files written with node's zlib, so the desktop test needs no
// image tools.
import { deflateSync } from "node:zlib";
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

export function png(width, height, [r, g, b]) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const rows = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x++) {
      row[1 + x * 3] = (r + x) & 0xff;
      row[2 + x * 3] = (g + y) & 0xff;
      row[3 + x * 3] = b;
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(Buffer.concat(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/// Writes `count` distinct PNGs under `dir` (in two subfolders), dated (by
/// their modification time, which is their capture time) one day apart in
/// June 2023 and June 2024.
export function writePhotos(dir, count) {
  const names = [];
  for (let i = 0; i < count; i++) {
    const year = i % 2 ? 2024 : 2023;
    const sub = join(dir, i % 2 ? "2024-iceland" : "2023-beach");
    mkdirSync(sub, { recursive: true });
    const name = `IMG_${String(2040 + i).padStart(4, "0")}.png`;
    const path = join(sub, name);
    writeFileSync(path, png(48, 32, [i * 20, 255 - i * 10, 128]));
    const when = new Date(Date.UTC(year, 5, 1 + (i >> 1), 12));
    utimesSync(path, when, when);
    names.push(name);
  }
  return names;
}

/// A TIFF (the web view cannot show it as it is), made with ffmpeg.
export function writeTiff(path, width, height) {
  const out = spawnSync(
    "ffmpeg",
    ["-v", "error", "-y", "-f", "lavfi", "-i", `testsrc=size=${width}x${height}`, "-frames:v", "1", "-pix_fmt", "rgb24", path],
    { encoding: "utf8" },
  );
  if (out.status !== 0) throw new Error(`ffmpeg could not make ${path}: ${out.stderr || out.error}`);
}

/// A one-second H.264/AAC MP4 (plays in the web view as it is), made with
/// ffmpeg, with a subtitle stream (mov_text) saying `subtitle`, which Trove
/// turns into WebVTT for the viewer; none when `subtitle` is null.
export function writeVideo(path, subtitle = "Hello glacier") {
  const srt = `${path}.srt`;
  const [textIn, textOut] = subtitle === null ? [[], []] : [["-i", srt], ["-map", "2:s", "-c:s", "mov_text"]];
  if (subtitle !== null) writeFileSync(srt, `1\n00:00:00,000 --> 00:00:01,000\n${subtitle}\n`);
  const out = spawnSync(
    "ffmpeg",
    ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=1:size=160x120:rate=10",
      "-f", "lavfi", "-i", "sine=frequency=440:duration=1", ...textIn,
      "-map", "0:v", "-map", "1:a", ...textOut,
      "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", "-movflags", "+faststart", path],
    { encoding: "utf8" },
  );
  rmSync(srt, { force: true });
  if (out.status !== 0) throw new Error(`ffmpeg could not make ${path}: ${out.stderr || out.error}`);
}

/// A PDF of `pages` pages, each with a line of text, written by hand (offsets computed).
export function writePdf(path, text, pages = 1) {
  // Objects: 1 catalog, 2 pages, 3 font, then a page and its content per page.
  const kids = Array.from({ length: pages }, (_, i) => `${4 + 2 * i} 0 R`).join(" ");
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    `<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  for (let i = 0; i < pages; i++) {
    const stream = `BT /F1 24 Tf 40 100 Td (${text} - page ${i + 1}) Tj ET`;
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents ${5 + 2 * i} 0 R /Resources << /Font << /F1 3 0 R >> >> >>`);
    objects.push(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
  }
  let body = "%PDF-1.4\n";
  const offsets = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${String(off).padStart(10, "0")} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  writeFileSync(path, body, "latin1");
}
