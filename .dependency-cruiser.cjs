// Import boundaries, checked by `npm run lint:deps` (part of `npm test`). docs/architecture.md
// draws the layers these rules keep apart.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-no-frameworks',
      comment: 'The domain (use cases, entities) knows no HTTP framework, no mongoose and no schema file: repositories are its only way to the database.',
      severity: 'error',
      // Its tests may build models: they set up the database the repositories read.
      from: { path: '^server/src/domain/', pathNot: '[.]test[.]ts$' },
      to: {
        pathNot: '^server/src/domain/',
        path: ['(^|/)node_modules/(koa|@koa/[^/]+|@types/koa[^/]*|koa-body|mongoose|mongodb)/', '^server/src/data/.+[.]schema[.]ts$', '^server/src/http/'],
      },
    },
    {
      name: 'http-no-repositories',
      comment: 'Routers call use cases in server/src/domain; they do not reach into server/src/data.',
      severity: 'error',
      from: { path: '^server/src/http/' },
      to: { path: '^server/src/data/' },
    },
    {
      name: 'sandbox-only-push-crypto',
      comment: 'The WeChat emulator shares only the public push protocol with the product (server/src/wechat/push/index.ts): it must behave like WeChat, not like our server.',
      severity: 'error',
      from: { path: '^server/sandbox/' },
      to: { path: '^server/src/', pathNot: '^server/src/wechat/push/index[.]ts$' },
    },
    {
      name: 'product-no-sandbox-or-tests',
      comment: 'What ships (server/src, shared, the Mini Program) never loads the emulator, tests or benchmarks; their own *.test.ts files may.',
      severity: 'error',
      from: { path: '^(server/src|shared/src|miniprogram)/', pathNot: ['[.]test[.]ts$', '^miniprogram/__tests__/'] },
      to: { path: ['^server/sandbox/', '^server/test/', '^bench/', '[.]test[.]ts$', '^miniprogram/__tests__/'] },
    },
    {
      name: 'shared-no-io',
      comment: 'shared/ is pure TypeScript for the server and the Mini Program alike: no Node built-ins (fs, net, http, crypto…).',
      severity: 'error',
      from: { path: '^shared/src/', pathNot: '[.]test[.]ts$' },
      to: { dependencyTypes: ['core'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Build output and local data of this repository (not dist/ folders inside node_modules).
    exclude: { path: '^((shared|server|server/console)/dist|[.]data|[.]venv|miniprogram/miniprogram_npm)/' },
    // Type-only imports count too: a type from a schema file still ties the domain to mongoose.
    tsPreCompilationDeps: true,
    // The server's tsconfig extends the base one (its paths map @fapiao/shared to shared/src).
    tsConfig: { fileName: 'server/tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.d.ts', '.js', '.json'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
