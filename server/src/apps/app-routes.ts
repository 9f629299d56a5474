import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ApiErrorBody, AppInfo, AppReload } from '@vitrine/protocol';
import { actorOf } from '../auth/guard.ts';
import { authorize, can } from '../policies/policies.ts';
import { appReloadDetail, type AppCatalog } from './app-catalog.ts';
import { toAppInfo } from './registry.ts';

export function registerAppRoutes(server: FastifyInstance, apps: Pick<AppCatalog, 'list' | 'reload'>): void {
  const app = server.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/apps',
    {
      config: { audit: { action: 'app.list' } },
      schema: { summary: 'Installed apps', response: { 200: z.array(AppInfo) } },
    },
    async (req) => {
      const actor = actorOf(req);
      authorize(actor, 'list', 'App', {});
      // Test apps (diagnostics, the clock) are listed to admins only; launching one by id is not affected.
      const all = can(actor, 'list-admin-audience', 'App', {});
      return apps
        .list()
        .filter((a) => all || a.manifest.audience !== 'admin')
        .map(toAppInfo);
    },
  );

  app.post(
    '/api/admin/apps/reload',
    {
      config: { audit: { action: 'app.reload' } },
      schema: {
        summary:
          'Rescan APPS_ROOT: new, changed and removed apps take effect; running sessions keep their version (admins)',
        response: { 200: AppReload, 403: ApiErrorBody, 500: ApiErrorBody },
      },
    },
    async (req) => {
      authorize(actorOf(req), 'reload', 'App', {});
      const changes = await apps.reload();
      req.audit.note({ detail: appReloadDetail(changes) });
      req.log.info({ ...changes }, 'apps reloaded');
      return changes;
    },
  );
}
