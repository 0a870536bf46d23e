import { BadRequestException, ConflictException, NotFoundException, UnsupportedMediaTypeException } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { isFormRequest, UnreadableBody } from '../common/body-parsing.js';
import { collect } from '../common/body-validation.pipe.js';
import { ValidationFailed } from '../common/validation.js';

export type FieldErrors = Record<string, string[]>;

/** A submitted form's text fields; anything else (an unreadable body) is refused before this. */
export type FormBody = Record<string, string | undefined>;

/**
 * Validates a form with the API's own DTO, so that a field has the same rules in both:
 * the value, and the errors by field for the page to show beside each one.
 */
export async function validateForm<T extends object>(dto: new () => T, input: Record<string, unknown>): Promise<{ value: T; errors: FieldErrors }> {
  const value = plainToInstance(dto, input);
  const errors = collect(await validate(value, { whitelist: true, forbidUnknownValues: false }));
  return { value, errors };
}

/** A service's refusal that belongs beside a field (a taken name, an unknown email) as field errors; anything else is rethrown. */
export function fieldErrorsOf(error: unknown, field: string): FieldErrors {
  if (error instanceof ValidationFailed) return (error.getResponse() as { errors: FieldErrors }).errors;
  if (error instanceof ConflictException || error instanceof NotFoundException) {
    const response = error.getResponse();
    return { [field]: [typeof response === 'object' && response && 'detail' in response ? String(response.detail) : error.message] };
  }
  throw error;
}

/** A textarea of one value a line (allowed origins), blank lines left out. */
export const linesOf = (text: string) => text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);

/** A checkbox ticked in the form (each has its own name: the body parser refuses repeated ones). */
export const isChecked = (body: FormBody, name: string) => body[name] === 'on';

type SubmittedRequest = { headers: Record<string, string | string[] | undefined>; body?: unknown };

/**
 * A page's form arrives form-encoded, as browsers send it, so every field is one string. Any
 * other body (JSON with lists, objects or numbers where a page reads text) is refused before
 * anything reads a field of it: the guard that locates a page's target, the CSRF check, the page.
 */
export function assertReadableForm(request: SubmittedRequest): void {
  if (!isFormRequest(request)) throw new UnsupportedMediaTypeException({ detail: 'Pages take forms as a browser sends them (application/x-www-form-urlencoded).' });
  const body = request.body;
  if (body instanceof UnreadableBody) {
    throw new BadRequestException({ detail: body.reason === 'duplicated' ? 'A field was sent more than once.' : 'The form held text that is not well-formed (or held NUL characters).' });
  }
}

/** One text field of a submitted form, as a page's target locator reads it before the page validates the form. */
export function formField(request: SubmittedRequest, name: string): string | undefined {
  assertReadableForm(request);
  const value = request.body && typeof request.body === 'object' ? (request.body as FormBody)[name] : undefined;
  return typeof value === 'string' ? value : undefined;
}

/**
 * How long a form sent twice (a double click, a resubmit after a slow answer) finds what its
 * first sending did, and is answered as that one was, instead of "already exists" or "not found".
 */
export const DOUBLE_SUBMIT_SECONDS = 60;
