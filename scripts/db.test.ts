import net from 'node:net';
import { eventually } from '../server/test/support/eventually';
import { inheritedEnv, spawnTs } from '../server/test/support/process';

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

describe('npm run db (scripts/db.ts)', () => {
  // The test database (mongo-java-server when Java is there) and the development one (SecantusDB).
  it.each(['mongo-java-server', 'secantus'])('starts %s, and the database goes away when its owner is killed', async (database) => {
    // One process (node --import tsx), so SIGKILL hits the owner itself, as a crash would.
    const owner = spawnTs('scripts/db.ts', { ...inheritedEnv('MONGODB_URI'), FAPIAO_DATABASE: database }, ['--ephemeral']);
    try {
      const line = await owner.waitForLine(/MONGODB_URI=mongodb:\/\/127\.0\.0\.1:(\d+)/, 90_000);
      const port = Number(/MONGODB_URI=mongodb:\/\/127\.0\.0\.1:(\d+)/.exec(line)?.[1]);
      expect(await accepts(port)).toBe(true);

      owner.child.kill('SIGKILL');
      await eventually(async () => !(await accepts(port)), 'the database to go away with its owner', 90_000); // a ceiling: SecantusDB took over 30 s to notice on a busy machine
    } finally {
      owner.child.kill('SIGKILL');
    }
  }, 240_000);
});
