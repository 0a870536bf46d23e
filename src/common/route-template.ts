import type { FastifyRequest } from 'fastify';

/** The matched route's template (`/api/0/organizations/:organizationSlug`), or "unmatched" for a 404. */
export function routeTemplate(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unmatched';
}
