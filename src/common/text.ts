// ES2024's String.prototype.isWellFormed (Node ≥ 20), which lib es2023 does not declare.
const wellFormed = (String.prototype as unknown as { isWellFormed(this: string): boolean }).isWellFormed;

/**
 * Text the service can store and compare: well-formed UTF-16 (a lone surrogate becomes
 * U+FFFD on its way to UTF-8, so two different strings would collide, and validator's
 * isEmail throws on one) and no NUL (PostgreSQL text cannot hold it).
 */
export function isSaneText(value: string): boolean {
  return wellFormed.call(value) && !value.includes('\u0000');
}

/** The same text, safe to echo in an error body: lone surrogates and NUL become U+FFFD. */
export function printable(value: string): string {
  let out = '';
  for (const char of value) out += char.length === 1 && (/[\ud800-\udfff]/.test(char) || char === '\u0000') ? '\ufffd' : char;
  return out;
}
