export * from './input.ts';
export * from './keysyms.ts';
export * from './signaling.ts';
export * from './api.ts';
