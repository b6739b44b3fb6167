export * from './errors';
export * from './money';
export * from './invoice-amounts';
export * from './invoice-state';
export * from './validators';
export * from './labels';
export * from './dto';
export * from './dashboard';
