import { App as AntApp, ConfigProvider } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { createRoot } from 'react-dom/client';
import { App } from './App';

dayjs.locale('zh-cn');

/** The nonce the server put in this page (its CSP allows only styles that carry it). */
const nonce = document.querySelector<HTMLMetaElement>('meta[name="csp-nonce"]')?.content ?? '';

/**
 * Two kinds of <style> of the UI library are made without the nonce (rc-component takes no CSP
 * option there): the probe getScrollBarSize inserts to measure a styled scrollbar, and the
 * scroll lock a dialog puts on the page. Only those, recognised by their exact content, are given
 * the nonce; every other style without it stays blocked.
 */
// The probe's rule, the scroll lock's rule, or the empty element inserted first to find the container.
const LIBRARY_STYLE = /^(\s*#rc-scrollbar-measure-[a-z0-9]+::-webkit-scrollbar \{[^{}]*\}\s*|\s*html body \{\s*overflow-y: hidden;\s*(width: calc\(100% - \d+(\.\d+)?px\);)?\s*\}\s*)?$/;
for (const method of ['appendChild', 'insertBefore'] as const) {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with .call(this, …)
  const original = Node.prototype[method] as (this: Node, node: Node, ...rest: unknown[]) => Node;
  Object.defineProperty(Node.prototype, method, {
    configurable: true,
    writable: true,
    value(this: Node, node: Node, ...rest: unknown[]) {
      if (node instanceof HTMLStyleElement && !node.nonce && LIBRARY_STYLE.test(node.textContent ?? '')) node.nonce = nonce;
      return original.call(this, node, ...rest);
    },
  });
}

createRoot(document.getElementById('root') as HTMLElement).render(
  <ConfigProvider locale={zhCN} csp={{ nonce }} theme={{ token: { colorPrimary: '#07c160', borderRadius: 6 } }}>
    <AntApp>
      <App />
    </AntApp>
  </ConfigProvider>,
);
