// What the core is doing right now, built from its events: running scans and
// their progress, short summaries of finished scans, and the files it could
// not read.

import type { EventDto } from "../bindings/EventDto";
import type { ScanReportDto } from "../bindings/ScanReportDto";

export interface ScanState {
  root_id: number;
  root: string;
  phase: string;
  files_done: number;
  files_total: number;
  bytes_done: number;
  bytes_total: number;
  elapsed_ms: number;
}

export interface ScanSummary {
  id: number;
  report: ScanReportDto;
}

export interface Problem {
  id: number;
  path: string;
  code: string;
  message: string;
}

/** How long a finished scan's summary stays (it fades out at the end). */
export const SUMMARY_MS = 6000;
/** Most problems kept for the list; the count keeps going past it. */
export const MAX_PROBLEMS = 500;

export class Activity {
  scans = $state<ScanState[]>([]);
  summaries = $state<ScanSummary[]>([]);
  problems = $state<Problem[]>([]);
  problemCount = $state(0);

  private nextId = 1;

  /** Root ids with a scan under way. */
  get scanningRoots(): Set<number> {
    return new Set(this.scans.map((s) => s.root_id));
  }

  handle(event: EventDto): void {
    switch (event.type) {
      case "scan_started":
        this.upsert({
          root_id: event.root_id,
          root: event.root,
          phase: "discover",
          files_done: 0,
          files_total: 0,
          bytes_done: 0,
          bytes_total: 0,
          elapsed_ms: 0,
        });
        break;
      case "scan_progress":
        this.upsert({
          root_id: event.root_id,
          root: event.root,
          phase: event.phase,
          files_done: event.files_done,
          files_total: event.files_total,
          bytes_done: event.bytes_done,
          bytes_total: event.bytes_total,
          elapsed_ms: event.elapsed_ms,
        });
        break;
      case "scan_finished": {
        this.scans = this.scans.filter((s) => s.root_id !== event.report.root_id);
        const id = this.nextId++;
        this.summaries.push({ id, report: event.report });
        setTimeout(() => {
          this.summaries = this.summaries.filter((s) => s.id !== id);
        }, SUMMARY_MS);
        break;
      }
      case "root_offline":
        this.scans = this.scans.filter((s) => s.root_id !== event.root_id);
        break;
      case "file_problem":
        this.problemCount++;
        this.problems.push({
          id: this.nextId++,
          path: event.path,
          code: event.code,
          message: event.message,
        });
        if (this.problems.length > MAX_PROBLEMS) {
          this.problems.splice(0, this.problems.length - MAX_PROBLEMS);
        }
        break;
      default:
        break;
    }
  }

  clearProblems(): void {
    this.problems = [];
    this.problemCount = 0;
  }

  private upsert(scan: ScanState): void {
    const index = this.scans.findIndex((s) => s.root_id === scan.root_id);
    if (index >= 0) this.scans[index] = scan;
    else this.scans.push(scan);
  }
}
