import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, type Principal } from '../../auth/principal.js';
import { ApiBearer, ApiErrors } from '../../openapi/error-bodies.js';
import { WebhookRequestDto } from './dto/webhook-request.dto.js';
import { WebhookRequestsService } from './webhook-requests.service.js';

@Controller('sentry-apps')
@ApiTags('sentry-apps')
@ApiBearer()
export class WebhookRequestsController {
  constructor(private readonly requests: WebhookRequestsService) {}

  @Get(':slug/requests')
  @ApiOperation({ summary: "The app's newest 100 webhook deliveries, newest first (members of the owner organization)" })
  @ApiOkResponse({ type: [WebhookRequestDto] })
  @ApiErrors(403, 404)
  list(@CurrentPrincipal() principal: Principal, @Param('slug') slug: string) {
    return this.requests.list(principal, slug);
  }
}
