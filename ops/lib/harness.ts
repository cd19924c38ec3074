/**
 * How every harness runs and reports: one line per check, "(pass) name" or "(fail) name: detail",
 * then the closing line "N passed, M failed" that CI reads (the same line `bun run test` ends
 * with); clean-up that runs whatever failed, also on Ctrl-C.
 */
export class Checklist {
  private passed = 0;
  private failed = 0;

  check(name: string, ok: boolean, detail = ''): boolean {
    if (ok) this.passed++;
    else this.failed++;
    console.log(`${ok ? '(pass)' : '(fail)'} ${name}${ok || !detail ? '' : `: ${detail}`}`);
    return ok;
  }

  /** Counts what a suite judged itself (the official suite's requests, the browser specs). */
  tally(passed: number, failed: number): void {
    this.passed += passed;
    this.failed += failed;
  }

  /** Prints the closing line and exits: 0 when every check passed (and there was at least one). */
  finish(): never {
    if (this.passed + this.failed === 0) this.failed = 1;
    console.log(`${this.passed} passed, ${this.failed} failed`);
    process.exit(this.failed === 0 ? 0 : 1);
  }
}

/**
 * Clean-up steps, run once in reverse order of registration (what was set up last comes down
 * first), each whatever the others did: a failed one must not leave the rest behind. Also on
 * Ctrl-C or SIGTERM, so that an interrupted drill leaves no process, database or worktree behind.
 */
export class Teardown {
  private readonly steps: (() => unknown)[] = [];
  private running?: Promise<void>;

  constructor() {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        console.error(`${signal}: cleaning up`);
        void this.run().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
      });
    }
  }

  add(step: () => unknown): void {
    this.steps.push(step);
  }

  run(): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        try {
          await step();
        } catch (error) {
          console.error('clean-up:', error);
        }
      }
    })();
    return this.running;
  }
}

/**
 * Runs a harness: `body` checks what it promises and registers what it sets up on the teardown.
 * An error ends it as one failed check; the teardown runs; the closing line is printed.
 */
export async function runHarness(body: (checks: Checklist, teardown: Teardown) => Promise<void>): Promise<never> {
  const checks = new Checklist();
  const teardown = new Teardown();
  try {
    await body(checks, teardown);
  } catch (error) {
    console.error(error);
    checks.check('the run went to the end', false, String((error as Error)?.message ?? error).split('\n')[0]);
  } finally {
    await teardown.run();
  }
  return checks.finish();
}

/** "503 x12, 201 x40": how many of `items` fall under each key, or "none". */
export function histogram<T>(items: T[], key: (item: T) => string): string {
  return (
    Object.entries(Object.groupBy(items, key))
      .map(([name, list]) => `${name} x${list?.length ?? 0}`)
      .join(', ') || 'none'
  );
}
