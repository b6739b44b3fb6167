import path from 'node:path';

/** The repository root (scripts/mongo/ is two levels down). */
const repoRoot = path.resolve(__dirname, '..', '..');
/** Local data of development databases; git-ignored. */
export const dataDir = path.join(repoRoot, '.data');
/** Project-local Python virtual environment for SecantusDB; git-ignored. */
export const venvDir = path.join(repoRoot, '.venv');
