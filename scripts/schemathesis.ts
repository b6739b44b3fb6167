import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { withLock } from './mongo/lock';
import { venvDir } from './mongo/paths';
import { findPython } from './mongo/secantus';

/**
 * Schemathesis (https://schemathesis.readthedocs.io), the property-based API fuzzer the test suite
 * runs over /openapi.json. Pinned, in the project's own virtual environment (.venv/, beside
 * SecantusDB), installed from PyPI on the first run that needs it.
 */
const SCHEMATHESIS_VERSION = '4.32.5';

const python = path.join(venvDir, 'bin', 'python');
const schemathesisBin = path.join(venvDir, 'bin', 'st');

/** Installs the pinned Schemathesis into .venv/ unless it is there; returns the `st` executable. */
export async function ensureSchemathesis(log: (line: string) => void): Promise<string> {
  if (installedVersion() === SCHEMATHESIS_VERSION) return schemathesisBin;
  // The same lock as SecantusDB's install: one pip at a time in one virtual environment.
  await withLock(path.join(path.dirname(venvDir), '.venv.lock'), () => {
    if (installedVersion() === SCHEMATHESIS_VERSION) return;
    log(`installing Schemathesis ${SCHEMATHESIS_VERSION} into ${venvDir} (first run only)…`);
    if (!fs.existsSync(python)) execFileSync(findPython(), ['-m', 'venv', venvDir], { stdio: 'inherit' });
    execFileSync(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', `schemathesis==${SCHEMATHESIS_VERSION}`], { stdio: 'inherit' });
  });
  return schemathesisBin;
}

function installedVersion(): string | undefined {
  if (!fs.existsSync(python)) return undefined;
  try {
    return execFileSync(python, ['-c', 'import importlib.metadata as m; print(m.version("schemathesis"))'], { stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return undefined;
  }
}
