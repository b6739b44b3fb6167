/** Connection-level failures a real client answers by sending again: the server reset or dropped the socket. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

function isConnectionReset(err: unknown): boolean {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' && RESET_CODES.has(cause.code);
}

/**
 * fetch as the drills' buyers and ops use it: a connection reset on a busy machine (`fetch failed`
 * … ECONNRESET) is sent again, a few times with a growing pause, as an app or a browser would. The
 * API's writes are idempotent (orders by orderNo, invoice requests by order), so a resend is safe.
 * Any other failure, and an answer of any status, is the caller's.
 */
export async function fetchRetryingResets(url: string, init: RequestInit, attempts = 5): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(url, init);
    } catch (err) {
      if (!isConnectionReset(err) || attempt >= attempts) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
    }
  }
}
