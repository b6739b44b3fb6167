import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startChildServer, type ChildServer } from './child-server';
import { freePort } from './free-port';
import { dataDir } from './paths';

const DOWNLOAD_HOST = 'https://fastdl.mongodb.org/';
/** How long we wait to learn whether MongoDB's download server can be reached at all. */
const REACHABILITY_TIMEOUT_MS = 4_000;
/** A download that started must finish in this time, or we move on to the next option. */
const DOWNLOAD_TIMEOUT_MS = 180_000;

/** A `mongod` binary: one on PATH, else one mongodb-memory-server has cached or can download. */
export async function findMongod(log: (line: string) => void): Promise<string | undefined> {
  const onPath = whichMongod();
  if (onPath) return onPath;
  return memoryServerBinary(log);
}

function whichMongod(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v mongod'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || undefined;
  } catch {
    return undefined;
  }
}

async function memoryServerBinary(log: (line: string) => void): Promise<string | undefined> {
  const { MongoBinary, DryMongoBinary } = await import('mongodb-memory-server-core');
  const cached = await DryMongoBinary.generateOptions()
    .then((options) => DryMongoBinary.locateBinary(options))
    .catch(() => undefined);
  if (cached) return cached;
  // Fail fast where MongoDB's download server is unreachable (as on a closed network)
  // instead of waiting for the download to hang.
  if (!(await reachable(DOWNLOAD_HOST))) {
    log(`mongod download skipped: ${DOWNLOAD_HOST} is not reachable`);
    return undefined;
  }
  log('downloading mongod with mongodb-memory-server (first run only)…');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), DOWNLOAD_TIMEOUT_MS);
  });
  try {
    return await Promise.race([MongoBinary.getPath(), timeout]);
  } catch (err) {
    log(`mongod download failed: ${(err as Error).message}`);
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

async function reachable(url: string): Promise<boolean> {
  try {
    await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(REACHABILITY_TIMEOUT_MS) });
    return true;
  } catch {
    return false;
  }
}

/** Starts mongod on a free loopback port with its data in storageDir. */
export async function startMongod(binary: string, storageDir: string): Promise<{ uri: string; server: ChildServer }> {
  fs.mkdirSync(storageDir, { recursive: true });
  const port = await freePort();
  const server = await startChildServer({
    name: 'mongod',
    // mongod has no parent-death option: the wrapper stops it if we are killed.
    command: path.join(__dirname, 'watch-owner.sh'),
    args: [binary, '--bind_ip', '127.0.0.1', '--port', String(port), '--dbpath', storageDir, '--quiet'],
    port,
    logFile: path.join(dataDir, 'mongod.log'),
  });
  return { uri: `mongodb://127.0.0.1:${port}/?directConnection=true`, server };
}
