/**
 * The Fapiao server as production runs it (`npm run serve`: the compiled server/dist/main.js, no
 * TypeScript loader), plus what the benchmarks read from it: on SIGUSR2 it collects garbage and
 * prints `memory {…}` (process.memoryUsage, V8's heap spaces, the CPU time used so far and, with
 * BENCH_COUNT_DB_OPS=1, the database operations it sent by collection and method), so a benchmark
 * can tell what the resident memory is and what one invoice costs. Plain JavaScript on purpose:
 * loading it through tsx would add the loader's own memory to every figure.
 */
'use strict';
const path = require('path');
const v8 = require('v8');
const vm = require('vm');
const mongoose = require('mongoose');

const dbOps = {};
if (process.env.BENCH_COUNT_DB_OPS === '1') {
  // mongoose's debug hook sees every collection operation of every connection of this process.
  mongoose.set('debug', (collection, method) => {
    const key = `${collection}.${method}`;
    dbOps[key] = (dbOps[key] || 0) + 1;
  });
}

process.on('SIGUSR2', () => {
  v8.setFlagsFromString('--expose-gc');
  vm.runInNewContext('gc')();
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, { used: s.space_used_size, size: s.space_size }]));
  process.stdout.write(`memory ${JSON.stringify({ ...process.memoryUsage(), spaces, cpu: process.cpuUsage(), dbOps })}\n`);
});

require(path.join(__dirname, '..', '..', 'server', 'dist', 'main.js'));
