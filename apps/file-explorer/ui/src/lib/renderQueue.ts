// A tiny priority queue of render jobs, run one at a time: the pdf.js worker renders one page at a
// time anyway, and running the visible page first is what makes page 1 appear quickly.

export type Job = (signal: AbortSignal) => Promise<void>;

interface Entry {
  priority: number;
  seq: number;
  job: Job;
  controller: AbortController;
}

export class RenderQueue {
  private waiting: Entry[] = [];
  private running = 0;
  private seq = 0;
  private readonly concurrency: number;

  constructor(concurrency = 1) {
    this.concurrency = concurrency;
  }

  /** Lower priority numbers run first; equal ones in order. Returns a cancel function. */
  schedule(priority: number, job: Job): () => void {
    const entry: Entry = { priority, seq: this.seq++, job, controller: new AbortController() };
    this.waiting.push(entry);
    this.pump();
    return () => {
      entry.controller.abort();
      const i = this.waiting.indexOf(entry);
      if (i >= 0) this.waiting.splice(i, 1);
    };
  }

  get pending(): number {
    return this.waiting.length + this.running;
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) {
      let best = 0;
      for (let i = 1; i < this.waiting.length; i++) {
        const a = this.waiting[i]!;
        const b = this.waiting[best]!;
        if (a.priority < b.priority || (a.priority === b.priority && a.seq < b.seq)) best = i;
      }
      const entry = this.waiting.splice(best, 1)[0]!;
      this.running++;
      entry
        .job(entry.controller.signal)
        .catch(() => {})
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }
}
