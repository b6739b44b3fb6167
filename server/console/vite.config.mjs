// Vite builds the console into dist/, which the server serves at /console. JSX is compiled by
// Vite's own transformer (Oxc), so no React plugin is needed.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/console/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  resolve: {
    alias: [
      { find: /^@fapiao\/shared\/contract$/, replacement: path.resolve(here, '../../shared/src/contract/index.ts') },
      { find: /^@fapiao\/shared$/, replacement: path.resolve(here, '../../shared/src/index.ts') },
      // The ops CLI's order-file reader runs here too: csv-parse's browser build (Buffer included).
      { find: /^csv-parse\/sync$/, replacement: path.resolve(here, '../../node_modules/csv-parse/dist/esm/sync.js') },
    ],
  },
  build: {
    outDir: path.join(here, 'dist'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 4096,
    // No inline scripts or data: modules, whatever the size: the CSP allows only 'self'.
    assetsInlineLimit: 0,
    rolldownOptions: {
      output: {
        // The libraries change rarely and the pages often: each library in its own long-cached
        // chunk. ECharts (and zrender) load only with the dashboard; React and antd (with its
        // rc-* helpers, icons and dayjs) with every page. Higher priority takes a module first.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/, priority: 30 },
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender|tslib)[\\/]/, priority: 20 },
            { name: 'antd', test: /node_modules[\\/](antd|@ant-design|@rc-component|rc-[^\\/]+|@emotion|stylis|dayjs|@babel[\\/]runtime|classnames|clsx)[\\/]/, priority: 10 },
          ],
        },
      },
      // Ant Design's modules start with "use client" (for React Server Components): meaningless here.
      onLog(level, log, handler) {
        if (log.code === 'MODULE_LEVEL_DIRECTIVE') return;
        // scripts/ops/orders-file.ts imports node:fs for the CLI's readOrdersFile, never called here.
        if (/node:(fs|path)" has been externalized/.test(log.message)) return;
        handler(level, log);
      },
    },
  },
});
