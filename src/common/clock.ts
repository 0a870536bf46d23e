import { Injectable } from '@nestjs/common';

/** The one source of time, so that expiry can be tested by moving the clock instead of sleeping. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}
