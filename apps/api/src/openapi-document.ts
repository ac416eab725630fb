import { NestFactory } from '@nestjs/core';
import type { OpenAPIObject } from '@nestjs/swagger';
import { join } from 'node:path';
import { AppModule } from './app.module';
import { useApiPrefix } from './app/api-prefix';
import { createOpenApiDocument } from './app/openapi';
import { loadAppConfig } from './config/app-config';

/** Where the committed OpenAPI document lives (`npx nx run api:openapi` rewrites it). */
export const OPENAPI_FILE = join(__dirname, '..', 'openapi.json');

/** The OpenAPI document of the real app, on the default configuration, without listening. */
export async function buildOpenApiDocument(): Promise<OpenAPIObject> {
  const app = await NestFactory.create(AppModule.forRoot(loadAppConfig({})), { logger: false });
  try {
    useApiPrefix(app);
    await app.init();
    return createOpenApiDocument(app);
  } finally {
    await app.close();
  }
}
