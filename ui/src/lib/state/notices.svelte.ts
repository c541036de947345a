// Toast-style notices: command errors, warnings from the core, failed jobs,
// and short confirmations. Errors and warnings stay until dismissed.

import { toErrorDto } from "../api";

export type NoticeKind = "error" | "warning" | "info";

export interface Notice {
  id: number;
  kind: NoticeKind;
  title: string | null;
  message: string;
  /** How many times the same notice was raised while shown. */
  repeats: number;
}

const MAX_NOTICES = 5;
const INFO_TIMEOUT_MS = 5000;

export class Notices {
  items = $state<Notice[]>([]);
  private nextId = 1;

  push(kind: NoticeKind, message: string, title: string | null = null): number {
    const same = this.items.find(
      (n) => n.kind === kind && n.message === message && n.title === title,
    );
    if (same) {
      same.repeats++;
      return same.id;
    }
    const id = this.nextId++;
    this.items.push({ id, kind, title, message, repeats: 1 });
    if (this.items.length > MAX_NOTICES) this.items.splice(0, this.items.length - MAX_NOTICES);
    if (kind === "info") setTimeout(() => this.dismiss(id), INFO_TIMEOUT_MS);
    return id;
  }

  /** Shows a failed call's message (never a raw dump of the error). */
  error(error: unknown, title: string | null = null): number {
    return this.push("error", toErrorDto(error).message, title);
  }

  dismiss(id: number): void {
    const index = this.items.findIndex((n) => n.id === id);
    if (index >= 0) this.items.splice(index, 1);
  }
}
