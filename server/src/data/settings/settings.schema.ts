import { Schema, type Connection, type Model } from 'mongoose';
import type { SettingDoc } from '../../domain/entities/setting';

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

