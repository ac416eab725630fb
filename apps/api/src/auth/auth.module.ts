import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ModelsModule } from '../models/models.module';
import { AuthGuard } from './auth.guard';
import { Authenticator } from './authenticator';
import { ClientConfigController } from './client-config.controller';
import { MeController } from './me.controller';

/** Who is calling: every route but the public ones goes through {@link AuthGuard}. */
@Module({
  imports: [ModelsModule],
  controllers: [MeController, ClientConfigController],
  providers: [Authenticator, { provide: APP_GUARD, useClass: AuthGuard }],
})
export class AuthModule {}
