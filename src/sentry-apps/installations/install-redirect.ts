/**
 * Where the installing user is sent next (Sentry's redirect after install): the app's
 * redirectUrl with `code`, `installationId` and `orgSlug` added to its query. Only when the
 * app has one and the response shows a code, since the code is what the app needs there.
 */
export function installRedirectUrl(redirectUrl: string | null, code: string | null, installationUuid: string, orgSlug: string): string | undefined {
  if (!redirectUrl || !code) return undefined;
  const url = new URL(redirectUrl);
  url.searchParams.set('code', code);
  url.searchParams.set('installationId', installationUuid);
  url.searchParams.set('orgSlug', orgSlug);
  return url.toString();
}
