import { ArgumentsHost, Catch, ExceptionFilter, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { renderError } from '../common/http-errors.js';
import { failureLine } from '../logging/nest-logger.js';
import { LOGIN_PATH, setPageHeaders, type ConsoleRequest } from './console-http.js';

const TITLES: Record<number, string> = {
  400: 'That request could not be read',
  403: 'Not allowed',
  404: 'Not found',
  409: 'Already exists',
  415: 'That form could not be read',
  429: 'Too many attempts',
  503: 'Temporarily unavailable',
};

/** Console errors as pages: a signed-out browser goes to sign in, everything else gets an HTML page with its status. */
@Catch()
export class ConsoleExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ConsoleExceptionFilter');

  async catch(exception: unknown, host: ArgumentsHost): Promise<void> {
    const request = host.switchToHttp().getRequest<ConsoleRequest>();
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    setPageHeaders(reply);
    // The API's mapping of exceptions to statuses and safe messages, rendered as a page.
    const { status, body, headers, unexpected } = renderError(exception);
    // No session (the model's 401): the browser signs in, then comes back to the page it asked for.
    if (status === HttpStatus.UNAUTHORIZED) {
      const next = request.method === 'GET' ? `?next=${encodeURIComponent(request.url)}` : '';
      return void reply.redirect(`${LOGIN_PATH}${next}`, 303);
    }
    if (unexpected) {
      const error = exception instanceof Error ? exception : new Error(String(exception));
      this.logger.error(failureLine(request.id, error));
    }
    const html = await reply.viewAsync('error', {
      title: TITLES[status] ?? (status >= 500 ? 'Something went wrong' : 'Error'),
      status,
      detail: unexpected ? 'The server could not finish this request. Try again in a moment.' : String(body.detail),
      page: { user: request.consoleSession?.user ?? null, organizations: [], csrfToken: null, flash: null },
    });
    void reply.status(status).headers(headers).type('text/html; charset=utf-8').send(html);
  }
}
