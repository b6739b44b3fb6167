import { AppError } from '../errors';
import { WeChatApiError, WeChatError, WeChatLoginError } from '../wechat';

/**
 * What a caller of our API is told when WeChat said no: a login problem the Mini Program can act
 * on, WeChat refusing (with its errcode and meaning, for ops), or WeChat being unreachable/busy
 * (try again). Anything that is not a WeChatError passes through unchanged.
 */
function toAppError(err: unknown): unknown {
  if (!(err instanceof WeChatError)) return err;
  if (err instanceof WeChatLoginError) {
    return err.code === 'WECHAT_LOGIN_BLOCKED'
      ? new AppError('LOGIN_BLOCKED', 'WeChat blocked this login')
      : new AppError('LOGIN_CODE_INVALID', 'The login code is invalid or used: call wx.login again');
  }
  if (err instanceof WeChatApiError) {
    return new AppError('WECHAT_REJECTED', `WeChat refused (${err.errcode}): ${err.meaning}`, { errcode: err.errcode });
  }
  return new AppError('WECHAT_UNAVAILABLE', 'WeChat is busy or unreachable; try again shortly');
}

/** Runs a WeChat call, turning its failures into AppErrors. */
export async function askWeChat<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw toAppError(err);
  }
}
