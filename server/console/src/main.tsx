import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { createRoot } from 'react-dom/client';
import { App } from './App';

dayjs.locale('zh-cn');

/** The nonce the server put in this page (its CSP allows only styles that carry it). */
const nonce = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content ?? '';

createRoot(document.getElementById('root') as HTMLElement).render(
  <ConfigProvider locale={zhCN} csp={{ nonce }} theme={{ token: { colorPrimary: '#07c160', borderRadius: 6 } }}>
    <AntApp>
      <App />
    </AntApp>
  </ConfigProvider>,
);
