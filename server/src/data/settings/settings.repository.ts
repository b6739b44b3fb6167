import type { SettingDoc, SettingKey, SettingValues } from '../../domain/entities/setting';
import type { SettingModel } from './settings.schema';

export interface SettingsRepository {
  get<K extends SettingKey>(key: K): Promise<SettingDoc<K> | null>;
  put<K extends SettingKey>(key: K, value: SettingValues[K], by: string, at: Date): Promise<void>;
}

export function settingsRepository(model: SettingModel): SettingsRepository {
  return {
    get: <K extends SettingKey>(key: K) => model.findById(key).lean<SettingDoc<K>>(),
    async put(key, value, by, at) {
      await model.updateOne({ _id: key }, { $set: { value, updatedAt: at, updatedBy: by } }, { upsert: true });
    },
  };
}
