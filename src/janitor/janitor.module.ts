import { Module } from '@nestjs/common';
import { JanitorService } from './janitor.service.js';

@Module({ providers: [JanitorService], exports: [JanitorService] })
export class JanitorModule {}
