/**
 * The Fapiao server (server/src/main.ts, unchanged) plus one thing for the benchmarks: on SIGUSR2
 * it collects garbage and prints `memory {…}` (process.memoryUsage and V8's heap spaces), so a
 * benchmark can tell what of the resident memory is live JavaScript and what is not.
 */
import v8 from 'node:v8';
import vm from 'node:vm';
import '../../server/src/main';

process.on('SIGUSR2', () => {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
  const usage = process.memoryUsage();
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, { used: s.space_used_size, size: s.space_size }]));
  process.stdout.write(`memory ${JSON.stringify({ ...usage, spaces })}\n`);
});
