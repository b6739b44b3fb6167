/**
 * The Fapiao server (server/src/main.ts, unchanged) plus what the benchmarks read from it: on
 * SIGUSR2 it collects garbage and prints `memory {…}` (process.memoryUsage, V8's heap spaces, the
 * CPU time used so far and, with BENCH_COUNT_DB_OPS=1, the database operations it sent by
 * collection and method), so a benchmark can tell what the resident memory is and what one
 * invoice costs.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import mongoose from 'mongoose';
import '../../server/src/main';

const dbOps: Record<string, number> = {};
if (process.env.BENCH_COUNT_DB_OPS === '1') {
  // mongoose's debug hook sees every collection operation of every connection of this process.
  mongoose.set('debug', (collection: string, method: string) => {
    const key = `${collection}.${method}`;
    dbOps[key] = (dbOps[key] ?? 0) + 1;
  });
}

process.on('SIGUSR2', () => {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
  const usage = process.memoryUsage();
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, { used: s.space_used_size, size: s.space_size }]));
  process.stdout.write(`memory ${JSON.stringify({ ...usage, spaces, cpu: process.cpuUsage(), dbOps })}\n`);
});
