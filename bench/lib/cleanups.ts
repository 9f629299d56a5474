/**
 * Clean-up steps of a benchmark run, last-registered first, on success, on error and on
 * SIGINT/SIGTERM (the same order bench/run.ts and bench/oversight.ts keep). A failing step is
 * reported and the rest still run.
 */
export interface Cleanups {
  /** Registers a step; the returned function unregisters it (once done by hand). */
  onCleanup(step: () => Promise<void>): () => void;
  /** Runs every step once; later calls wait for the same run. */
  runAll(): Promise<void>;
}

export function createCleanups(log: (msg: string) => void): Cleanups {
  const steps: Array<() => Promise<void>> = [];
  let cleaning: Promise<void> | undefined;
  const cleanups: Cleanups = {
    onCleanup(step) {
      steps.push(step);
      return () => {
        const i = steps.lastIndexOf(step);
        if (i >= 0) steps.splice(i, 1);
      };
    },
    runAll() {
      cleaning ??= (async () => {
        while (steps.length) {
          try {
            await steps.pop()!();
          } catch (err) {
            log(`clean-up step failed: ${(err as Error).message}`);
          }
        }
      })();
      return cleaning;
    },
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: cleaning up`);
      void cleanups.runAll().finally(() => process.exit(130));
    });
  }
  return cleanups;
}
