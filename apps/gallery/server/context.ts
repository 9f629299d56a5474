import type { ServerInit } from '../generated/app-sdk/index.ts';
import type { GalleryContext } from './gallery-server.ts';
import { FILES } from './paths.ts';

/**
 * The grants and the viewer's language from `init`. Without a control channel (a development run)
 * the whole of /files, read only, in en-US and UTC. A locale or time zone Intl does not know would
 * throw in the page: they fall back the same way.
 */
export function contextOf(init: ServerInit | null): GalleryContext {
  const grants = init
    ? init.grants.map((g) => g.path).filter((p) => p === FILES || p.startsWith(`${FILES}/`))
    : [FILES];
  let locale = init?.locale ?? 'en-US';
  let timeZone = init?.timeZone ?? 'UTC';
  try {
    locale = Intl.getCanonicalLocales(locale)[0] ?? 'en-US';
  } catch {
    locale = 'en-US';
  }
  try {
    new Intl.DateTimeFormat(locale, { timeZone });
  } catch {
    timeZone = 'UTC';
  }
  return { grants, locale, timeZone };
}
