// What the Sync panel's sections share: the target's settings (with its
// counts and each folder's policy), the list of shares, and the one error
// line every section's actions report to. Each section reads the same
// answer; nothing is fetched twice.

import { cancelOperation, listShares, syncSettings, toErrorDto } from "../../api";
import type { Operation } from "../../bindings/Operation";
import type { ShareDto } from "../../bindings/ShareDto";
import type { SyncSettingsDto } from "../../bindings/SyncSettingsDto";

export class SyncPanelState {
  /** The target's settings, counts and folder policies; null until loaded. */
  settings = $state<SyncSettingsDto | null>(null);
  shares = $state<ShareDto[]>([]);
  /** What the last action that failed said, or null. */
  error = $state<string | null>(null);

  /**
   * Reads the settings, then the shares. Once both answered, `loaded` gets
   * the settings (the target form fills itself from them).
   */
  async load(loaded?: (settings: SyncSettingsDto) => void): Promise<void> {
    try {
      this.settings = await syncSettings();
      this.shares = await listShares();
      loaded?.(this.settings);
    } catch (e) {
      this.error = toErrorDto(e).message;
    }
  }

  /** Asks a running sync, verification or import to stop. */
  async stop(operation: Operation): Promise<void> {
    try {
      await cancelOperation(operation);
    } catch (e) {
      this.error = toErrorDto(e).message;
    }
  }
}
