import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ErrorCodes } from '@tokenstream/stream-contracts';
import { ApiException } from '../common/api-exception';
import { AuthFailure } from './auth-failure';
import { Authenticator } from './authenticator';
import type { AuthenticatedRequest } from '../common/current-principal.decorator';
import { IS_PUBLIC } from '../common/public.decorator';

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
      throw new ApiException(401, ErrorCodes.unauthenticated, UNAUTHENTICATED_MESSAGE, undefined, {
        'WWW-Authenticate': sentCredentials
          ? 'Bearer realm="tokenstream", error="invalid_token"'
          : 'Bearer realm="tokenstream"',
      });
    }
  }
}
