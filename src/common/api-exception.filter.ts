import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isFormRequest } from './body-parsing.js';
import { renderError } from './http-errors.js';
import { failureLine } from '../logging/nest-logger.js';

/** The one place that turns exceptions into the contract's `{detail, …}` bodies. */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const { status, body, headers, unexpected } = renderError(exception, { rfc6749: isFormRequest(request) });
    if (unexpected) {
      const error = exception instanceof Error ? exception : new Error(String(exception));
      this.logger.error(failureLine(request.id, error));
    }
    void http.getResponse<FastifyReply>().status(status).headers(headers).send(body);
  }
}
