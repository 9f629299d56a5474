export * from './input.ts';
export * from './keysyms.ts';
export * from './signaling.ts';
export * from './api.ts';
export * from './accounts.ts';
export * from './files.ts';
export * from './shares.ts';
export * from './audit.ts';
