import { describe, expect, it } from '@jest/globals';
import { createCipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { openUnder, randomHex, safeEqual, sealUnder, SecretBox, sha256Hex } from './crypto.js';

describe('SecretBox', () => {
  const box = new SecretBox('a-secret-key-of-at-least-32-characters');

  it('encrypts client secrets so that only the same key reads them back', () => {
    const secret = randomHex(32);
    const sealed = box.encrypt(secret);
    expect(sealed).not.toContain(secret);
    expect(box.encrypt(secret)).not.toBe(sealed);
    expect(box.decrypt(sealed)).toBe(secret);
    expect(() => new SecretBox('another-secret-key-of-32-characters!!').decrypt(sealed)).toThrow();
  });

  it('rejects a tampered ciphertext', () => {
    const [version, iv, tag, body] = box.encrypt('secret').split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[0]! ^= 1;
    expect(() => box.decrypt([version, iv, tag, flipped.toString('base64url')].join('.'))).toThrow();
  });

  it("derives a grant's code from its id, reproducibly and only with the key", () => {
    const code = box.grantCode('5f0c7a9e-0000-4000-8000-000000000001');
    expect(code).toMatch(/^[0-9a-f]{64}$/);
    expect(box.grantCode('5f0c7a9e-0000-4000-8000-000000000001')).toBe(code);
    expect(new SecretBox('another-secret-key-of-32-characters!!').grantCode('5f0c7a9e-0000-4000-8000-000000000001')).not.toBe(code);
  });
});

describe('random secrets', () => {
  it('draws distinct, full-length hex secrets across many refills of the pool, and large ones too', () => {
    const drawn = new Set<string>();
    for (let i = 0; i < 2000; i++) drawn.add(randomHex(32));
    expect(drawn.size).toBe(2000);
    for (const secret of drawn) expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(randomHex(1000)).toMatch(/^[0-9a-f]{2000}$/);
    // Not a constant or a repeating pattern: each hex digit turns up about equally often.
    const counts = new Map<string, number>();
    for (const digit of [...drawn].join('')) counts.set(digit, (counts.get(digit) ?? 0) + 1);
    expect(counts.size).toBe(16);
    for (const count of counts.values()) expect(count).toBeGreaterThan((2000 * 64) / 16 * 0.9);
  });

  it('refuses a size that could hand out drawn (zeroed) bytes again, and keeps drawing fresh ones after', () => {
    for (const size of [-32, 0, 1.5, Number.NaN]) expect(() => randomHex(size)).toThrow(RangeError);
    expect(randomHex(32)).not.toBe('0'.repeat(64));
    expect(new Set(Array.from({ length: 200 }, () => randomHex(32))).size).toBe(200);
  });
});

describe('hashing and comparison', () => {
  it('hashes with SHA-256 and compares whatever the lengths', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(safeEqual('same', 'same')).toBe(true);
    expect(safeEqual('same', 'sam')).toBe(false);
  });
});

describe('sealing under a presented secret', () => {
  const secret = randomHex(32);
  const plaintext = Buffer.from(randomHex(64), 'hex');

  it('opens only with the same secret and context', () => {
    const sealed = sealUnder(secret, 'row-1', plaintext);
    expect(sealed.includes(plaintext)).toBe(false);
    expect(openUnder(secret, 'row-1', sealed)).toEqual(plaintext);
    expect(sealUnder(secret, 'row-1', plaintext).equals(sealed)).toBe(false);
    expect(openUnder(randomHex(32), 'row-1', sealed)).toBeUndefined();
    expect(openUnder(secret, 'row-2', sealed)).toBeUndefined();
  });

  it('seals only under a 64-hex token, and opens nothing for any other string', () => {
    expect(() => sealUnder(`${secret}0`, 'row-1', plaintext)).toThrow(RangeError);
    expect(() => sealUnder(secret.toUpperCase(), 'row-1', plaintext)).toThrow(RangeError);
    const sealed = sealUnder(secret, 'row-1', plaintext);
    for (const other of [`${secret}0`, secret.toUpperCase(), secret.slice(0, 63), '', `${secret} `]) expect(openUnder(other, 'row-1', sealed)).toBeUndefined();
  });

  it("gives nothing to the holder of the secret's digest, the stored value", () => {
    const sealed = sealUnder(secret, 'row-1', plaintext);
    expect(openUnder(sha256Hex(secret), 'row-1', sealed)).toBeUndefined();
  });

  it('refuses damaged, truncated and unknown-version seals without throwing', () => {
    const sealed = sealUnder(secret, 'row-1', plaintext);
    for (const index of [0, 5, 20, sealed.length - 1]) {
      const damaged = Buffer.from(sealed);
      damaged[index]! ^= 1;
      expect(openUnder(secret, 'row-1', damaged)).toBeUndefined();
    }
    expect(openUnder(secret, 'row-1', sealed.subarray(0, 28))).toBeUndefined();
    expect(openUnder(secret, 'row-1', Buffer.alloc(0))).toBeUndefined();
  });

  it('still opens a seal written before the cheaper key derivation (v1, full HKDF), for the grace window it lives', () => {
    const context = 'row-1';
    const iv = randomBytes(12);
    const key = Buffer.from(hkdfSync('sha256', Buffer.from(secret, 'utf8'), Buffer.from(context, 'utf8'), 'sentry-app-authz: sealed under a presented secret, v1', 32));
    const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    const v1 = Buffer.concat([Buffer.of(1), iv, cipher.getAuthTag(), body]);
    expect(openUnder(secret, context, v1)).toEqual(plaintext);
    expect(openUnder(randomHex(32), context, v1)).toBeUndefined();
    const relabelled = Buffer.from(v1);
    relabelled[0] = 2;
    expect(openUnder(secret, context, relabelled)).toBeUndefined();
    expect(sealUnder(secret, context, plaintext)[0]).toBe(2);
  });
});
