import { Global, Module } from '@nestjs/common';
import { Database } from './database';

/** The database conversations are kept in, for whoever needs it. */
@Global()
@Module({ providers: [Database], exports: [Database] })
export class DatabaseModule {}
