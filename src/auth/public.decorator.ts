import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'auth:public';

/** Opts a route out of the global Bearer guard (it authenticates some other way, or not at all). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
