/**
 * Rows that no correct sequence of commits leaves behind: a grant consumed without its token,
 * a pair marked rotated without a successor (or a successor of one that was not), a token of no
 * grant. All four counts are 0 after any outage, however it cut the requests in flight.
 */
export const HALF_WRITTEN_ROWS = `
  SELECT
    (SELECT count(*)::int FROM api_grants g WHERE g.exchanged_at IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM api_tokens t WHERE t.family_id = g.family_id)) AS grants_without_token,
    (SELECT count(*)::int FROM api_tokens t WHERE t.rotated_at IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM api_tokens c WHERE c.parent_id = t.id)) AS rotated_without_successor,
    (SELECT count(*)::int FROM api_tokens c WHERE c.parent_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM api_tokens p WHERE p.id = c.parent_id AND p.rotated_at IS NOT NULL)) AS successors_of_unrotated,
    (SELECT count(*)::int FROM api_tokens t
       WHERE NOT EXISTS (SELECT 1 FROM api_grants g WHERE g.family_id = t.family_id)) AS tokens_without_grant`;

export const NO_HALF_WRITTEN_ROWS = { grants_without_token: 0, rotated_without_successor: 0, successors_of_unrotated: 0, tokens_without_grant: 0 };
