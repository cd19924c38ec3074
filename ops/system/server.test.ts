/** The real server process: socket-level limits, outages and shutdown. */
import { describe, expect, test } from 'bun:test';
import { connect } from 'node:net';
import { freePort, startServer } from '../lib/server';

/** Writes raw bytes to the server (`send` is called with a writer) and resolves with what it answers. */
function rawExchange(origin: string, send: (write: (text: string) => void) => void, timeoutMs = 60_000) {
  const { hostname, port } = new URL(origin);
  return new Promise<{ text: string; afterMs: number }>((resolve) => {
    const startedAt = performance.now();
    let text = '';
    const socket = connect(Number(port), hostname, () => send((chunk) => socket.write(chunk)));
    const done = () => {
      socket.destroy();
      resolve({ text, afterMs: performance.now() - startedAt });
    };
    socket.on('data', (data) => {
      text += data.toString();
      if (text.includes('\r\n\r\n') && /\r\n\r\n[\s\S]*\}/.test(text)) done();
    });
    socket.on('end', done);
    socket.on('error', done);
    setTimeout(done, timeoutMs);
  });
}

describe('the server process', () => {
  test('SIGTERM: in-flight requests finish, then the process exits 0', async () => {
    const server = await startServer();
    const api = `${server.origin}/api`;
    const user = { username: 'graceful', email: 'graceful@example.com', password: 'password' };
    const json = { 'content-type': 'application/json' };
    await fetch(`${api}/users`, { method: 'POST', headers: json, body: JSON.stringify({ user }) });

    // Connections the server has accepted already (fetch keeps them alive for the logins below): a
    // connection still waiting in the listen queue when the signal arrives is not in flight, and
    // on a busy machine 8 new ones can wait there longer than the pause below.
    await Promise.all(Array.from({ length: 8 }, () => fetch(`${server.origin}/health`).then((r) => r.text())));
    // Password checks take tens of milliseconds each and 8 share two cores: these are still running
    // when the signal arrives.
    const logins = Array.from({ length: 8 }, () =>
      fetch(`${api}/users/login`, { method: 'POST', headers: json, body: JSON.stringify({ user }) }),
    );
    await Bun.sleep(50);
    const exitCode = server.stop();

    const statuses = await Promise.all(logins.map((login) => login.then((r) => r.status)));
    expect(statuses).toEqual(Array(8).fill(200));
    expect(await exitCode).toBe(0);
    expect(
      await fetch(`${server.origin}/health`).then(
        () => 'answered',
        () => 'refused',
      ),
    ).toBe('refused');
  });

  test('SHUTDOWN_DRAIN_MS: after SIGTERM, /ready answers 503 while requests are still served; then the process exits 0', async () => {
    // A long drain: on a loaded machine the signal may take a while to be handled, and the checks
    // below must land inside the window.
    const server = await startServer({ SHUTDOWN_DRAIN_MS: '8000', SHUTDOWN_GRACE_MS: '15000' });
    expect((await fetch(`${server.origin}/ready`)).status).toBe(200);

    const exitCode = server.stop();
    let ready = await fetch(`${server.origin}/ready`);
    for (let waited = 0; ready.status === 200 && waited < 7000; waited += 50) {
      await Bun.sleep(50);
      ready = await fetch(`${server.origin}/ready`);
    }
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ errors: { server: ['is shutting down'] } });
    // Still serving: a balancer that has not yet seen the 503 loses nothing.
    expect((await fetch(`${server.origin}/api/tags`)).status).toBe(200);

    expect(await exitCode).toBe(0);
  });

  test('a body declared over 1 MiB gets a JSON 413; a larger chunked one is cut off with 413', async () => {
    const server = await startServer();
    try {
      const declared = await fetch(`${server.origin}/api/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: { bio: 'x'.repeat(1_500_000) } }),
      });
      expect(declared.status).toBe(413);
      expect(await declared.json()).toEqual({ errors: { body: ['is too large (maximum is 1048576 bytes)'] } });

      // A streamed (chunked) body declares no length: the server's own cap stops it, and stays up.
      const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
      let sent = 0;
      const body = new ReadableStream({
        pull(controller) {
          if (sent >= 3 * 1024 * 1024) return controller.close();
          controller.enqueue(chunk);
          sent += chunk.length;
        },
      });
      const streamed = await fetch(`${server.origin}/api/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        duplex: 'half',
      } as RequestInit).then(
        (response) => response.status,
        () => 'connection closed',
      );
      expect([413, 'connection closed']).toContain(streamed);
      expect((await fetch(`${server.origin}/health`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  test('with the database unreachable: 503 with an errors body within 2 s, /ready 503, /health 200', async () => {
    const deadPort = await freePort(); // nothing listens there
    const server = await startServer({ DATABASE_URL: `postgres://postgres@127.0.0.1:${deadPort}/conduit` });
    try {
      const started = performance.now();
      const list = await fetch(`${server.origin}/api/articles`);
      const elapsed = performance.now() - started;

      expect(list.status).toBe(503);
      expect(await list.json()).toEqual({ errors: { database: ['is unavailable, please retry shortly'] } });
      expect(list.headers.get('retry-after')).toBe('2');
      expect(elapsed).toBeLessThan(2000);
      expect((await fetch(`${server.origin}/ready`)).status).toBe(503);
      expect((await fetch(`${server.origin}/health`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  test('requests with no Host header (HTTP/1.0 health checks), an empty or a malformed one are served', async () => {
    const server = await startServer();
    try {
      for (const request of [
        'GET /health HTTP/1.0\r\n\r\n',
        'GET /ready HTTP/1.0\r\n\r\n',
        'GET /api/tags HTTP/1.1\r\nHost: \r\nConnection: close\r\n\r\n',
        'GET /api/tags HTTP/1.1\r\nHost: a b/c\r\nConnection: close\r\n\r\n',
        'GET /api/tags HTTP/1.1\r\nHost: [::1\r\nConnection: close\r\n\r\n',
      ]) {
        const { text } = await rawExchange(server.origin, (write) => write(request));

        expect({ request, status: text.split('\r\n')[0] }).toEqual({ request, status: 'HTTP/1.1 200 OK' });
      }
    } finally {
      await server.stop();
    }
  });

  test('a body that trickles in is cut off with 408 after 10 s', async () => {
    const server = await startServer();
    try {
      let timer: Timer | undefined;
      const { text, afterMs } = await rawExchange(server.origin, (write) => {
        write(
          'POST /api/users/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n',
        );
        timer = setInterval(() => write(' '), 1000);
      });
      clearInterval(timer);

      expect(text.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
      expect(text).toContain('{"errors":{"body":["took too long to arrive"]}}');
      // 10 s from the start of the request, with room for a loaded machine; the trickle would take 200 s.
      expect(afterMs).toBeGreaterThan(9_000);
      expect(afterMs).toBeLessThan(60_000);
    } finally {
      await server.stop();
    }
  });
});
