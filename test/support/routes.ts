import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { IS_PUBLIC } from '../../src/auth/public.decorator.js';

export interface Route {
  method: string;
  /** Full path with Nest's `:param` placeholders, e.g. `/api/0/organizations/:organizationSlug`. */
  path: string;
  isPublic: boolean;
}

/** Every route the app serves, read from the controllers, so new routes are covered without listing them. */
export function discoverRoutes(app: NestFastifyApplication): Route[] {
  const routes: Route[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const { metatype } of module.controllers.values()) {
      if (!metatype) continue;
      const base = Reflect.getMetadata(PATH_METADATA, metatype) as string;
      for (const name of Object.getOwnPropertyNames(metatype.prototype).filter((key) => key !== 'constructor')) {
        const handler = metatype.prototype[name];
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (path === undefined) continue;
        routes.push({
          method: RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler)]!,
          path: `/api/0/${base}/${path}`.replace(/\/+$/, '').replace(/\/{2,}/g, '/'),
          isPublic: Boolean(Reflect.getMetadata(IS_PUBLIC, handler)),
        });
      }
    }
  }
  return routes;
}
