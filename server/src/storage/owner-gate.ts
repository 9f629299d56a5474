import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Lets one owner's storage be held still: `pause` waits for the operations under way to finish
 * and holds new ones until released (an owner's folders are swapped whole after their key is
 * rotated, and an operation running across the swap would write into the old copy). Operations
 * of other owners never wait. An operation that calls another of the same owner (a listing that
 * counts the trash) passes straight through, or it would wait for a pause that waits for it.
 */
export class OwnerGate {
  readonly #active = new Map<string, number>();
  readonly #paused = new Map<string, { released: Promise<void>; drained: () => void }>();
  readonly #inside = new AsyncLocalStorage<string>();

  async run<T>(ownerId: string, op: () => Promise<T>): Promise<T> {
    if (this.#inside.getStore() === ownerId) return op();
    for (let p = this.#paused.get(ownerId); p; p = this.#paused.get(ownerId)) await p.released;
    this.#active.set(ownerId, (this.#active.get(ownerId) ?? 0) + 1);
    try {
      return await this.#inside.run(ownerId, op);
    } finally {
      const left = this.#active.get(ownerId)! - 1;
      if (left === 0) this.#active.delete(ownerId);
      else this.#active.set(ownerId, left);
      if (left === 0) this.#paused.get(ownerId)?.drained();
    }
  }

  /** Resolves once nothing of this owner runs; nothing new starts until `release` is called. */
  async pause(ownerId: string): Promise<{ release: () => void }> {
    while (this.#paused.has(ownerId)) await this.#paused.get(ownerId)!.released;
    let release!: () => void;
    let drained!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const empty = new Promise<void>((r) => (drained = r));
    this.#paused.set(ownerId, { released, drained });
    if (!this.#active.get(ownerId)) drained();
    await empty;
    return {
      release: () => {
        this.#paused.delete(ownerId);
        release();
      },
    };
  }
}
