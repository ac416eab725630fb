import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuditActions, ErrorCodes } from '@tokenstream/stream-contracts';
import { AuditTrail } from '../audit/audit-trail';
import { ApiException } from '../common/api-exception';
import { AuthFailure } from './auth-failure';
import { Authenticator } from './authenticator';
import type { AuthenticatedRequest } from '../common/current-principal.decorator';
import { IS_PUBLIC } from '../common/public.decorator';

/** How many refusals from one address in a minute make an `auth.failures` audit event. */
const REPEATED_FAILURES = 5;

/** What a refused caller is told, whatever the real reason (that goes to the log). */
const UNAUTHENTICATED_MESSAGE = 'Sign in to continue: no valid credentials came with this request.';

/**
 * Every route but the public ones needs a recognised caller: a `401` with `WWW-Authenticate`
 * otherwise, before anything else runs (so before a stream opens).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);

  constructor(
    private readonly authenticator: Authenticator,
    private readonly reflector: Reflector,
    private readonly audit: AuditTrail,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    try {
      request.principal = await this.authenticator.authenticate({
        headers: request.headers,
        remoteAddress: request.socket.remoteAddress,
      });
      return true;
    } catch (error) {
      if (!(error instanceof AuthFailure)) throw error;
      this.logger.warn(
        { reason: error.reason, remoteAddress: request.socket.remoteAddress },
        'refused',
      );
      const sentCredentials = Boolean(
        request.headers.authorization || request.headers['x-api-key'],
      );
      // Credentials that fail again and again (a leaked key's holder, a guesser) are for admins to
      // see; a browser that has not signed in yet is not.
      if (sentCredentials) {
        const address = request.socket.remoteAddress ?? 'unknown';
        this.audit.noteSummarised(
          `address:${address}`,
          {
            at: new Date(),
            actor: 'anonymous',
            action: AuditActions.authFailures,
            target: address,
            detail: { reason: error.reason },
          },
          REPEATED_FAILURES,
        );
      }
      throw new ApiException(401, ErrorCodes.unauthenticated, UNAUTHENTICATED_MESSAGE, undefined, {
        'WWW-Authenticate': sentCredentials
          ? 'Bearer realm="tokenstream", error="invalid_token"'
          : 'Bearer realm="tokenstream"',
      });
    }
  }
}
