import { describe, expect, it } from '@jest/globals';
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
});
