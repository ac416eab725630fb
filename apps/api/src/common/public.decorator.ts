import { SetMetadata } from '@nestjs/common';

/** Metadata key of {@link Public}. */
export const IS_PUBLIC = 'tokenstream:public';

/** Marks a route that needs no credentials (health checks). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
