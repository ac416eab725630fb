import type { SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';

/** A body's OpenAPI schema, derived from its zod schema: what it accepts, or what it answers. */
export function fromZod(schema: z.ZodType, io: 'input' | 'output'): SchemaObject {
  const { $schema: _dialect, ...json } = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io,
  }) as SchemaObject & { $schema?: string };
  return json;
}
