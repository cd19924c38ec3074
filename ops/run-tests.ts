/**
 * `bun run test` and `bun run test:system`: runs `bun test` with the given arguments, shows its
 * output as it comes, and ends with the line every harness ends with, "N passed, M failed", so that
 * CI reads one summary format. The exit code is bun test's (non-zero also when it reported nothing).
 */
const child = Bun.spawn(['bun', 'test', ...process.argv.slice(2)], { stdout: 'inherit', stderr: 'pipe' });

// bun test writes its report, summary included, to standard error.
let summary = '';
const decoder = new TextDecoder();
for await (const chunk of child.stderr) {
  const text = decoder.decode(chunk, { stream: true });
  process.stderr.write(text);
  summary = (summary + text).slice(-4096);
}
const exitCode = await child.exited;

const count = (word: string) => Number(new RegExp(`^ *(\\d+) ${word}$`, 'm').exec(summary)?.[1] ?? 0);
const passed = count('pass');
const failed = count('fail') || (exitCode === 0 ? 0 : 1);
console.log(`${passed} passed, ${failed} failed`);
process.exit(exitCode === 0 && failed === 0 ? 0 : 1);

export {};
