import { AsyncLocalStorage } from 'node:async_hooks';
import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Fields every log line written inside withLogContext carries: `reqId` for an HTTP request,
 * `requestId` and `orderNo` for the invoice request being worked on. Held per async call chain,
 * so lines from deep inside (the WeChat client's retries, a repository) carry them too.
 */
const logContext = new AsyncLocalStorage<Record<string, unknown>>();

/** Runs `fn` with `fields` added to every log line it (and what it awaits) writes. */
export function withLogContext<T>(fields: Record<string, unknown>, fn: () => T): T {
  return logContext.run({ ...logContext.getStore(), ...fields }, fn);
}

/**
 * Structured JSON logs. Anything that may carry a secret is redacted by path, as a second line
 * of defence: code never logs config values, tokens or request bodies in the first place.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'fapiao-server' },
      mixin: () => logContext.getStore() ?? {},
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          '*.secret',
          '*.token',
          '*.access_token',
          '*.accessToken',
          '*.ticket',
          '*.session_key',
          '*.password',
          '*.apiKey',
        ],
        censor: '[redacted]',
      },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}
