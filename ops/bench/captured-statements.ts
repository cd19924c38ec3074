/**
 * The statements a server runs, exactly as it sends them: a TCP relay between it and PostgreSQL
 * that reads the extended protocol's Parse (the SQL text) and Bind (its parameters) messages on the
 * way through. The benchmark starts a server on the relay to learn the list page's statement,
 * rather than have the app export its query builder for the benchmark's sake.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface Execution {
  sql: string;
  /** The parameters as sent (postgres.js sends text), null for NULL. */
  params: (string | null)[];
}

export interface Capture {
  /** `databaseUrl` through the relay. */
  url: string;
  /** Every statement executed through the relay, in order (empty it to start over). */
  executions: Execution[];
  stop(): void;
}

/** Starts a relay to the server of `databaseUrl` on a free port of 127.0.0.1. */
export async function captureStatements(databaseUrl: string): Promise<Capture> {
  const upstream = new URL(databaseUrl);
  const executions: Execution[] = [];
  const sockets = new Set<Socket>();
  const relay = createServer((client) => {
    const server = connect(Number(upstream.port || 5432), upstream.hostname);
    for (const socket of [client, server]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        server.destroy();
      });
    }
    server.pipe(client);
    const read = reader(executions);
    client.on('data', (chunk: Buffer) => {
      server.write(chunk);
      read(chunk);
    });
  });
  await new Promise<void>((listening) => relay.listen(0, '127.0.0.1', listening));
  const through = new URL(databaseUrl);
  through.hostname = '127.0.0.1';
  through.port = String((relay.address() as { port: number }).port);
  return {
    url: through.toString(),
    executions,
    stop: () => {
      for (const socket of sockets) socket.destroy();
      relay.close();
    },
  };
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/** Reads one connection's client messages, chunk by chunk, and records each Bind with its statement's SQL. */
function reader(executions: Execution[]): (chunk: Buffer) => void {
  let pending = Buffer.alloc(0);
  let started = false;
  const statements = new Map<string, string>();
  return (chunk) => {
    pending = Buffer.concat([pending, chunk]);
    while (true) {
      // Before the startup message, messages have no type byte: a length, then a code.
      const header = started ? 1 : 0;
      if (pending.length < header + 4) return;
      const length = pending.readInt32BE(header);
      if (pending.length < header + length) return;
      const body = pending.subarray(header + 4, header + length);
      if (!started) {
        const code = pending.readInt32BE(4);
        started = code !== SSL_REQUEST && code !== GSSENC_REQUEST;
      } else if (pending[0] === 0x50) {
        const [name, sql] = cStrings(body, 2);
        statements.set(name as string, sql as string);
      } else if (pending[0] === 0x42) {
        executions.push(bound(body, statements));
      }
      pending = pending.subarray(header + length);
    }
  };
}

/** A Bind message: portal, statement, parameter formats, then each parameter (length, bytes). */
function bound(body: Buffer, statements: Map<string, string>): Execution {
  const [, statement] = cStrings(body, 2);
  let at = body.indexOf(0, body.indexOf(0) + 1) + 1;
  at += 2 + 2 * body.readInt16BE(at);
  const count = body.readInt16BE(at);
  at += 2;
  const params: (string | null)[] = [];
  for (let i = 0; i < count; i++) {
    const length = body.readInt32BE(at);
    at += 4;
    params.push(length < 0 ? null : body.toString('utf8', at, at + length));
    at += Math.max(0, length);
  }
  return { sql: statements.get(statement as string) ?? '', params };
}

/** The first `count` zero-terminated strings of `body`. */
function cStrings(body: Buffer, count: number): string[] {
  const strings: string[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    const end = body.indexOf(0, at);
    strings.push(body.toString('utf8', at, end));
    at = end + 1;
  }
  return strings;
}
