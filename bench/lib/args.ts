export const BENCHMARKS = ['push', 'mp', 'tokens', 'worker', 'flow'] as const;
export type BenchName = (typeof BENCHMARKS)[number];

export interface BenchArgs {
  only: BenchName[];
  quick: boolean;
}

/** `npm run bench -- [--quick] [--only push,tokens]` */
export function parseArgs(argv: string[]): BenchArgs {
  const quick = argv.includes('--quick');
  const at = argv.findIndex((a) => a === '--only' || a.startsWith('--only='));
  let only: BenchName[] = [...BENCHMARKS];
  if (at >= 0) {
    const raw = argv[at]?.includes('=') ? argv[at]?.slice('--only='.length) : argv[at + 1];
    const names = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = names.filter((n) => !(BENCHMARKS as readonly string[]).includes(n));
    if (!names.length || unknown.length) throw new Error(`--only takes a comma-separated list of ${BENCHMARKS.join(', ')}${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`);
    only = BENCHMARKS.filter((b) => names.includes(b));
  }
  const known = new Set(['--quick', '--only']);
  const stray = argv.filter((a, i) => a.startsWith('--') && !known.has(a) && !a.startsWith('--only=') && !(i > 0 && argv[i - 1] === '--only'));
  if (stray.length) throw new Error(`unknown option ${stray.join(' ')} (use --quick and --only ${BENCHMARKS.join(',')})`);
  return { only, quick };
}
