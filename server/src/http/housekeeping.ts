const EVERY_MS = 60 * 60_000;

/** Hourly chores (purging old trash and dead sign-ins): run once at start, then every hour. */
export function startHousekeeping(
  log: { error(obj: object, msg: string): void },
  chores: Array<[string, () => Promise<unknown>]>,
): { stop(): void } {
  const run = () => {
    for (const [what, chore] of chores) {
      chore().catch((err: Error) => log.error({ err: err.message }, `could not ${what}`));
    }
  };
  run();
  const timer = setInterval(run, EVERY_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
