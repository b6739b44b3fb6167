import { httpStatusOf, type ErrorCode } from '@fapiao/shared';

/**
 * An error the API reports to its caller: a stable code from shared/, the HTTP status that goes
 * with it, and a message safe to show. Anything thrown that is not an AppError is a bug and is
 * answered with INTERNAL and a generic message.
 */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = httpStatusOf(code);
  }
}
