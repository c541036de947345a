// The library's summary (path, counts, roots), fetched from the core and
// refreshed whenever events say it changed.

import { libraryInfo, toErrorDto } from "../api";
import type { ErrorDto } from "../bindings/ErrorDto";
import type { LibraryDto } from "../bindings/LibraryDto";

export class LibraryState {
  info = $state<LibraryDto | null>(null);
  /** Why the last load failed, or null when it worked. */
  error = $state<ErrorDto | null>(null);
  /** True once the first load has finished, whether or not it worked. */
  settled = $state(false);

  private running: Promise<void> | null = null;
  private again = false;

  /** Whether adding folders and rescanning are allowed. */
  get writable(): boolean {
    return this.info?.writable ?? false;
  }

  /**
   * Reloads the summary. Calls made while one is running are folded into a
   * single follow-up load.
   */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.load().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.running;
  }

  private async load(): Promise<void> {
    try {
      this.info = await libraryInfo();
      this.error = null;
    } catch (error) {
      this.error = toErrorDto(error);
    } finally {
      this.settled = true;
    }
  }
}
