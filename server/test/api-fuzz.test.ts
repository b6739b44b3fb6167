/**
 * The API fuzzed from its own description: Schemathesis reads /openapi.json and sends what the
 * schemas allow and what they forbid (examples, boundary values, then random cases), once with
 * the admin key and once with a buyer's session, against the real server and the WeChat sandbox.
 * Any 5xx fails it, and so does a response that breaks the documented schema, status or content
 * type. Bounded by FUZZ_MAX_EXAMPLES cases per operation and phase; the seed is printed (and
 * FUZZ_SEED replays a run).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureSchemathesis } from '../../scripts/schemathesis';
import { ADMIN_KEY, orderFor, startLifecycleEnv, type LifecycleEnv } from './support/lifecycle-env';
import { spawnProcess } from './support/process';

const MAX_EXAMPLES = Number(process.env.FUZZ_MAX_EXAMPLES ?? 10);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CHECKS = ['not_a_server_error', 'response_schema_conformance', 'status_code_conformance', 'content_type_conformance'];

let st: string;
let env: LifecycleEnv;
let reports: string;

beforeAll(async () => {
  st = await ensureSchemathesis((line) => process.stderr.write(`[fuzz] ${line}\n`));
  env = await startLifecycleEnv();
  reports = fs.mkdtempSync(path.join(os.tmpdir(), 'fapiao-fuzz-'));
}, 600_000);
afterAll(async () => {
  await env?.close();
  if (reports) fs.rmSync(reports, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  output: string;
  cases: number;
}

/** One Schemathesis run over the operations `include` selects, with the given credential. */
async function fuzz(name: string, authorization: string, includeRegex: string): Promise<Run> {
  const junit = path.join(reports, `${name}.xml`);
  const args = [
    'run',
    `${env.app.url}/openapi.json`,
    '--url',
    env.app.url,
    '--header',
    `Authorization: Bearer ${authorization}`,
    '--include-path-regex',
    includeRegex,
    '--checks',
    CHECKS.join(','),
    '--phases',
    'examples,coverage,fuzzing',
    '--max-examples',
    String(MAX_EXAMPLES),
    '--seed',
    String(SEED),
    '--workers',
    '1',
    '--request-timeout',
    '20',
    '--suppress-health-check',
    'too_slow,filter_too_much',
    '--no-color',
    '--report',
    'junit',
    '--report-junit-path',
    junit,
  ];
  // Its own environment: nothing of ours (or a proxy setting) leaks into the fuzzer.
  // Run from the reports directory: Schemathesis keeps a cache (.schemathesis/) in its working directory.
  const run = spawnProcess(st, args, { cwd: reports, env: { HOME: os.tmpdir(), NO_COLOR: '1', SCHEMATHESIS_TELEMETRY: 'false' } });
  const { code, error } = await run.exited;
  if (error) throw error;
  const output = run.output();
  const xml = fs.existsSync(junit) ? fs.readFileSync(junit, 'utf8') : '';
  const cases = Number(/Test cases:\s*(\d+)/i.exec(output)?.[1] ?? /(\d+) generated/.exec(output)?.[1] ?? 0);
  return { code, output: output + (code === 0 ? '' : `\n${xml.slice(0, 4000)}`), cases };
}

it('finds no 5xx and no response outside the documented schemas, as ops and as a buyer', async () => {
  process.stderr.write(`[fuzz] seed ${SEED} (FUZZ_SEED=${SEED} replays it), up to ${MAX_EXAMPLES} cases per operation and phase\n`);
  // Something to find: a buyer with orders and an invoice request in progress.
  const buyer = await env.login('fuzzbuyer');
  for (const orderNo of ['FUZZ-1', 'FUZZ-2']) expect((await env.admin('POST', '/orders', orderFor(buyer.openid, orderNo))).status).toBe(201);
  expect((await env.mp(buyer.token, 'POST', '/orders/FUZZ-1/invoice', { type: 1 })).status).toBe(200);

  // Both at once: each is mostly waiting on the other's requests, and the run stays within ~2 min.
  const [admin, mp] = await Promise.all([fuzz('admin', ADMIN_KEY, '^/api/admin/'), fuzz('buyer', buyer.token, '^/api/mp/')]);
  const summary = (run: Run) => run.output.split('\n').filter((line) => /test cases|passed|failed|generated/i.test(line)).slice(-4).join(' | ');
  const figures = { seed: SEED, adminCases: admin.cases, buyerCases: mp.cases, admin: summary(admin), buyer: summary(mp) };
  process.stderr.write(`[fuzz] ${JSON.stringify(figures)}\n`);
  const serverErrors = env.app.logs.filter((line) => /"level":50/.test(line));
  expect({ admin: admin.code, adminOutput: admin.code === 0 ? '' : admin.output }).toEqual({ admin: 0, adminOutput: '' });
  expect({ buyer: mp.code, buyerOutput: mp.code === 0 ? '' : mp.output }).toEqual({ buyer: 0, buyerOutput: '' });
  expect(serverErrors).toEqual([]);
  expect(admin.cases + mp.cases).toBeGreaterThan(0);
}, 600_000);
