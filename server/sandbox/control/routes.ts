import Router from '@koa/router';
import { bodyOf } from '../body';
import type { SandboxContext } from '../context';
import { readStats } from './counters';
import { behaviourInput, readBehaviour, setBehaviour } from './behaviour';
import { faultsInput, readFaults, setFaults } from './faults';

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
