import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditModule } from '../audit/audit.module';
import { ModelsModule } from '../models/models.module';
import { Admins } from './admins';
import { ManagedKeys } from './managed-keys';
import { AuthGuard } from './auth.guard';
import { Authenticator } from './authenticator';
import { ClientConfigController } from './client-config.controller';
import { MeController } from './me.controller';

/** Who is calling: every route but the public ones goes through {@link AuthGuard}. */
@Module({
  imports: [ModelsModule, AuditModule],
  controllers: [MeController, ClientConfigController],
  providers: [Authenticator, ManagedKeys, Admins, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [ManagedKeys, Admins],
})
export class AuthModule {}
