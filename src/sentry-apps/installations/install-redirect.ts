/**
 * Where the installing user is sent next (Sentry's redirect after install): the app's
 * redirectUrl with `code`, `installationId` and `orgSlug` added to its query. Only when the
 * app has one and the response shows a code, since the code is what the app needs there.
 * Never throws: a URL stored before URLs were checked with the WHATWG parser may not parse,
 * and the install must not fail for it (contract v1.1), so it goes without a redirect.
 */
export function installRedirectUrl(redirectUrl: string | null, code: string | null, installationUuid: string, orgSlug: string): string | undefined {
  if (!redirectUrl || !code || !URL.canParse(redirectUrl)) return undefined;
  const url = new URL(redirectUrl);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.searchParams.set('code', code);
  url.searchParams.set('installationId', installationUuid);
  url.searchParams.set('orgSlug', orgSlug);
  return url.toString();
}
