import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Anything that may carry a secret is redacted by path, as a second line
 * of defence: code never logs config values, tokens or request bodies in the first place.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'fapiao-server' },
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
