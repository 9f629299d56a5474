/** One periodic job: what it is (for logs), how often, and whether it also runs at start. */
export interface Job {
  name: string;
  everyMs: number;
  runAtStart?: boolean;
  run: () => Promise<unknown>;
}

/**
 * Runs every periodic job of the server from one table. A job never overlaps itself (a slow
 * run makes the next one wait for its turn), failures are logged, and timers never keep the
 * process alive.
 */
export function startScheduler(jobs: Job[], log: { error(obj: object, msg: string): void }): { stop(): void } {
  const timers = jobs.map((job) => {
    let busy = false;
    const tick = () => {
      if (busy) return;
      busy = true;
      job
        .run()
        .catch((err: Error) => log.error({ err: err.message, job: job.name }, `could not ${job.name}`))
        .finally(() => {
          busy = false;
        });
    };
    if (job.runAtStart) tick();
    const timer = setInterval(tick, job.everyMs);
    timer.unref();
    return timer;
  });
  return { stop: () => timers.forEach((t) => clearInterval(t)) };
}
