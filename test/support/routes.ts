import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { API_PREFIX, UNPREFIXED_ROUTES } from '../../src/app.setup.js';
import { IS_PUBLIC } from '../../src/auth/public.decorator.js';

export interface AppRoute {
  method: string;
  /** As Fastify matches it: `/api/0/organizations/:organizationSlug`, no trailing slash. */
  path: string;
  isPublic: boolean;
}

/** Every route the app's controllers declare, read from Nest's own metadata. */
export function controllerRoutes(app: NestFastifyApplication): AppRoute[] {
  const routes: AppRoute[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const { metatype } of module.controllers.values()) {
      if (!metatype) continue;
      const base = Reflect.getMetadata(PATH_METADATA, metatype) as string;
      for (const name of Object.getOwnPropertyNames(metatype.prototype).filter((key) => key !== 'constructor')) {
        const handler = metatype.prototype[name];
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (path === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod]!;
        const relative = `${base}/${path}`.replace(/^\/+|\/+$/g, '').replace(/\/{2,}/g, '/');
        const unprefixed = UNPREFIXED_ROUTES.some((route) => route.path === relative && RequestMethod[route.method] === method);
        routes.push({ method, path: unprefixed ? `/${relative}` : `/${API_PREFIX}/${relative}`, isPublic: Boolean(Reflect.getMetadata(IS_PUBLIC, handler) ?? Reflect.getMetadata(IS_PUBLIC, metatype)) });
      }
    }
  }
  return routes;
}
