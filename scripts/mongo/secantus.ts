import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startChildServer, type ChildServer } from './child-server';
import { freePort } from './free-port';
import { withLock } from './lock';
import { dataDir, venvDir } from './paths';

/** Pinned: every SecantusDB release so far is a pre-release, and behaviour moves between them. */
export const SECANTUS_VERSION = '0.7.0b3';

const python = path.join(venvDir, 'bin', 'python');

/**
 * Installs SecantusDB into the project-local virtual environment unless the pinned version is
 * already there. A lock directory keeps two concurrent first runs from installing at once.
 */
async function ensureSecantus(log: (line: string) => void): Promise<void> {
  if (installedVersion() === SECANTUS_VERSION) return;
  await withLock(path.join(path.dirname(venvDir), '.venv.lock'), () => {
    if (installedVersion() === SECANTUS_VERSION) return;
    const systemPython = findPython();
    log(`installing SecantusDB ${SECANTUS_VERSION} into ${venvDir} (first run only)…`);
    if (!fs.existsSync(python)) execFileSync(systemPython, ['-m', 'venv', venvDir], { stdio: 'inherit' });
    execFileSync(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `SecantusDB==${SECANTUS_VERSION}`], {
      stdio: 'inherit',
    });
  });
}

function installedVersion(): string | undefined {
  if (!fs.existsSync(python)) return undefined;
  try {
    return execFileSync(python, ['-c', 'import importlib.metadata as m; print(m.version("SecantusDB"))'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}

export function findPython(): string {
  for (const candidate of ['python3.13', 'python3.12', 'python3.11', 'python3.10', 'python3']) {
    try {
      const version = execFileSync(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      })
        .toString()
        .trim();
      const [major, minor] = version.split('.').map(Number);
      if (major === 3 && (minor ?? 0) >= 10) return candidate;
    } catch {
      // not on PATH: try the next one
    }
  }
  throw new Error('SecantusDB needs Python >= 3.10 (python3 on PATH) to create its virtual environment');
}

export interface SecantusOptions {
  /** A directory under .data/ that holds the WiredTiger files. */
  storageDir: string;
  log: (line: string) => void;
  /** A given port (a restart on the same one, as the outage drill does); a free one otherwise. */
  port?: number;
}

/** Starts SecantusDB on a free loopback port; the server stops when its owner (this process) exits. */
export async function startSecantus(opts: SecantusOptions): Promise<{ uri: string; server: ChildServer }> {
  await ensureSecantus(opts.log);
  fs.mkdirSync(opts.storageDir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const launcher = path.join(__dirname, 'secantus-launcher.py');
  const server = await startChildServer({
    name: 'SecantusDB',
    command: python,
    args: [launcher, '--host', '127.0.0.1', '--port', String(port), '--storage-path', opts.storageDir, '--log-level', 'WARNING'],
    port,
    logFile: path.join(dataDir, 'secantus.log'),
    // Run from .data so SecantusDB never auto-discovers a stray secantusd.toml in the repo.
    env: { ...process.env, PYTHONUNBUFFERED: '1' },
    cwd: dataDir,
  });
  // directConnection: SecantusDB advertises a single-node replica set; skip topology discovery.
  return { uri: `mongodb://127.0.0.1:${port}/?directConnection=true`, server };
}
