import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { API_PREFIX, UNPREFIXED_ROUTES } from '../../src/app.setup.js';
import { PERMISSION, type PermissionDeclaration } from '../../src/auth/permission.guard.js';
import { PERMISSIONS, type Action } from '../../src/auth/permissions.js';
import { CONSOLE_ROUTE } from '../../src/console/console-http.js';

export interface AppRoute {
  method: string;
  /** As Fastify matches it: `/api/0/organizations/:organizationSlug`, no trailing slash. */
  path: string;
  /** The permission model's action the route declares; undefined when it declares none. */
  action?: Action;
  isPublic: boolean;
  /** A console page: outside /api/0, in a console controller. */
  isConsole: boolean;
  /** Declared with @SessionPermission: its caller is the session cookie's person, not a Bearer token's. */
  bySession: boolean;
  /** The handler takes a @Body(): a body it cannot read must never be answered 2xx. */
  readsBody: boolean;
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
        const declared = (Reflect.getMetadata(PERMISSION, handler) ?? Reflect.getMetadata(PERMISSION, metatype)) as PermissionDeclaration | undefined;
        const action = declared && Object.hasOwn(PERMISSIONS, declared.action) ? declared.action : undefined;
        const args = Object.keys(Reflect.getMetadata(ROUTE_ARGS_METADATA, metatype, name) ?? {});
        routes.push({
          method,
          path: unprefixed ? `/${relative}` : `/${API_PREFIX}/${relative}`,
          action,
          isPublic: action !== undefined && 'public' in PERMISSIONS[action],
          isConsole: Boolean(Reflect.getMetadata(CONSOLE_ROUTE, metatype)),
          bySession: declared?.session === true,
          readsBody: args.some((key) => key.startsWith(`${RouteParamtypes.BODY}:`)),
        });
      }
    }
  }
  return routes;
}

/** The JSON API's routes: everything but the console's pages. */
export function apiRoutes(app: NestFastifyApplication): AppRoute[] {
  return controllerRoutes(app).filter((route) => !route.isConsole);
}
