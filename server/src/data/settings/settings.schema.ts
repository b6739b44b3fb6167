import { Schema, type Connection, type Model } from 'mongoose';

/**
 * The merchant's WeChat invoice settings as last set through Fapiao (contact, auth fields,
 * pay-merchant link). WeChat holds the authoritative copy; this one records who set what, when,
 * and lets the worker read the contact's time_out without asking WeChat each time.
 */
export interface SettingDoc {
  _id: 'contact' | 'auth-fields' | 'pay-mch';
  value: Record<string, unknown>;
  updatedAt: Date;
  updatedBy: string;
}

const schema = new Schema<SettingDoc>(
  {
    _id: { type: String, required: true },
    value: { type: Schema.Types.Mixed, required: true },
    updatedAt: { type: Date, required: true },
    updatedBy: { type: String, required: true },
  },
  { collection: 'merchant_settings', minimize: false },
);

export type SettingModel = Model<SettingDoc>;

export function settingModel(db: Connection): SettingModel {
  return (db.models.Setting as SettingModel | undefined) ?? db.model<SettingDoc>('Setting', schema);
}

export interface SettingsRepository {
  get(key: SettingDoc['_id']): Promise<SettingDoc | null>;
  put(key: SettingDoc['_id'], value: Record<string, unknown>, by: string, at: Date): Promise<void>;
}

export function settingsRepository(model: SettingModel): SettingsRepository {
  return {
    get: (key) => model.findById(key).lean<SettingDoc>(),
    async put(key, value, by, at) {
      await model.updateOne({ _id: key }, { $set: { value, updatedAt: at, updatedBy: by } }, { upsert: true });
    },
  };
}
