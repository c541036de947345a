// What the viewer does when the web view's player lacks something: which
// missing GStreamer elements stop this media from playing (the viewer then
// says what to install instead of showing a player that never starts), and
// which only degrade it (the player stays, with a note).

import type { MissingElementDto } from "./bindings/MissingElementDto";
import type { PlaybackDto } from "./bindings/PlaybackDto";

/** What is about to play. */
export interface Media {
  kind: "video" | "audio";
  /** The file handed to the player carries a subtitle stream (an original
   *  with `subtitles-N` text tracks; playable proxies carry none). */
  subtitleStream: boolean;
}

export interface PlaybackProblems {
  /** Without these the player never starts: say so instead. */
  blocking: MissingElementDto[];
  /** Without these it plays, but without its picture or sound. */
  degraded: MissingElementDto[];
}

export function problems(support: PlaybackDto | null, media: Media): PlaybackProblems {
  const out: PlaybackProblems = { blocking: [], degraded: [] };
  for (const m of support?.missing ?? []) {
    switch (m.affects) {
      case "all":
        out.blocking.push(m);
        break;
      case "audio":
        (media.kind === "audio" ? out.blocking : out.degraded).push(m);
        break;
      case "video":
        if (media.kind === "video") out.degraded.push(m);
        break;
      case "text":
        if (media.kind === "video" && media.subtitleStream) out.blocking.push(m);
        break;
    }
  }
  return out;
}

/** The packages to install for `missing`, each once, in order. */
export function packages(missing: MissingElementDto[]): string[] {
  return [...new Set(missing.map((m) => m.package))];
}

/** One sentence per missing element: what it does and which package has it. */
export function explain(missing: MissingElementDto[]): string {
  return missing.map((m) => `GStreamer's ${m.element} ${m.purpose}; it is in the package ${m.package}.`).join(" ");
}

/** The command that installs them on Debian and Ubuntu. */
export function installCommand(missing: MissingElementDto[]): string {
  return `sudo apt install ${packages(missing).join(" ")}`;
}

/** The web view's player error, in words (HTMLMediaElement error codes). */
export function mediaErrorText(code: number | undefined, message: string | undefined): string {
  const what =
    code === 1
      ? "loading was stopped"
      : code === 2
        ? "a network error stopped it"
        : code === 3
          ? "the file could not be decoded"
          : code === 4
            ? "the web view's player does not support this file"
            : "the player failed";
  return message ? `${what} (${message})` : what;
}
