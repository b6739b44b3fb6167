const BENCHMARKS = ['package', 'push', 'mp', 'tokens', 'worker', 'flow', 'wait', 'capacity'] as const;
export type BenchName = (typeof BENCHMARKS)[number];

export interface BenchArgs {
  only: BenchName[];
  quick: boolean;
  /** Orders in the whole-flow benchmark, when not the default for the mode. */
  flowOrders?: number;
  /** How long orders arrive in the buyer-wait benchmark, when not the default for the mode. */
  waitSeconds?: number;
}

const USAGE = `npm run bench -- [--quick] [--only ${BENCHMARKS.join(',')}] [--flow-orders N] [--wait-seconds S]`;

/** Reads `[--quick] [--only push,tokens] [--flow-orders 300]` (also `--only=…`). */
export function parseArgs(argv: string[]): BenchArgs {
  const args: BenchArgs = { only: [...BENCHMARKS], quick: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = (argv[i] ?? '').split('=', 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i] ?? '';
    if (flag === '--quick') args.quick = true;
    else if (flag === '--only') {
      const names = value().split(',').map((s) => s.trim()).filter(Boolean);
      const unknown = names.filter((n) => !(BENCHMARKS as readonly string[]).includes(n));
      if (!names.length || unknown.length) throw new Error(`--only: unknown ${unknown.join(', ') || '(nothing given)'}; usage: ${USAGE}`);
      args.only = BENCHMARKS.filter((b) => names.includes(b));
    } else if (flag === '--flow-orders') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new Error(`--flow-orders takes a positive whole number; usage: ${USAGE}`);
      args.flowOrders = n;
    } else if (flag === '--wait-seconds') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new Error(`--wait-seconds takes a positive whole number; usage: ${USAGE}`);
      args.waitSeconds = n;
    } else throw new Error(`unknown argument ${argv[i]}; usage: ${USAGE}`);
  }
  return args;
}
