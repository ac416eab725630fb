import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { SecuritySchemes } from '../common/api-docs.decorators';
import { NATIVE_OPENAPI_SCHEMAS } from '../common/openapi-schemas';
import { OPENAI_OPENAPI_SCHEMAS } from '../openai-compat/openai-openapi-schemas';

/** Where the interactive docs are served (public, outside the guards). */
export const OPENAPI_UI_PATH = 'api/docs';

/** Where the OpenAPI document is served as JSON (public, outside the guards). */
export const OPENAPI_JSON_PATH = 'api/docs/openapi.json';

/** The OpenAPI document of every route of `app`, built from its controllers' decorators. */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('tokenstream api')
    .setDescription(
      'Streams model replies as Server-Sent Events (protocol v1, see `libs/stream-contracts`), ' +
        'with resume and stop; plus an OpenAI-compatible API at `/v1`.',
    )
    .setVersion('1')
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', description: 'An OIDC access token, or an API key.' },
      SecuritySchemes.bearer,
    )
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, SecuritySchemes.apiKey)
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components = {
    ...document.components,
    schemas: {
      ...document.components?.schemas,
      ...NATIVE_OPENAPI_SCHEMAS,
      ...OPENAI_OPENAPI_SCHEMAS,
    },
  };
  return document;
}

/**
 * Serves the docs UI and the JSON document. SwaggerModule registers them on the HTTP adapter
 * itself, so Nest's guards never see them: they need no credentials, like the document's readers.
 */
export function serveOpenApi(app: INestApplication): void {
  SwaggerModule.setup(OPENAPI_UI_PATH, app, () => createOpenApiDocument(app), {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
    customSiteTitle: 'tokenstream api',
  });
}
