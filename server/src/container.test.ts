import mongoose from 'mongoose';
import { TEST_ENV } from '../test/support/app';
import { loadConfig } from './config';
import { createContainer, scaledSchedule } from './container';
import { DEFAULT_SCHEDULE } from './domain/lifecycle/deps';
import { createLogger } from './logger';

/** The composition root builds from the parsed config alone (no database traffic until used). */
function containerFor(env: Record<string, string>) {
  const config = loadConfig({ MONGODB_URI: 'mongodb://127.0.0.1:1/fapiao', ...TEST_ENV, ...env });
  const db = mongoose.createConnection();
  return createContainer({ config, logger: createLogger('silent', { write: () => {} }), db, isShuttingDown: () => false });
}

describe('scaledSchedule', () => {
  it('is the default schedule at scale 1', () => {
    expect(scaledSchedule(1)).toEqual(DEFAULT_SCHEDULE);
  });

  it('scales every wait and each state’s age limit, and keeps the look counts', () => {
    const scaled = scaledSchedule(0.01);
    expect(scaled.confirmFirstMs).toBe(30);
    expect(scaled.retryMaxMs).toBe(6_000);
    for (const state of ['AUTHORIZED', 'ISSUING', 'OFFSETTING'] as const) {
      expect(scaled.limits[state].looks).toBe(DEFAULT_SCHEDULE.limits[state].looks);
      expect(scaled.limits[state].ageMs).toBe(Math.round(DEFAULT_SCHEDULE.limits[state].ageMs * 0.01));
    }
  });
});

describe('createContainer', () => {
  it('gives the worker a schedule whose limits are numbers, scaled by WORKER_TIME_SCALE', () => {
    const { lifecycle, workerOptions, deliveryOptions } = containerFor({ WORKER_TIME_SCALE: '0.02' });
    expect(lifecycle.schedule.limits.ISSUING).toEqual({ looks: 20, ageMs: Math.round(2 * 3600_000 * 0.02) });
    expect(lifecycle.schedule.authPollFirstMs).toBe(400);
    expect(workerOptions).toMatchObject({ concurrency: 4, idleMs: 20, leaseMs: 2_000 });
    expect(deliveryOptions).toMatchObject({ idleMs: 20, leaseMs: 5_000 });
  });

  it('turns the config’s hours and minutes into the milliseconds each router uses', () => {
    const { http } = containerFor({ SESSION_TTL_HOURS: '2', CONSOLE_SESSION_HOURS: '3', CONSOLE_LOGIN_WINDOW_MINUTES: '4' });
    expect(http.mp.login.sessionTtlMs).toBe(2 * 3600_000);
    expect(http.h5.sessionTtlMs).toBe(2 * 3600_000);
    expect(http.admin.staff.sessionTtlMs).toBe(3 * 3600_000);
    expect(http.auth.staff.failureWindowMs).toBe(4 * 60_000);
  });
});
