import { DEFAULT_SCHEDULE, scaleSchedule } from './deps';

describe('scaleSchedule (WORKER_TIME_SCALE)', () => {
  it('multiplies every wait and keeps the limits a human is told by', () => {
    const scaled = scaleSchedule(DEFAULT_SCHEDULE, 0.02);
    expect(scaled.confirmFirstMs).toBe(60);
    expect(scaled.authPollFirstMs).toBe(400);
    expect(scaled.retryMaxMs).toBe(12_000);
    expect(scaled.limits).toEqual(DEFAULT_SCHEDULE.limits);
    // Every field is a number or the limits, each limit a number of looks and an age: nothing NaN.
    for (const [key, value] of Object.entries(scaled)) {
      if (key === 'limits') continue;
      expect([key, Number.isFinite(value)]).toEqual([key, true]);
    }
    for (const limit of Object.values(scaled.limits)) {
      expect(Number.isInteger(limit.looks) && Number.isFinite(limit.ageMs)).toBe(true);
    }
  });

  it('never makes a wait zero, and leaves the schedule alone at scale 1', () => {
    expect(scaleSchedule(DEFAULT_SCHEDULE, 0.0001).confirmFirstMs).toBe(1);
    expect(scaleSchedule(DEFAULT_SCHEDULE, 1)).toEqual(DEFAULT_SCHEDULE);
  });
});
