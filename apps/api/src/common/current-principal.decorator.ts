import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { ANONYMOUS, type Principal } from '../shared/principal';

/** A request once the auth guard has recognised its caller. */
export type AuthenticatedRequest = Request & { principal?: Principal };

/** The caller the auth guard recognised. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal =>
    context.switchToHttp().getRequest<AuthenticatedRequest>().principal ?? ANONYMOUS,
);
