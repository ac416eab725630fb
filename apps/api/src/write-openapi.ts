import { writeFileSync } from 'node:fs';
import { buildOpenApiDocument, OPENAPI_FILE } from './openapi-document';

/** Rewrites `apps/api/openapi.json` from the code: `npx nx run api:openapi`. */
async function writeOpenApi(): Promise<void> {
  const document = await buildOpenApiDocument();
  writeFileSync(OPENAPI_FILE, `${JSON.stringify(document, null, 2)}\n`);
  console.log(`wrote ${OPENAPI_FILE}`);
}

void writeOpenApi();
