import type { LoginAttemptModel, StaffDoc, StaffModel, StaffSessionDoc, StaffSessionModel } from './staff.schema';

export interface StaffRepository {
  /** False when the username is taken (unique _id). */
  create(doc: StaffDoc): Promise<boolean>;
  find(username: string): Promise<StaffDoc | null>;
  list(): Promise<StaffDoc[]>;
  update(username: string, set: Partial<Pick<StaffDoc, 'displayName' | 'role' | 'passwordHash' | 'disabled'>>, at: Date): Promise<StaffDoc | null>;
  count(): Promise<number>;

  createSession(doc: StaffSessionDoc): Promise<void>;
  /** The live session with this token digest, or null. */
  findSession(digest: string, now: Date): Promise<StaffSessionDoc | null>;
  deleteSession(digest: string): Promise<void>;
  /** Ends every session of a staff member (disabled, role or password changed). */
  deleteSessionsOf(username: string): Promise<void>;

  /**
   * Counts one failed login under `key` in a window of `windowMs` (a new window once the last
   * has passed) and answers the failures in the current window. One atomic update per call.
   */
  countFailure(key: string, now: Date, windowMs: number): Promise<number>;
  /** Failures under `key` in the current window (0 when the window has passed). */
  failures(key: string, now: Date): Promise<{ failures: number; until?: Date }>;
  clearFailures(key: string): Promise<void>;
}

export function staffRepository(models: { staff: StaffModel; sessions: StaffSessionModel; attempts: LoginAttemptModel }): StaffRepository {
  const { staff, sessions, attempts } = models;
  return {
    async create(doc) {
      try {
        await staff.create(doc);
        return true;
      } catch (err) {
        if ((err as { code?: number }).code === 11000) return false;
        throw err;
      }
    },
    find: (username) => staff.findById(username).lean<StaffDoc>(),
    list: () => staff.find({}).sort({ _id: 1 }).lean<StaffDoc[]>(),
    update: (username, set, at) => staff.findByIdAndUpdate(username, { $set: { ...set, updatedAt: at } }, { returnDocument: 'after' }).lean<StaffDoc>(),
    count: () => staff.countDocuments({}),

    async createSession(doc) {
      await sessions.create(doc);
    },
    findSession: (digest, now) => sessions.findOne({ _id: digest, expiresAt: { $gt: now } }).lean<StaffSessionDoc>(),
    async deleteSession(digest) {
      await sessions.deleteOne({ _id: digest });
    },
    async deleteSessionsOf(username) {
      await sessions.deleteMany({ username });
    },

    async countFailure(key, now, windowMs) {
      const expiresAt = new Date(now.getTime() + windowMs);
      // A window that has passed starts again at 1; otherwise one more. Two updates at most, each
      // atomic: a race between them only ever starts a window a moment later.
      const restarted = await attempts
        .findOneAndUpdate({ _id: key, expiresAt: { $lte: now } }, { $set: { failures: 1, windowStart: now, expiresAt } }, { returnDocument: 'after' })
        .lean();
      if (restarted) return restarted.failures;
      try {
        const counted = await attempts
          .findOneAndUpdate({ _id: key }, { $inc: { failures: 1 }, $setOnInsert: { windowStart: now, expiresAt } }, { upsert: true, returnDocument: 'after' })
          .lean();
        return counted?.failures ?? 1;
      } catch (err) {
        // Two first failures at once: one upsert wins, the other counts on the document it made.
        if ((err as { code?: number }).code !== 11000) throw err;
        const counted = await attempts.findOneAndUpdate({ _id: key }, { $inc: { failures: 1 } }, { returnDocument: 'after' }).lean();
        return counted?.failures ?? 1;
      }
    },
    async failures(key, now) {
      const doc = await attempts.findOne({ _id: key, expiresAt: { $gt: now } }).lean();
      return doc ? { failures: doc.failures, until: doc.expiresAt } : { failures: 0 };
    },
    async clearFailures(key) {
      await attempts.deleteOne({ _id: key });
    },
  };
}
