export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,49}$/;

/** Sentry's slug rule: the pattern above, and not all digits (it would read as an id). */
export function isValidSlug(slug: string): boolean {
  return SLUG_PATTERN.test(slug) && !/^\d+$/.test(slug);
}

/** "My Org!" → "my-org"; the caller validates the result. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+/, '')
    .slice(0, 50)
    .replace(/-+$/, '');
}
