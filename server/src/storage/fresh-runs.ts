/**
 * Runs a job for its callers, never handing one a result of a run that started before it asked
 * (a usage figure must include the upload that finished just before), and never more than one run
 * at a time: callers arriving during a run share the next one.
 */
export class FreshRuns<T> {
  #running: Promise<T> | null = null;
  #queued: Promise<T> | null = null;

  run(job: () => Promise<T>): Promise<T> {
    if (this.#queued) return this.#queued;
    if (!this.#running) return this.#start(job);
    const queued = this.#running
      .catch(() => {})
      .then(() => {
        this.#queued = null;
        return this.#start(job);
      });
    this.#queued = queued;
    return queued;
  }

  #start(job: () => Promise<T>): Promise<T> {
    const run: Promise<T> = job().finally(() => {
      if (this.#running === run) this.#running = null;
    });
    this.#running = run;
    return run;
  }
}
