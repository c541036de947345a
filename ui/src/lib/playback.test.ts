import { describe, expect, it } from "vitest";

import type { MissingElementDto } from "./bindings/MissingElementDto";
import { explain, installCommand, mediaErrorText, packages, problems } from "./playback";

const webvtt: MissingElementDto = {
  element: "webvttenc",
  package: "gstreamer1.0-plugins-bad",
  affects: "text",
  purpose: "turns a video's subtitle stream into WebVTT",
};
const aac: MissingElementDto = {
  element: "avdec_aac or faad",
  package: "gstreamer1.0-libav",
  affects: "audio",
  purpose: "decodes AAC audio",
};
const h264: MissingElementDto = { ...aac, element: "avdec_h264", affects: "video", purpose: "decodes H.264 video" };
const demux: MissingElementDto = { ...aac, element: "qtdemux", package: "gstreamer1.0-plugins-good", affects: "all" };
const support = (missing: MissingElementDto[]) => ({ checked: true, missing, note: null });

describe("playback problems", () => {
  it("blocks a video with a subtitle stream when the WebVTT encoder is missing, and nothing else", () => {
    const s = support([webvtt]);
    expect(problems(s, { kind: "video", subtitleStream: true }).blocking).toEqual([webvtt]);
    expect(problems(s, { kind: "video", subtitleStream: false })).toEqual({ blocking: [], degraded: [] });
    expect(problems(s, { kind: "audio", subtitleStream: false })).toEqual({ blocking: [], degraded: [] });
  });

  it("blocks sound without an AAC decoder, and lets a video play silent with a note", () => {
    const s = support([aac]);
    expect(problems(s, { kind: "audio", subtitleStream: false }).blocking).toEqual([aac]);
    expect(problems(s, { kind: "video", subtitleStream: false })).toEqual({ blocking: [], degraded: [aac] });
  });

  it("notes a video without its picture, and blocks everything without the demuxer", () => {
    expect(problems(support([h264]), { kind: "video", subtitleStream: false }).degraded).toEqual([h264]);
    expect(problems(support([h264]), { kind: "audio", subtitleStream: false }).degraded).toEqual([]);
    expect(problems(support([demux]), { kind: "audio", subtitleStream: false }).blocking).toEqual([demux]);
  });

  it("knows nothing when the check has not answered", () => {
    expect(problems(null, { kind: "video", subtitleStream: true })).toEqual({ blocking: [], degraded: [] });
  });

  it("names each package once and says what to run", () => {
    expect(packages([aac, h264, webvtt])).toEqual(["gstreamer1.0-libav", "gstreamer1.0-plugins-bad"]);
    expect(installCommand([aac, h264, webvtt])).toBe("sudo apt install gstreamer1.0-libav gstreamer1.0-plugins-bad");
    expect(explain([webvtt])).toBe(
      "GStreamer's webvttenc turns a video's subtitle stream into WebVTT; it is in the package gstreamer1.0-plugins-bad.",
    );
  });

  it("puts the player's error codes in words", () => {
    expect(mediaErrorText(4, "")).toBe("the web view's player does not support this file");
    expect(mediaErrorText(3, "decoder failed")).toBe("the file could not be decoded (decoder failed)");
  });
});
