import type { PipeTransform } from '@nestjs/common';
import { ErrorCodes, parseWithSchema } from '@tokenstream/stream-contracts';
import type { z } from 'zod';
import { ApiException } from './api-exception';

/** Checks a body or query against a schema; a bad one is a `400` naming every problem. */
export class ZodPipe<T> implements PipeTransform<unknown, T> {
  constructor(private readonly schema: z.ZodType<T>) {}

  transform(input: unknown): T {
    const result = parseWithSchema(this.schema, input);
    if (result.ok) return result.value;
    const summary = result.problems.map((p) => `${p.path} ${p.message}`).join('; ');
    throw new ApiException(
      400,
      ErrorCodes.invalidRequest,
      `Invalid request: ${summary}`,
      result.problems,
    );
  }
}
