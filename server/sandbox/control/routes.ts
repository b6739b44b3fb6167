import Router from '@koa/router';
import { z } from 'zod';
import { bodyOf } from '../body';
import type { SandboxContext } from '../context';
import { readStats } from './counters';
import { behaviourInput, readBehaviour, setBehaviour } from './behaviour';
import { faultsInput, readFaults, setFaults } from './faults';

/** POST /sandbox/api/clock: how far to move the sandbox's time forward (at most a year). */
const clockInput = z.strictObject({ advanceMs: z.number().int().min(0).max(366 * 24 * 3600_000) });

/** The machine API for tests and tools: /sandbox/api/… (plain JSON, not WeChat's shapes). */
export function controlRoutes(sb: SandboxContext): Router {
  const router = new Router({ prefix: '/sandbox/api' });
  router.get('/stats', async (ctx) => {
    ctx.body = await readStats(sb.models);
  });
  router.delete('/stats', async (ctx) => {
    await sb.models.Counter.deleteMany({});
    ctx.status = 204;
  });
  router.get('/faults', async (ctx) => {
    ctx.body = await readFaults(sb);
  });
  router.put('/faults', async (ctx) => {
    const parsed = faultsInput.safeParse(bodyOf(ctx));
    if (!parsed.success) {
      ctx.status = 400;
      ctx.body = { error: { code: 'VALIDATION_FAILED', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') } };
      return;
    }
    await setFaults(sb, parsed.data);
    ctx.body = await readFaults(sb);
  });
  router.delete('/faults', async (ctx) => {
    await setFaults(sb, {});
    ctx.status = 204;
  });
  // The sandbox's time, for tests in another process (in-process ones use Sandbox.clock).
  const clockView = () => ({ now: sb.clock.now().toISOString(), offsetMs: sb.clock.offsetMs });
  router.get('/clock', (ctx) => {
    ctx.body = clockView();
  });
  router.post('/clock', (ctx) => {
    const parsed = clockInput.safeParse(bodyOf(ctx));
    if (!parsed.success) {
      ctx.status = 400;
      ctx.body = { error: { code: 'VALIDATION_FAILED', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') } };
      return;
    }
    sb.clock.advance(parsed.data.advanceMs);
    ctx.body = clockView();
  });
  // WeChat's undocumented behaviour, one switch per unknown (docs/wechat-behaviour.md).
  router.get('/behaviour', async (ctx) => {
    ctx.body = await readBehaviour(sb);
  });
  router.put('/behaviour', async (ctx) => {
    const parsed = behaviourInput.safeParse(bodyOf(ctx));
    if (!parsed.success) {
      ctx.status = 400;
      ctx.body = { error: { code: 'VALIDATION_FAILED', message: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') } };
      return;
    }
    ctx.body = await setBehaviour(sb, parsed.data);
  });
  router.delete('/behaviour', async (ctx) => {
    await setBehaviour(sb, {});
    ctx.status = 204;
  });
  return router;
}
