import fs from 'node:fs';
import path from 'node:path';

const SDK_SOURCES = path.resolve(import.meta.dirname, '../../sdk/src');

/**
 * Puts the app SDK's sources into an app folder as docs/app-sdk.md tells an app author to (the
 * sandbox has no node_modules): `<appDir>/app-sdk/`, tests left out.
 */
export function copyAppSdk(appDir: string): void {
  fs.cpSync(SDK_SOURCES, path.join(appDir, 'app-sdk'), { recursive: true, filter: (f) => !f.endsWith('.test.ts') });
}
