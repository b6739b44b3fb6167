import { authFieldsSetting, contactSetting, payMchSetting, settingView } from '@fapiao/shared/contract';
import { getAuthFields, getContact, getPayMch, putAuthFields, putContact, putPayMch, type SettingsDeps } from '../../domain/settings';
import { route, type AnyApiRoute } from '../api-route';
import { actor } from './actor';

/** What WeChat must know of the merchant before it hands out authorization URLs (domain/settings.ts). */
export function settingsRoutes(deps: SettingsDeps): AnyApiRoute[] {
  return [
    route({
      method: 'get',
      path: '/settings/contact',
      summary: 'The merchant contact WeChat requires before any authorization URL (72063)',
      auth: 'admin',
      response: settingView(contactSetting),
      handler: () => getContact(deps),
    }),
    route({
      method: 'put',
      path: '/settings/contact',
      summary: 'Set the contact: phone, and timeOut = seconds a buyer has to authorize',
      auth: 'admin',
      body: contactSetting,
      response: settingView(contactSetting),
      handler: ({ body, caller }) => putContact(deps, body, actor(caller)),
    }),
    route({
      method: 'get',
      path: '/settings/auth-fields',
      summary: 'Title fields WeChat’s type 1 page shows and requires (WeChat’s set_auth_field shape)',
      auth: 'admin',
      response: settingView(authFieldsSetting),
      handler: () => getAuthFields(deps),
    }),
    route({
      method: 'put',
      path: '/settings/auth-fields',
      summary: 'Set the auth fields (needed before type 1 requests: 72029)',
      auth: 'admin',
      body: authFieldsSetting,
      response: settingView(authFieldsSetting),
      handler: ({ body, caller }) => putAuthFields(deps, body, actor(caller)),
    }),
    route({
      method: 'get',
      path: '/settings/pay-mch',
      summary: 'The WeChat Pay merchant linked to the invoicing platform (post-payment invoicing)',
      auth: 'admin',
      response: settingView(payMchSetting),
      handler: () => getPayMch(deps),
    }),
    route({
      method: 'put',
      path: '/settings/pay-mch',
      summary: 'Link the WeChat Pay merchant id to the invoicing platform’s s_pappid',
      auth: 'admin',
      body: payMchSetting,
      response: settingView(payMchSetting),
      handler: ({ body, caller }) => putPayMch(deps, body, actor(caller)),
    }),
  ];
}
