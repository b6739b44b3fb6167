import { TEST_ENV } from './app';

/** The user_authorize_invoice push of the documented example, for one order. */
export const authorizeEvent = (orderId: string, createTime = 1714112445) => ({
  ToUserName: 'gh_97417a04a28d',
  FromUserName: 'o9AgO5Kd5ggOC-bXrbNODIiE3bGY',
  CreateTime: createTime,
  MsgType: 'event',
  Event: 'user_authorize_invoice',
  SuccOrderId: orderId,
  FailOrderId: '',
  AuthorizeAppId: TEST_ENV.WECHAT_APPID,
  Source: 'wxa',
});
