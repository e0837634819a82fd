import { DynamicModule, Module, Type } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { AppConfig } from './config/config';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { httpLoggerOptions } from './common/http/http-logger';
import { WebModule } from './web/web.module';

@Module({})
export class AppModule {
  /** The whole HTTP application. `extra` lets tests mount fixture controllers next to the real ones. */
  static forRoot(config: AppConfig, extra: Type<unknown>[] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggerModule.forRoot(httpLoggerOptions(config)),
        DatabaseModule.forRoot({ migrate: true }),
        HealthModule,
        WebModule,
        ...extra,
      ],
    };
  }
}
