/** The app instance's shape, for `App<IAppOption>()` and `getApp<IAppOption>()`. */
interface IAppOption {
  globalData: {
    /** Base URL of the Fapiao server's API. */
    apiBase: string;
  };
}
