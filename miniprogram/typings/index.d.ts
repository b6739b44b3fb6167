/** The app instance's shape, for `App<IAppOption>()` and `getApp<IAppOption>()`. */
interface IAppOption {
  globalData: {
    /** Base URL of the Fapiao server's API. */
    apiBase: string;
    /** Open the sandbox's authorization page in a <web-view> when the server offers one (config.ts). */
    authViaWebview: boolean;
  };
  /** Asks the server about the invoice the buyer just went to authorize (scene 1038 return). */
  refreshPendingInvoice(): Promise<void>;
}

/** A Vant component event (`bind:change` etc.): `detail` is the value; dataset of the bound node. */
interface VantEvent<TDetail, TDataset = Record<string, never>> {
  type: string;
  detail: TDetail;
  currentTarget: { id: string; dataset: TDataset };
}
