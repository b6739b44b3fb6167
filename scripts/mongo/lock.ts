import fs from 'node:fs';

/**
 * Runs `fn` while holding a lock directory, so two first runs (say two jest workers, or `npm start`
 * beside `npm test`) do not install the same thing at once. A lock older than ten minutes is
 * taken to be left by a killed run.
 */
export async function withLock(lockDir: string, fn: () => void): Promise<void> {
  const staleAfterMs = 10 * 60_000;
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      break;
    } catch {
      const age = Date.now() - (fs.statSync(lockDir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > staleAfterMs) fs.rmSync(lockDir, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 500));
    }
  }
  try {
    fn();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}
