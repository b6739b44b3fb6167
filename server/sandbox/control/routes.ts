import Router from '@koa/router';
import { bodyOf } from '../body';
import type { SandboxContext } from '../context';
import { readStats } from './counters';
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
  return router;
}
