import { applyDecorators, Controller, RequestMethod, SetMetadata, UseFilters, UseGuards, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ApiExcludeController } from '@nestjs/swagger';
import { ConsoleExceptionFilter } from './console-exception.filter.js';
import { CONSOLE_ROUTE } from './console-http.js';
import { ConsoleGuard } from './console.guard.js';

/**
 * A controller of console pages. Each page declares its action with `@SessionPermission`: the
 * global guard authenticates the session cookie (never a Bearer token) and asks the permission
 * model; then the console's guard checks the CSRF token of every form. Errors render as pages.
 */
export const ConsoleController = (path = '') =>
  applyDecorators(
    Controller(path),
    SetMetadata(CONSOLE_ROUTE, true),
    UseGuards(ConsoleGuard),
    UseFilters(ConsoleExceptionFilter),
    ApiExcludeController(),
  );

/** The routes of console controllers, as the global prefix's `exclude` takes them. */
export function consoleRoutes(controllers: Type[]): { path: string; method: RequestMethod }[] {
  return controllers.flatMap((controller) => {
    const base = Reflect.getMetadata(PATH_METADATA, controller) as string;
    return Object.getOwnPropertyNames(controller.prototype).flatMap((name) => {
      const handler = controller.prototype[name];
      const path = name === 'constructor' ? undefined : (Reflect.getMetadata(PATH_METADATA, handler) as string | undefined);
      if (path === undefined) return [];
      const relative = `${base}/${path}`.replace(/^\/+|\/+$/g, '').replace(/\/{2,}/g, '/');
      return [{ path: relative, method: Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod }];
    });
  });
}
