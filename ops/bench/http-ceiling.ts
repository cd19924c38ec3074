/**
 * The HTTP ceiling: the most trivial Bun server, answering every request with a fixed JSON body
 * of the given size. Nothing can serve that size over HTTP faster on this machine, so each API
 * scenario is shown as a fraction of it. Prints its port on the first line.
 */
const size = Number(process.argv[2] ?? 1000);
const body = JSON.stringify({ padding: 'x'.repeat(Math.max(0, size - 14)) });
const server = Bun.serve({
  hostname: '127.0.0.1',
  port: 0,
  fetch: () => new Response(body, { headers: { 'content-type': 'application/json' } }),
});
console.log(server.port);
process.on('SIGTERM', () => {
  server.stop(true);
  process.exit(0);
});
