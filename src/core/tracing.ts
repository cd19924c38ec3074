/**
 * Traces, with @elysiajs/opentelemetry (the OpenTelemetry SDK for Node, on Bun): a server span per
 * request named after its route template, `traceparent` honoured from callers, and the database
 * operations as child spans (src/core/metrics.ts). Off unless an OTLP endpoint is configured
 * (config.tracing); then the SDK reads the standard OTEL_* variables itself (protocol, headers,
 * sampling, batching). Loaded only when on, so that a server without tracing pays nothing for it.
 */
import { Elysia } from 'elysia';
import type { Settings } from './config';

export async function tracing({ tracing }: Pick<Settings, 'tracing'>) {
  return tracing.enabled
    ? (await import('@elysiajs/opentelemetry')).opentelemetry({ serviceName: tracing.serviceName })
    : new Elysia({ name: 'tracing-off' });
}
