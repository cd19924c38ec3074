/**
 * How every harness reports: one line per check, "(pass) name" or "(fail) name: detail", then the
 * closing line "N passed, M failed" that CI reads (the same line `bun run test` ends with).
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

  /** Prints the closing line and exits: 0 when every check passed (and there was at least one). */
  finish(): never {
    if (this.passed + this.failed === 0) this.failed = 1;
    console.log(`${this.passed} passed, ${this.failed} failed`);
    process.exit(this.failed === 0 ? 0 : 1);
  }
}
