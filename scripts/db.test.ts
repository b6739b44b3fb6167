import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { repoRoot } from '../server/test/support/process';

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

describe('npm run db (scripts/db.ts)', () => {
  // The test database (mongo-java-server when Java is there) and the development one (SecantusDB).
  it.each(['mongo-java-server', 'secantus'])('starts %s, and the database goes away when its owner is killed', async (database) => {
    // One process (node --import tsx), so SIGKILL hits the owner itself, as a crash would.
    const env: NodeJS.ProcessEnv = { ...process.env, FAPIAO_DATABASE: database };
    delete env.MONGODB_URI;
    const owner = spawn(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'scripts/db.ts'), '--ephemeral'], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    owner.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    owner.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      const started = await waitUntil(async () => /MONGODB_URI=mongodb:\/\/127\.0\.0\.1:(\d+)/.test(output), 90_000);
      expect(started).toBe(true);
      const port = Number(/MONGODB_URI=mongodb:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
      expect(await accepts(port)).toBe(true);

      owner.kill('SIGKILL');
      expect(await waitUntil(async () => !(await accepts(port)), 30_000)).toBe(true);
    } finally {
      owner.kill('SIGKILL');
    }
  });
});
