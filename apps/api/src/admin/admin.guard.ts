import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ErrorCodes } from '@tokenstream/stream-contracts';
import { Admins } from '../auth/admins';
import { ApiException } from '../common/api-exception';
import type { AuthenticatedRequest } from '../common/current-principal.decorator';

/**
 * The admin routes: a `401` for a caller without identity (no credentials, or `AUTH_MODE=none`,
 * where everyone is anonymous), a `403` for a caller in none of `ADMIN_GROUPS`.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly admins: Admins) {}

  canActivate(context: ExecutionContext): boolean {
    const { principal } = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!principal || principal.kind === 'anonymous') {
      throw new ApiException(
        401,
        ErrorCodes.unauthenticated,
        'Sign in to continue: the admin routes need to know who you are.',
        undefined,
        { 'WWW-Authenticate': 'Bearer realm="tokenstream"' },
      );
    }
    if (!this.admins.includes(principal)) {
      throw new ApiException(403, ErrorCodes.forbidden, 'This is for admins (ADMIN_GROUPS) only.');
    }
    return true;
  }
}
