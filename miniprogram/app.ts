import { apiBase } from './config';

App<IAppOption>({
  globalData: {
    apiBase: apiBase(wx.getAccountInfoSync().miniProgram.envVersion),
  },
});
