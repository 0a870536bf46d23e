// The load: autocannon at a fixed number of connections, each token request carrying a
// fixture of its own, form-encoded (RFC 6749 §4.1.3, §6) to every server alike.
import autocannon from 'autocannon';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** The request for one scenario on one server: the peer's token endpoint is /token, the others' Sentry's. */
function requestFor(scenario, pool, peer) {
  if (scenario === 'bearer') {
    return () => {
      const { token, slug } = pool.next();
      return { method: 'GET', path: `/api/0/organizations/${slug}/`, headers: { authorization: `Bearer ${token}` } };
    };
  }
  return () => {
    const fixture = pool.next();
    const grant = scenario === 'exchange' ? { grant_type: 'authorization_code', code: fixture.code } : { grant_type: 'refresh_token', refresh_token: fixture.refreshToken };
    return {
      method: 'POST',
      path: peer ? '/token' : `/api/0/sentry-app-installations/${fixture.uuid}/authorizations/`,
      headers: FORM,
      body: new URLSearchParams({ ...grant, client_id: fixture.clientId, client_secret: fixture.clientSecret }).toString(),
    };
  };
}

/** One autocannon run; resolves to its summary. */
export async function load({ port, scenario, pool, peer = false, connections, seconds, rate }) {
  const next = requestFor(scenario, pool, peer);
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections,
    duration: seconds,
    // A fixed offered rate (--rate): every side then batches alike, so CPU per request compares.
    ...(rate ? { overallRate: rate } : {}),
    requests: [{ setupRequest: (request) => ({ ...request, ...next() }) }],
  });
  return {
    rps: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    // Sent, not answered: the requests still in flight when the run stops have done their SQL too.
    requests: result.requests.sent,
    non2xx: result.non2xx + result.errors + result.timeouts,
  };
}

/** Hands out fixtures in turn; `wrapped` tells whether any was handed out twice. */
export function cycle(items) {
  let index = 0;
  let wrapped = false;
  return {
    next() {
      if (index === items.length) {
        index = 0;
        wrapped = true;
      }
      return items[index++];
    },
    wrapped: () => wrapped,
  };
}
