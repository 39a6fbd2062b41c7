// The outbox in IndexedDB: batches survive a closed tab, a dead battery or a day without signal.

import type { Batch, Outbox } from "./recorder";

const DB = "wellverse-companion";
const STORE = "outbox";

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export class IndexedDbOutbox implements Outbox {
  private db: Promise<IDBDatabase>;

  constructor(name = DB) {
    const open = indexedDB.open(name, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: ["device", "seq"] });
    this.db = request(open);
  }

  private async store(mode: IDBTransactionMode): Promise<IDBObjectStore> {
    return (await this.db).transaction(STORE, mode).objectStore(STORE);
  }

  async put(batch: Batch): Promise<void> {
    await request((await this.store("readwrite")).put(batch));
  }

  async all(): Promise<Batch[]> {
    const batches = (await request((await this.store("readonly")).getAll())) as Batch[];
    return batches.sort((a, b) => a.seq - b.seq);
  }

  async remove(device: string, seq: number): Promise<void> {
    await request((await this.store("readwrite")).delete([device, seq]));
  }
}
