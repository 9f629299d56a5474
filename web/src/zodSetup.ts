/**
 * Must be imported before anything that imports `@vitrine/protocol`: zod decides at schema
 * construction whether to JIT-compile parsers with `new Function`, and under a strict CSP
 * (no 'unsafe-eval') even its guarded probe is reported as a violation. The viewer validates a
 * handful of small messages, so the interpreter is plenty. `zod` is @vitrine/protocol's
 * dependency; there is one hoisted copy, so this configures the instance the schemas use.
 */
import { config } from 'zod';

config({ jitless: true });
