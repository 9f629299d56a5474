/**
 * Hands items from a producer that is called back (a backup's entries) to a consumer that pulls
 * (the database restore, one transaction over an async iterable), holding at most `limit` items:
 * the producer waits when the consumer falls behind, so a large dump is never held whole.
 */
export class LineQueue<T> implements AsyncIterable<T> {
  readonly #items: T[] = [];
  readonly #limit: number;
  #closed = false;
  #wakeConsumer: (() => void) | undefined;
  #wakeProducer: (() => void) | undefined;

  constructor(limit = 10_000) {
    this.#limit = limit;
  }

  async push(item: T): Promise<void> {
    if (this.#closed) throw new Error('pushed to a closed queue');
    this.#items.push(item);
    this.#wakeConsumer?.();
    while (this.#items.length >= this.#limit && !this.#closed) {
      await new Promise<void>((r) => (this.#wakeProducer = r));
    }
  }

  /** No more items: the consumer ends once it has taken those queued. */
  close(): void {
    this.#closed = true;
    this.#wakeConsumer?.();
    this.#wakeProducer?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      const item = this.#items.shift();
      if (item !== undefined) {
        if (this.#items.length < this.#limit) this.#wakeProducer?.();
        yield item;
      } else if (this.#closed) {
        return;
      } else {
        await new Promise<void>((r) => (this.#wakeConsumer = r));
      }
    }
  }
}
