import { DynamicModule, Global, Module } from '@nestjs/common';
import { SecretBox } from '../common/crypto.js';
import { AppConfig } from './app-config.js';

/** Provides the validated configuration and what is derived from SECRET_KEY. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: SecretBox, useValue: new SecretBox(config.SECRET_KEY!) },
      ],
      exports: [AppConfig, SecretBox],
    };
  }
}
