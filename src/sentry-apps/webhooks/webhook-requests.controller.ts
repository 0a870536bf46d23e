import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Authorized } from '../../auth/authorization.service.js';
import { CurrentTarget, Permission } from '../../auth/permission.guard.js';
import { ApiBearer } from '../../openapi/error-bodies.js';
import { WebhookRequestDto } from './dto/webhook-request.dto.js';
import { WebhookRequestsService } from './webhook-requests.service.js';

@Controller('sentry-apps')
@ApiTags('sentry-apps')
@ApiBearer()
export class WebhookRequestsController {
  constructor(private readonly requests: WebhookRequestsService) {}

  @Get(':slug/requests')
  @Permission('sentry-app.requests')
  @ApiParam({ name: 'slug' })
  @ApiOperation({ summary: "The app's newest 100 webhook deliveries, newest first (members of the owner organization; never an app token)" })
  @ApiOkResponse({ type: [WebhookRequestDto] })
  list(@CurrentTarget() { app }: Authorized) {
    return this.requests.list(app!);
  }
}
