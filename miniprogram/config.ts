/**
 * Where the Mini Program finds the Fapiao server. One place to change: `npm start` serves on
 * http://127.0.0.1:3000, which WeChat DevTools reaches with domain checks off (urlCheck: false).
 * A release build points at the merchant's HTTPS domain registered in the Mini Program console.
 */
export const API_BASE_BY_ENV: Record<'develop' | 'trial' | 'release', string> = {
  develop: 'http://127.0.0.1:3000',
  trial: 'https://fapiao.example.com',
  release: 'https://fapiao.example.com',
};

/** The API base for the environment WeChat reports (DevTools and previews are 'develop'). */
export function apiBase(envVersion: string | undefined): string {
  if (envVersion === 'trial' || envVersion === 'release') return API_BASE_BY_ENV[envVersion];
  return API_BASE_BY_ENV.develop;
}
