import type { IncomingMessage } from 'node:http';

// The emulator's own copy of server/src/http/read-text.ts: the sandbox imports nothing from the
// product but the public push crypto (see .dependency-cruiser.cjs).

/**
 * Reads a request body as UTF-8 text, up to `limitBytes`. Resolves undefined when the body is
 * larger (the rest is drained, not kept), so callers answer 413 without buffering an attack.
 */
export function readText(req: IncomingMessage, limitBytes: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limitBytes) {
      req.resume();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) tooLarge = true;
      else if (!tooLarge) chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
