import { setUrlAnswer } from '@fapiao/shared/contract';
import { setPlatformUrl, type PlatformDeps } from '../../domain/admin/platform';
import { route, type AnyApiRoute } from '../api-route';
import { actor } from './actor';

/** The merchant as its own invoicing platform (domain/admin/platform.ts). */
export function platformRoutes(deps: PlatformDeps): AnyApiRoute[] {
  return [
    route({
      method: 'post',
      path: '/platform/seturl',
      summary: 'For a merchant that is its own invoicing platform: seturl, giving the invoice_url and the s_pappid in it',
      auth: 'admin',
      response: setUrlAnswer,
      handler: ({ caller }) => setPlatformUrl(deps, actor(caller)),
    }),
  ];
}
