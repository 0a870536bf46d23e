import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

export const DOCS_PATH = 'api/docs';
export const DOCS_JSON_PATH = 'api/docs-json';

export function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Sentry-compatible integration authorization server')
    .setDescription(
      "Sentry's integration platform API (`/api/0/`): users, organizations, sentry apps, installations and the token exchange. " +
        'Errors are `{detail}`; token-endpoint errors add the RFC 6749 `error` code; validation errors add `errors` by field.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'opaque', description: 'A personal API token, or an app token from the token exchange.' })
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** The OpenAPI 3 document at /api/docs-json and Swagger UI at /api/docs, built from the code on first request. */
export function setupOpenApi(app: NestFastifyApplication): void {
  SwaggerModule.setup(DOCS_PATH, app, () => buildOpenApiDocument(app), { jsonDocumentUrl: DOCS_JSON_PATH, raw: ['json'], useGlobalPrefix: false });
}
