/**
 * `npm run bench [-- --quick] [--only push,tokens] [--flow-orders N] [--wait-seconds S]`: starts a database (scripts/mongo decides
 * which), runs each benchmark against real processes on loopback, prints one table per benchmark
 * with figures and the ratios between figures of this same run, and writes the whole run to
 * bench/results/latest.json. See docs/performance.md.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDatabase } from '../scripts/mongo';
import { parseArgs, type BenchArgs, type BenchName } from './lib/args';
import { formatResult, type BenchResult } from './lib/report';
import { runningProcesses } from './lib/stack';
import { flowBench, waitBench } from './flow.bench';
import { packageBench } from './package.bench';
import { capacityBench } from './capacity.bench';
import { mpRouteBench } from './mp-route.bench';
import { pushBench } from './push.bench';
import { tokensBench } from './tokens.bench';
import { workerTickBench } from './worker-tick.bench';

/** Each benchmark; `earlier` holds this run's results so far (capacity builds on flow and push). */
const RUNNERS: Record<BenchName, (serverUri: string, args: BenchArgs, earlier: BenchResult[]) => Promise<BenchResult>> = {
  package: () => packageBench(),
  push: (uri, args) => pushBench(uri, args.quick),
  mp: (uri, args) => mpRouteBench(uri, args.quick),
  tokens: (uri, args) => tokensBench(uri, args.quick),
  worker: (uri, args) => workerTickBench(uri, args.quick),
  flow: (uri, args) => flowBench(uri, args.quick, args.flowOrders),
  wait: (uri, args) => waitBench(uri, args.quick, args.waitSeconds),
  capacity: (_uri, args, earlier) => capacityBench(args.quick, earlier),
};

function machine() {
  const [one = 0, five = 0] = os.loadavg();
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    loadAverageAtStart: { oneMinute: one, fiveMinutes: five },
  };
}

function save(file: string, run: object): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify({ ...run, loadAverageNow: os.loadavg()[0] }, null, 2)}\n`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // SecantusDB unless told otherwise (MONGODB_URI, or FAPIAO_DATABASE=mongod): the figures in
  // docs/performance.md come from it, and an in-memory test server would not be comparable.
  const env = { ...process.env, FAPIAO_DATABASE: process.env.FAPIAO_DATABASE ?? 'secantus' };
  const db = await startDatabase({ purpose: 'test', env, log: (line) => console.error(`[db] ${line}`) });
  // Ctrl-C: stop the server and sandbox processes too (the database stops with its owner).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const p of runningProcesses) if (p.child.exitCode === null) p.child.kill('SIGKILL');
      void db.stop().finally(() => process.exit(130));
    });
  }
  const out = path.join(__dirname, 'results', 'latest.json');
  const run = { startedAt: new Date().toISOString(), quick: args.quick, database: db.description, machine: machine(), results: [] as BenchResult[], failed: [] as { name: string; error: string }[] };
  console.log(`Fapiao benchmarks${args.quick ? ' (--quick)' : ''}: ${args.only.join(', ')}`);
  console.log(`  ${run.machine.cpus} × ${run.machine.cpuModel}, ${run.machine.memoryGb} GB, Node ${run.machine.node}, database ${db.description}`);
  console.log(`  load average at start: ${run.machine.loadAverageAtStart.oneMinute.toFixed(2)} (1 min), ${run.machine.loadAverageAtStart.fiveMinutes.toFixed(2)} (5 min)`);
  try {
    for (const name of args.only) {
      try {
        const result = await RUNNERS[name](db.uri, args, run.results);
        run.results.push(result);
        console.log(formatResult(result));
        save(out, run); // after each benchmark, so an interrupted run keeps what it measured
      } catch (err) {
        const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
        run.failed.push({ name, error });
        console.error(`\n== ${name} FAILED ==\n${error}`);
      }
    }
  } finally {
    await db.stop();
  }
  save(out, { ...run, finishedAt: new Date().toISOString() });
  console.log(`\nWrote ${path.relative(process.cwd(), out)}`);
  if (run.failed.length) process.exit(1);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
