import type { SettingDoc } from '../../domain/entities/setting';
import type { SettingModel } from './settings.schema';

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
