import type { Middleware } from 'koa';

/**
 * A refusal of the machine API (/sandbox/api/…): plain HTTP status and a stable string code,
 * rendered as `{ error: { code, message } }` like the control routes' VALIDATION_FAILED.
 */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function problem(status: number, code: string, message: string): never {
  throw new ApiProblem(status, code, message);
}

/** Renders ApiProblem; anything else goes on to the sandbox's error middleware. */
export function renderProblems(): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (!(err instanceof ApiProblem)) throw err;
      ctx.status = err.status;
      ctx.body = { error: { code: err.code, message: err.message } };
    }
  };
}
