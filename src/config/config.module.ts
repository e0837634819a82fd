import { Global, Module } from '@nestjs/common';
import { setComplianceTimeZone } from '../common/time/zone';
import { AppConfig, loadConfig } from './config';

/** Injection token for the validated settings. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/**
 * Provides the validated settings. `forRoot(config)` takes settings already loaded by the entry point
 * (so a bad value fails before Nest starts); without one it loads from process.env.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config?: AppConfig) {
    return {
      module: ConfigModule,
      providers: [
        {
          provide: APP_CONFIG,
          useFactory: () => {
            const settings = config ?? loadConfig();
            setComplianceTimeZone(settings.timeZone); // the one zone every calendar rule counts days in
            return settings;
          },
        },
      ],
      exports: [APP_CONFIG],
    };
  }
}
