import { Controller, Get, Param } from '@nestjs/common';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { WebhookRequestsService } from './webhook-requests.service.js';

@Controller('sentry-apps')
export class WebhookRequestsController {
  constructor(private readonly requests: WebhookRequestsService) {}

  @Get(':slug/requests')
  list(@CurrentPrincipal() principal: Principal, @Param('slug') slug: string) {
    return this.requests.list(principal, slug);
  }
}
