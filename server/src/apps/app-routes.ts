import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppInfo } from '@vitrine/protocol';
import { actorOf } from '../auth/guard.ts';
import { authorize } from '../policies/policies.ts';
import { toAppInfo, type App } from './registry.ts';

export function registerAppRoutes(server: FastifyInstance, apps: ReadonlyMap<string, App>): void {
  server.withTypeProvider<ZodTypeProvider>().get(
    '/api/apps',
    {
      config: { audit: { action: 'app.list' } },
      schema: { summary: 'Installed apps', response: { 200: z.array(AppInfo) } },
    },
    async (req) => {
      authorize(actorOf(req), 'list', 'App', {});
      return [...apps.values()].map(toAppInfo);
    },
  );
}
