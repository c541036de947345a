// Importing what an upload request received: each request's last import
// (running, or what it did), kept while the Sync panel is open.

import { importIncoming, toErrorDto } from "../../api";
import type { IncomingDto } from "../../bindings/IncomingDto";

export interface ImportOutcome {
  busy: boolean;
  text: string;
  /** Some file was refused, or the import failed. */
  failed: boolean;
}

/** What an import did, in one sentence. */
export function importSummary(r: IncomingDto): ImportOutcome {
  const parts = [
    r.cancelled ? "Stopped: import again to fetch the rest" : "",
    `${r.imported.length} file(s) imported into ${r.folder}`,
    r.already > 0 ? `${r.already} imported before` : "",
    ...r.refused.map((f) => `${f.name} refused: ${f.why}`),
  ].filter((p) => p !== "");
  return { busy: false, text: parts.join("; ") + ".", failed: r.refused.length > 0 };
}

export class ReceivedImports {
  /** The last import of each upload request, by share id. */
  byShare = $state<Record<string, ImportOutcome>>({});

  /** Downloads, verifies and catalogs the files sent through request `id`. */
  async run(id: string): Promise<void> {
    this.byShare[id] = { busy: true, text: "Importing…", failed: false };
    try {
      this.byShare[id] = importSummary(await importIncoming(id));
    } catch (e) {
      this.byShare[id] = { busy: false, text: toErrorDto(e).message, failed: true };
    }
  }
}
